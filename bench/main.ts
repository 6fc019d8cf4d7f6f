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
import { SuiteUnavailable } from './pg-raw.js';
import { postgresSuite } from './postgres-bench.js';
import { secretSuite } from './secret-bench.js';
import { serviceSuite } from './service-bench.js';
import { ssoSuite } from './sso-bench.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const SUITES: Record<string, (dir: string) => Promise<SuiteResult>> = {
  secret: (dir) => secretSuite(dir, repoRoot),
  manage: (dir) => manageSuite(dir, repoRoot),
  clone: (dir) => cloneSuite(dir, repoRoot),
  postgres: (dir) => postgresSuite(dir, repoRoot),
  service: (dir) => serviceSuite(dir, repoRoot),
  sso: (dir) => ssoSuite(dir, repoRoot),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(SUITES);
const results: SuiteResult[] = [];
const unavailable: string[] = [];
for (const name of names) {
  const suite = SUITES[name];
  if (!suite) throw new Error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), `ssokit-bench-${name}-`));
  try {
    const result = await suite(dir);
    result.tables.forEach(printTable);
    results.push(result);
  } catch (error) {
    // A suite that cannot run here (no PostgreSQL) leaves its section of the doc as it was.
    if (!(error instanceof SuiteUnavailable)) throw error;
    console.log(`\n${name}: not run: ${error.message}`);
    unavailable.push(name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
writePerformanceDoc(repoRoot, results);
const failed = results.flatMap((r) => r.tables.flatMap((t) => t.checks)).filter((c) => !c.pass);
console.log(failed.length ? `\n${failed.length} check(s) failed` : '\nall checks passed');
if (unavailable.length) console.log(`suite(s) not run: ${unavailable.join(', ')}`);
process.exitCode = failed.length || unavailable.length ? 1 : 0;
