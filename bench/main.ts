/**
 * `npm run bench [suite…]`: prints each suite's tables with their requirement checks and
 * writes them to docs/performance.md. Exits non-zero when a check fails.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloneSuite } from './clone-bench.js';
import { printTable, type SuiteResult, writePerformanceDoc } from './harness.js';
import { manageSuite } from './manage-bench.js';
import { secretSuite } from './secret-bench.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const SUITES: Record<string, (dir: string) => Promise<SuiteResult>> = {
  secret: (dir) => secretSuite(dir, repoRoot),
  manage: (dir) => manageSuite(dir, repoRoot),
  clone: (dir) => cloneSuite(dir, repoRoot),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(SUITES);
const results: SuiteResult[] = [];
for (const name of names) {
  const suite = SUITES[name];
  if (!suite) throw new Error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), `ssokit-bench-${name}-`));
  try {
    const result = await suite(dir);
    result.tables.forEach(printTable);
    results.push(result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
writePerformanceDoc(repoRoot, results);
const failed = results.flatMap((r) => r.tables.flatMap((t) => t.checks)).filter((c) => !c.pass);
console.log(failed.length ? `\n${failed.length} check(s) failed` : '\nall checks passed');
process.exitCode = failed.length ? 1 : 0;
