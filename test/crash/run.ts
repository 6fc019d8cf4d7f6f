/**
 * Runs crash trials over the scenarios, round robin.
 *
 * Each scenario's kill window comes from timed uninterrupted runs, not from one cold run (on
 * a loaded machine one run says little): it opens once node has started the CLI (the median
 * of five `ssokit --version`) and closes at the fastest of the scenario's last five timings,
 * to its result on stdout. The timings are five calibration runs before the first trial
 * (round robin, once every world is built, as the trials run), one more every few rounds, and every trial whose kill missed (such a trial is an
 * uninterrupted run): so the window follows the machine's load as it changes. Delays are
 * drawn evenly from the window by a seeded generator, so a failing trial can be replayed.
 *
 * A trial counts as landed only when the kill came while the command ran (trial.ts,
 * `missedBecause`): the process died of the SIGKILL, and had not yet printed its result.
 */

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { commandOf, killAfter, runTrial, type TrialOutcome, timedRun } from './trial.js';
import { copyWorld } from './world.js';

export interface CrashRunOptions {
  base: string;
  trials: number;
  seed: number;
  /** Only scenarios whose name contains this. */
  only?: string;
  /** Uninterrupted runs per scenario before its first trial (5 by default). */
  calibrationRuns?: number;
  /** One more timing run per scenario every this many rounds (3 by default; 0: never). */
  recalibrateEvery?: number;
  /**
   * A trial whose kill did not land is run again (a fresh world; the window by then closes
   * before the run that missed finished) up to this many times (0 by default). Every attempt
   * is counted in the summaries; `outcomes` holds each trial's last attempt and `retried`
   * the attempts before it.
   */
  retryMissed?: number;
  onTrial?: (outcome: TrialOutcome, index: number) => void;
}

export interface ScenarioSummary {
  scenario: string;
  /** Median of every timing of the scenario, start-up included, to its result on stdout. */
  medianRunMs: number;
  /** How many timings that is (calibration runs, re-calibrations, missed trials). */
  timings: number;
  /** The narrowest and the widest kill window used, in milliseconds after the spawn. */
  windows: { first: [number, number]; narrowest: [number, number]; widest: [number, number] };
  trials: number;
  landed: number;
  failed: number;
}

/** The last timings a window is drawn from. */
const RECENT = 5;

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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How long node takes to start the CLI and leave: the median of five `ssokit --version`. */
async function startupMs(dir: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++)
    times.push((await killAfter(commandOf({ tool: 'ssokit', args: ['--version'] }), dir, Infinity)).ms);
  return median(times);
}

/**
 * The window kills are drawn from: from node's start-up to the fastest of the recent
 * timings (opening no later than half-way through that run).
 */
export function killWindow(startup: number, recentTimings: number[]): [number, number] {
  const end = Math.min(...recentTimings);
  return [Math.round(Math.min(startup, end / 2)), Math.round(end)];
}

interface ScenarioState {
  scenario: Scenario;
  template: string;
  timings: number[];
  summary: ScenarioSummary;
}

async function freshWorld(scenario: Scenario, template: string, dir: string): Promise<void> {
  if (scenario.template) copyWorld(template, dir);
  else await scenario.build(dir);
}

/** One uninterrupted run in a fresh world; its time to the result on stdout. */
async function timing(state: ScenarioState, dir: string): Promise<number> {
  const { scenario } = state;
  await freshWorld(scenario, state.template, dir);
  const full = await timedRun(dir, scenario);
  if (full.status !== 0) throw new Error(`${scenario.name} fails even without a kill (${full.status}): ${full.stdout}`);
  // Landing is judged by stdout: a command that printed nothing would look killed mid-run.
  if (!full.stdout) throw new Error(`${scenario.name} prints no result on stdout, so no kill could be judged`);
  rmSync(dir, { recursive: true, force: true });
  return full.workMs;
}

export async function runCrashTrials(
  options: CrashRunOptions,
): Promise<{ outcomes: TrialOutcome[]; retried: TrialOutcome[]; summaries: ScenarioSummary[] }> {
  const random = seeded(options.seed);
  const scenarios = SCENARIOS.filter((s) => !options.only || s.name.includes(options.only));
  const calibrationRuns = options.calibrationRuns ?? 5;
  const recalibrateEvery = options.recalibrateEvery ?? 3;
  mkdirSync(options.base, { recursive: true });
  const startup = await startupMs(options.base);
  const windowOf = (state: ScenarioState) => killWindow(startup, state.timings.slice(-RECENT));
  const states: ScenarioState[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const template = join(options.base, `template-${i}`);
    if (scenario.template) await scenario.build(template);
    const state: ScenarioState = {
      scenario,
      template,
      timings: [],
      summary: {
        scenario: scenario.name,
        medianRunMs: 0,
        timings: 0,
        windows: { first: [0, 0], narrowest: [0, 0], widest: [0, 0] },
        trials: 0,
        landed: 0,
        failed: 0,
      },
    };
    states.push(state);
  }
  // Timed round robin once every world is built, as the trials run: a run just after its
  // template was built shares the machine with that build's writes, and times slow.
  for (let run = 0; run < calibrationRuns; run++)
    for (const [i, state] of states.entries())
      state.timings.push(await timing(state, join(options.base, `timing-${i}-${run}`)));
  for (const state of states) {
    const first = windowOf(state);
    state.summary.windows = { first, narrowest: first, widest: first };
  }
  const outcomes: TrialOutcome[] = [];
  const retried: TrialOutcome[] = [];
  let index = 0;
  const attempt = async (state: ScenarioState) => {
    const { scenario, summary } = state;
    const dir = join(options.base, `trial-${index}`);
    await freshWorld(scenario, state.template, dir);
    const window = windowOf(state);
    const { windows } = summary;
    if (window[1] - window[0] < windows.narrowest[1] - windows.narrowest[0]) windows.narrowest = window;
    if (window[1] - window[0] > windows.widest[1] - windows.widest[0]) windows.widest = window;
    const outcome = await runTrial(dir, scenario, Math.round(window[0] + random() * (window[1] - window[0])));
    // A kill that missed let the command run to its end: that is a timing too.
    if (outcome.finishedMs !== null) state.timings.push(outcome.finishedMs);
    summary.trials++;
    if (outcome.landed) summary.landed++;
    if (outcome.failures.length) summary.failed++;
    else rmSync(dir, { recursive: true, force: true }); // a failed trial's world stays for a look
    options.onTrial?.(outcome, index++);
    return outcome;
  };
  for (let trial = 0; trial < options.trials; trial++) {
    const which = trial % states.length;
    const state = states[which]!;
    const round = Math.floor(trial / states.length);
    // Round robin: in a re-calibration round, each scenario is timed once before its trial.
    if (recalibrateEvery > 0 && round > 0 && round % recalibrateEvery === 0)
      state.timings.push(await timing(state, join(options.base, `timing-${which}-r${round}`)));
    let outcome = await attempt(state);
    for (let retry = 0; !outcome.landed && retry < (options.retryMissed ?? 0); retry++) {
      retried.push(outcome);
      outcome = await attempt(state);
    }
    outcomes.push(outcome);
  }
  for (const { summary, timings } of states) {
    summary.medianRunMs = median(timings);
    summary.timings = timings.length;
  }
  return { outcomes, retried, summaries: states.map((s) => s.summary) };
}
