/**
 * `npm start`: runbooks 1 and 6 of docs/operations.md — the first server, then a business
 * server replicated onto a second node — run as written in a throw-away place under the
 * repository (.quickstart/), printing every command and what it printed.
 */

import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIo } from '../cli/io.js';
import { Output, painterFor } from '../cli/output.js';
import { readRunbook, runbookWorld, runStep } from './runbook.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const base = join(repoRoot, '.quickstart');
rmSync(base, { recursive: true, force: true });
const paint = await painterFor(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
const out = new Output(processIo(), { tool: 'quickstart', style: 'modern', json: false }, paint);
const markdown = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
const show = (text: string) => text.split(base).join('.quickstart');
const started = Date.now();

out.line(
  `${paint.bold('ssokit quickstart')}${paint.dim(' — runbooks 1 and 6 of docs/operations.md, in .quickstart/')}`,
);
out.line(
  paint.dim(`  $NODE1, $NODE2: node homes · $STORE: the shared store · $BACKUPS: backups · $PW: the password file`),
);
for (const number of [1, 6]) {
  const { title, steps } = readRunbook(markdown, number);
  // Each runbook starts from fresh machines, as it does in docs/operations.md.
  const world = runbookWorld(join(base, `runbook-${number}`), repoRoot);
  out.line(`\n${paint.bold(`Runbook ${number}: ${title}`)}`);
  for (const step of steps) {
    out.line(paint.green(`  $ ${step.command.split('\n')[0]}`));
    const outcome = runStep(world, step, { ...process.env, NO_COLOR: '1' });
    const output = outcome.output.trimEnd();
    if (output)
      out.line(
        output
          .split('\n')
          .map((line) => `    ${show(line)}`)
          .join('\n'),
      );
    if (outcome.status !== step.expectedStatus || outcome.missing.length) {
      out.say(paint.red(`  the step ended with status ${outcome.status} (expected ${step.expectedStatus})`));
      for (const line of outcome.missing) out.say(paint.red(`  expected a line like: ${line}`));
      process.exit(1);
    }
  }
}
out.line(
  `\n${paint.green('✓')} done in ${((Date.now() - started) / 1000).toFixed(1)} s; everything it made is in .quickstart/ (delete it when done)`,
);
