// When a crash trial's kill counts as landed (test/crash/trial.ts): the process died of the
// harness's SIGKILL, and had not yet printed its result. A kill that came after the result
// (the command was only leaving) or after the exit tested nothing, and must not be counted.
import { tmpdir } from 'node:os';
import { killWindow, median } from '../crash/run.js';
import { killAfter, missedBecause } from '../crash/trial.js';

const node = (script: string) => ['-e', script];

test('a kill before the result lands; one after the result or after the exit does not', async () => {
  const [working, leaving, ended] = await Promise.all([
    // Still working when the kill comes (its result would come after 20 s).
    killAfter(node('setTimeout(() => console.log("done"), 20000)'), tmpdir(), 300),
    // Printed its result at once, then lingers: killed, but its work was done.
    killAfter(node('console.log("done"); setTimeout(() => {}, 20000)'), tmpdir(), 3000),
    // Ended on its own long before the kill.
    killAfter(node('console.log("done")'), tmpdir(), 3000),
  ]);
  expect([working.killed, missedBecause(working)]).toEqual([true, '']);
  expect([leaving.killed, missedBecause(leaving)]).toEqual([
    true,
    'the command had printed its result (its work was done) before the kill',
  ]);
  expect([ended.killed, missedBecause(ended)]).toEqual([false, 'the command had ended (status 0) before the kill']);
  expect(ended.workMs).toBeLessThanOrEqual(ended.ms);
}, 30_000);

test('the kill window runs from start-up to the fastest recent run, opening no later than half-way', () => {
  expect(killWindow(200, [450, 400, 500])).toEqual([200, 400]);
  expect(killWindow(300, [400])).toEqual([200, 400]);
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
});
