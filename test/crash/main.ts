/**
 * `npm run test:crash [-- --trials N --seed S --only NAME --keep]`: the full crash-injection
 * run (200 trials by default). Prints each failing trial and a table per scenario; exits 1
 * when any trial failed. Worlds live under a temporary folder (kept with --keep, or when a
 * trial fails, for a look).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashTrials } from './run.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const trials = Number(values.trials);
const seed = Number(values.seed);
const base = mkdtempSync(join(tmpdir(), 'ssokit-crash-'));
const started = Date.now();
console.log(`crash injection: ${trials} trials, seed ${seed}, worlds in ${base}`);

const { outcomes, summaries } = await runCrashTrials({
  base,
  trials,
  seed,
  ...(values.only ? { only: values.only } : {}),
  onTrial: (outcome, index) => {
    if (outcome.failures.length) {
      console.log(
        `FAIL trial ${index} (${outcome.scenario}, killed at ${outcome.delayMs} ms): ${outcome.failures.join('; ')}`,
      );
    } else if ((index + 1) % 20 === 0) {
      console.log(`  ${index + 1} trials done`);
    }
  },
});

const rows = [['scenario', 'uninterrupted run', 'trials', 'killed mid-run', 'failed']];
for (const s of summaries)
  rows.push([s.scenario, `${Math.round(s.fullRunMs)} ms`, String(s.trials), String(s.killed), String(s.failed)]);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
const failed = outcomes.filter((o) => o.failures.length).length;
console.log(
  `${outcomes.length} trials, ${outcomes.filter((o) => o.killed).length} killed mid-run, ${failed} failed, in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed})`,
);
if (!failed && !values.keep) rmSync(base, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
