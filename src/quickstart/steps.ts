/**
 * Runs quickstart steps: each is a real command line of the built binaries, printed before
 * it runs, with its output indented below it.
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Painter } from '../cli/output.js';

export interface Step {
  /** What the step shows, in a sentence. */
  say: string;
  tool: string;
  args: string[];
  /** Exit status the step is meant to end with (a refusal is sometimes the point). */
  expect?: number;
}

export interface StepRunner {
  run(step: Step): string;
}

export function stepRunner(repoRoot: string, env: NodeJS.ProcessEnv, paint: Painter, display: (path: string) => string): StepRunner {
  let number = 0;
  return {
    run(step) {
      number++;
      console.log(`\n${paint.bold(`${number}. ${step.say}`)}`);
      const shown = [step.tool, ...step.args.map((arg) => (/[\s']/.test(arg) ? `'${arg}'` : arg)).map(display)];
      console.log(paint.dim(`   $ ${shown.join(' ')}`));
      const result = spawnSync(process.execPath, [join(repoRoot, 'bin', `${step.tool}.js`), ...step.args], {
        env,
        encoding: 'utf8',
      });
      const output = `${result.stdout}${result.stderr}`.trimEnd();
      if (output) console.log(output.split('\n').map((line) => `     ${display(line)}`).join('\n'));
      const expected = step.expect ?? 0;
      if (result.status !== expected) {
        throw new Error(`step ${number} ended with exit status ${result.status}, expected ${expected}`);
      }
      return result.stdout;
    },
  };
}
