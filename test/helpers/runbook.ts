/** The runbooks of docs/operations.md, run for tests (see src/quickstart/runbook.ts). */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  linePattern,
  type RunbookStep,
  type RunbookWorld,
  readRunbook as readRunbookFrom,
  runStep as run,
  type StepOutcome,
  runbookWorld as world,
} from '../../src/quickstart/runbook.js';
import { REPO_ROOT } from './cli.js';
import { testEnv } from './fast-deps.js';

export { linePattern, type RunbookStep, type RunbookWorld, type StepOutcome };

export function readRunbook(number: number): RunbookStep[] {
  return readRunbookFrom(readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8'), number).steps;
}

export function runbookWorld(dir: string): RunbookWorld {
  return world(dir, REPO_ROOT);
}

export function runStep(w: RunbookWorld, step: RunbookStep): StepOutcome {
  return run(w, step, testEnv());
}
