/**
 * `npm run test:crash [-- --trials N --seed S --only NAME --keep --calibration-runs N
 * --min-landed F]`: the full crash-injection run (200 trials by default). Prints each
 * failing trial and a table per scenario with how many kills landed while the command ran;
 * exits 1 when any trial failed, or when fewer than --min-landed (0.9) of a scenario's
 * kills landed — a harness whose kills miss tests less than it says. Worlds live under a
 * temporary folder (kept with --keep, or when a trial fails, for a look).
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
    'calibration-runs': { type: 'string', default: '5' },
    'min-landed': { type: 'string', default: '0.9' },
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
  calibrationRuns: Number(values['calibration-runs']),
  ...(values.only ? { only: values.only } : {}),
  onTrial: (outcome, index) => {
    if (outcome.failures.length) {
      console.log(
        `FAIL trial ${index} (${outcome.scenario}, killed at ${outcome.delayMs} ms): ${outcome.failures.join('; ')}`,
      );
    } else if (!outcome.landed) {
      console.log(`  trial ${index} (${outcome.scenario}, ${outcome.delayMs} ms): missed: ${outcome.missed}`);
    } else if ((index + 1) % 20 === 0) {
      console.log(`  ${index + 1} trials done`);
    }
  },
});

const rows = [
  ['scenario', 'uninterrupted run (median)', 'kill window (first; its end later)', 'landed/trials', 'failed'],
];
const span = ([from, to]: [number, number]) => `${from}-${to} ms`;
for (const s of summaries)
  rows.push([
    s.scenario,
    `${Math.round(s.medianRunMs)} ms (${s.timings} timings)`,
    `${span(s.windows.first)}; ${s.windows.narrowest[1]}-${s.windows.widest[1]} ms`,
    `${s.landed}/${s.trials}`,
    String(s.failed),
  ]);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
const failed = outcomes.filter((o) => o.failures.length).length;
const minLanded = Number(values['min-landed']);
const short = summaries.filter((s) => s.trials && s.landed / s.trials < minLanded);
const total = summaries.reduce((n, s) => n + s.trials, 0);
const landed = summaries.reduce((n, s) => n + s.landed, 0);
console.log(
  `${total} trials, ${landed} landed while the command ran, ${failed} failed, in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed})`,
);
for (const s of short)
  console.log(`TOO FEW LANDED ${s.scenario}: ${s.landed}/${s.trials}, under ${Math.round(minLanded * 100)}%`);
if (!failed && !values.keep) rmSync(base, { recursive: true, force: true });
process.exitCode = failed || short.length ? 1 : 0;
