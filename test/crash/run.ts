/**
 * Runs crash trials over the scenarios, round robin: for each scenario it builds the
 * starting world, times one uninterrupted run, then kills trials at delays drawn evenly
 * from that run's length after start-up (seeded, so a failing trial can be replayed).
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { runToEnd, runTrial, type TrialOutcome } from './trial.js';
import { copyWorld } from './world.js';

export interface CrashRunOptions {
  base: string;
  trials: number;
  seed: number;
  /** Only scenarios whose name contains this. */
  only?: string;
  onTrial?: (outcome: TrialOutcome, index: number) => void;
}

export interface ScenarioSummary {
  scenario: string;
  /** One uninterrupted run, start-up included. */
  fullRunMs: number;
  trials: number;
  killed: number;
  failed: number;
}

/** mulberry32: a small seeded generator, so a run's delays can be reproduced. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startupMs(): number {
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'ssokit.js'), '--version']);
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b)[1]!;
}

async function freshWorld(scenario: Scenario, template: string, dir: string): Promise<void> {
  if (scenario.template) copyWorld(template, dir);
  else await scenario.build(dir);
}

export async function runCrashTrials(
  options: CrashRunOptions,
): Promise<{ outcomes: TrialOutcome[]; summaries: ScenarioSummary[] }> {
  const random = seeded(options.seed);
  const scenarios = SCENARIOS.filter((s) => !options.only || s.name.includes(options.only));
  mkdirSync(options.base, { recursive: true });
  const summaries: ScenarioSummary[] = [];
  const templates = new Map<Scenario, string>();
  for (const [i, scenario] of scenarios.entries()) {
    const template = join(options.base, `template-${i}`);
    if (scenario.template) await scenario.build(template);
    templates.set(scenario, template);
    const timing = join(options.base, `timing-${i}`);
    await freshWorld(scenario, template, timing);
    const full = runToEnd(timing, scenario);
    if (full.status !== 0)
      throw new Error(`${scenario.name} fails even without a kill (${full.status}): ${full.output}`);
    rmSync(timing, { recursive: true, force: true });
    summaries.push({ scenario: scenario.name, fullRunMs: full.ms, trials: 0, killed: 0, failed: 0 });
  }
  // Kills land between most of node's start-up and the end of an uninterrupted run: a kill
  // before the command has loaded tests nothing but the start-up.
  const startup = startupMs();
  const outcomes: TrialOutcome[] = [];
  for (let index = 0; index < options.trials; index++) {
    const which = index % scenarios.length;
    const scenario = scenarios[which]!;
    const summary = summaries[which]!;
    const dir = join(options.base, `trial-${index}`);
    await freshWorld(scenario, templates.get(scenario)!, dir);
    const earliest = Math.min(startup * 0.8, summary.fullRunMs / 2);
    const outcome = await runTrial(dir, scenario, Math.round(earliest + random() * (summary.fullRunMs - earliest)));
    summary.trials++;
    if (outcome.killed) summary.killed++;
    if (outcome.failures.length) summary.failed++;
    else rmSync(dir, { recursive: true, force: true }); // a failed trial's world stays for a look
    outcomes.push(outcome);
    options.onTrial?.(outcome, index);
  }
  return { outcomes, summaries };
}
