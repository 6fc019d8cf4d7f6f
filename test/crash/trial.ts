/**
 * One crash trial: run a scenario's command, SIGKILL it after a chosen delay, then prove
 * the kill added no problem (`ssokit check`), that running the command again completes it
 * (or says clearly that it had completed), and that the result is whole.
 */

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import type { Scenario } from './scenarios.js';

export interface TrialOutcome {
  scenario: string;
  delayMs: number;
  /** False when the command finished before the kill came. */
  killed: boolean;
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

/** Runs the command and kills it after `delayMs`; resolves whether the kill came first. */
export function runAndKill(dir: string, scenario: Scenario, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin(scenario.tool), ...scenario.args], {
      cwd: dir,
      env: testEnv(),
      stdio: 'ignore',
    });
    let exited = false;
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, delayMs);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

export function runToEnd(dir: string, scenario: Scenario): { status: number; output: string; ms: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin(scenario.tool), ...scenario.args], {
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
  const killed = await runAndKill(dir, scenario, delayMs);

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
  return { scenario: scenario.name, delayMs, killed, rerunStatus: rerun.status, failures };
}
