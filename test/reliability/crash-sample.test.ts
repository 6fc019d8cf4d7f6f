// A sample of the crash-injection harness (test/crash/): one SIGKILL trial per scenario.
// The full run is `npm run test:crash` (200 trials); docs/reliability.md has its figures.
import { runCrashTrials } from '../crash/run.js';
import { SCENARIOS } from '../crash/scenarios.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => (dir = tempDir('ssokit-crash-')));
afterAll(() => dir.cleanup());

test('a command killed at a random moment loses nothing, and running it again completes it', async () => {
  // Three calibration runs per scenario; a kill that misses (the command was quicker than
  // its window, the machine being less loaded than while calibrating) is tried again, up to
  // three times, earlier: a trial whose kill did not land tests nothing.
  const { outcomes, retried } = await runCrashTrials({
    base: dir.path,
    trials: SCENARIOS.length,
    seed: 20261123,
    calibrationRuns: 3,
    retryMissed: 3,
  });
  expect(outcomes).toHaveLength(SCENARIOS.length);
  const failures = [...retried, ...outcomes].flatMap((o) =>
    o.failures.map((f) => `${o.scenario} (killed at ${o.delayMs} ms): ${f}`),
  );
  expect(failures).toEqual([]);
  // Every scenario's kill landed while its command ran (trial.ts, missedBecause).
  expect(outcomes.filter((o) => !o.landed).map((o) => `${o.scenario} (${o.delayMs} ms): ${o.missed}`)).toEqual([]);
  expect(new Set(outcomes.map((o) => o.scenario))).toEqual(new Set(SCENARIOS.map((s) => s.name)));
}, 300_000);
