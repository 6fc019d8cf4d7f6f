/**
 * One crash trial: run a scenario's command, SIGKILL it after a chosen delay, then prove
 * the kill added no problem (`ssokit check`), that running the command again completes it
 * (or says clearly that it had completed), and that the result is whole. Whether the kill
 * landed while the command ran is decided by `missedBecause` (see TrialOutcome.landed).
 */

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import type { Scenario } from './scenarios.js';

export interface TrialOutcome {
  scenario: string;
  delayMs: number;
  /**
   * Whether the kill landed while the command ran: the process was still running when the
   * SIGKILL came (it died of it) and had not finished its work (it had written nothing to
   * stdout). A trial whose kill did not land tested only a re-run.
   */
  landed: boolean;
  /** Why the kill did not land (empty when it did). */
  missed: string;
  /** When the kill missed: how long the command took to its result, an uninterrupted run's time. */
  finishedMs: number | null;
  rerunStatus: number;
  /** Empty when the trial passed. */
  failures: string[];
}

interface CheckReportJson {
  problems: number;
  counts: { dataKeys: number; credentials: number; configEntries: number; opened: number };
  findings: { level: string; message: string }[];
}

const bin = (tool: string) => join(REPO_ROOT, 'bin', `${tool}.js`);

/** The command line of a scenario's command. */
export const commandOf = (scenario: Pick<Scenario, 'tool' | 'args'>): string[] => [
  bin(scenario.tool),
  ...scenario.args,
];

export interface KillResult {
  /** Died of the harness's SIGKILL (so it was still running when the signal came). */
  killed: boolean;
  /** What it wrote to stdout before it ended: its result, printed once its work is done. */
  stdout: string;
  /** The exit status when it ended on its own. */
  status: number | null;
  /** Milliseconds from spawn to the first byte on stdout (the work done), or to the exit. */
  workMs: number;
  /** Milliseconds from spawn to the exit. */
  ms: number;
}

/**
 * Runs `node argv…` in `dir` and SIGKILLs it `delayMs` after the spawn (never, when
 * delayMs is Infinity). Only this harness sends SIGKILL, so a child that died of one was
 * still running when it was sent; a killed process writes nothing more, so what is on its
 * stdout at the end was written before the kill.
 */
export function killAfter(argv: string[], dir: string, delayMs: number): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { cwd: dir, env: testEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let firstOutput: number | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      firstOutput ??= performance.now() - started;
      stdout += chunk;
    });
    const timer = Number.isFinite(delayMs) ? setTimeout(() => child.kill('SIGKILL'), delayMs) : null;
    child.on('error', reject);
    // 'close' rather than 'exit': stdout has been read to its end.
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      const ms = performance.now() - started;
      resolve({ killed: signal === 'SIGKILL', stdout, status, workMs: firstOutput ?? ms, ms });
    });
  });
}

/** Whether a kill landed while the command ran (see TrialOutcome.landed): '' when it did, else why not. */
export function missedBecause(result: KillResult): string {
  if (!result.killed) return `the command had ended (status ${result.status}) before the kill`;
  if (result.stdout) return 'the command had printed its result (its work was done) before the kill';
  return '';
}

/** Runs the command and kills it after `delayMs`; resolves whether the kill landed, and if not why. */
export async function runAndKill(
  dir: string,
  scenario: Scenario,
  delayMs: number,
): Promise<{ landed: boolean; missed: string; finishedMs: number | null }> {
  const result = await killAfter(commandOf(scenario), dir, delayMs);
  const missed = missedBecause(result);
  return { landed: missed === '', missed, finishedMs: missed && result.stdout ? result.workMs : null };
}

/** One uninterrupted run, timed: to its result on stdout (`workMs`) and to its exit (`ms`). */
export async function timedRun(
  dir: string,
  scenario: Scenario,
): Promise<{ status: number; stdout: string; workMs: number; ms: number }> {
  const result = await killAfter(commandOf(scenario), dir, Number.POSITIVE_INFINITY);
  return { status: result.status ?? -1, stdout: result.stdout, workMs: result.workMs, ms: result.ms };
}

export function runToEnd(dir: string, scenario: Scenario): { status: number; output: string; ms: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, commandOf(scenario), {
    cwd: dir,
    env: testEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`, ms: performance.now() - started };
}

/** `ssokit check --json` on a home: the problems it reports and whether every sealed item opened. */
export function checkHome(dir: string, home: string): { problems: string[]; unopened: number; status: number } {
  const result = spawnSync(process.execPath, [bin('ssokit'), '--home', home, 'check', '--json'], {
    cwd: dir,
    env: testEnv(),
    encoding: 'utf8',
  });
  if (result.status !== 0 && result.status !== 70) {
    return {
      problems: [`check exited ${result.status}: ${result.stderr.trim()}`],
      unopened: 0,
      status: result.status ?? -1,
    };
  }
  const report = JSON.parse(result.stdout) as CheckReportJson;
  const { dataKeys, credentials, configEntries, opened } = report.counts;
  return {
    problems: report.findings.filter((f) => f.level === 'problem').map((f) => f.message),
    unopened: opened ? dataKeys + credentials + configEntries - opened : 0,
    status: result.status,
  };
}

export async function runTrial(dir: string, scenario: Scenario, delayMs: number): Promise<TrialOutcome> {
  const failures: string[] = [];
  const baseline = new Map(scenario.checkedHomes.map((home) => [home, new Set(checkHome(dir, home).problems)]));
  const { landed, missed, finishedMs } = await runAndKill(dir, scenario, delayMs);

  for (const home of scenario.checkedHomes) {
    const after = checkHome(dir, home);
    const added = after.problems.filter((problem) => !baseline.get(home)!.has(problem));
    for (const problem of added) failures.push(`after the kill, check on ${home}: ${problem}`);
    if (after.unopened) failures.push(`after the kill, ${after.unopened} keys or credentials on ${home} do not open`);
  }
  const partial = scenario.allOrNothing?.(dir);
  if (partial) failures.push(`after the kill: ${partial}`);

  const rerun = runToEnd(dir, scenario);
  const done = scenario.alreadyDone;
  const completedBefore = done && rerun.status === done.status && done.says.test(rerun.output);
  if (rerun.status !== 0 && !completedBefore)
    failures.push(`the re-run exited ${rerun.status}: ${rerun.output.trim().split('\n')[0]}`);

  for (const home of [...scenario.checkedHomes, ...(scenario.madeHomes ?? [])]) {
    const after = checkHome(dir, home);
    for (const problem of after.problems) failures.push(`after the re-run, check on ${home}: ${problem}`);
    if (after.unopened) failures.push(`after the re-run, ${after.unopened} keys or credentials on ${home} do not open`);
  }
  const wrong = scenario.verify(dir);
  if (wrong) failures.push(`after the re-run: ${wrong}`);
  return { scenario: scenario.name, delayMs, landed, missed, finishedMs, rerunStatus: rerun.status, failures };
}
