// A sample of the crash-injection harness (test/crash/): one SIGKILL trial per scenario.
// The full run is `npm run test:crash` (200 trials); docs/reliability.md has its figures.
import { runCrashTrials } from '../crash/run.js';
import { SCENARIOS } from '../crash/scenarios.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => (dir = tempDir('ssokit-crash-')));
afterAll(() => dir.cleanup());

test('a command killed at a random moment loses nothing, and running it again completes it', async () => {
  const { outcomes } = await runCrashTrials({ base: dir.path, trials: SCENARIOS.length, seed: 20261123 });
  expect(outcomes).toHaveLength(SCENARIOS.length);
  const failures = outcomes.flatMap((o) => o.failures.map((f) => `${o.scenario} (killed at ${o.delayMs} ms): ${f}`));
  expect(failures).toEqual([]);
}, 180_000);
