// The runbook harness must be able to fail: a wrong line or status in a runbook is caught.
import { linePattern, runbookWorld, runStep } from '../helpers/runbook.js';
import { tempDir } from '../helpers/temp-dir.js';

test('{MSID} and … are the only wildcards', () => {
  expect(
    linePattern('master secret : {MSID} (generation 1)').test(
      'master secret : {2ADBBFDA-73F7-303C-C350-A267B267B3A7} (generation 1)',
    ),
  ).toBe(true);
  expect(linePattern('master secret : {MSID} (generation 1)').test('master secret : {2ADBBFDA} (generation 1)')).toBe(
    false,
  );
  expect(linePattern('made …').test('made 2026-11-23T06:00:00.000Z')).toBe(true);
  expect(linePattern('a (b) [c] $d').test('x a (b) [c] $d y')).toBe(true);
});

test('a step whose output or status differs from the runbook is reported', () => {
  const dir = tempDir();
  try {
    const world = runbookWorld(dir.path);
    const outcome = runStep(world, {
      command: 'ssokit --home $NODE1 secret status',
      expectedStatus: 0,
      expectedLines: ['node : sso1'],
    });
    expect(outcome.status).toBe(30);
    expect(outcome.missing).toEqual(['node : sso1']);
  } finally {
    dir.cleanup();
  }
});
