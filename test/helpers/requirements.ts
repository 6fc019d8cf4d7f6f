/**
 * Tests that need something a machine may lack (root for real OS users, tmux for a
 * pseudo-terminal). On a developer's machine they are skipped, and say why. With CI=true
 * (.ci/run sets it) a missing requirement fails instead: in CI a skip would hide a broken
 * environment.
 */

export const IN_CI = process.env.CI === 'true';

type Describe = (name: string, fn: () => void) => void;
type Test = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

function missing(what: string, reason: string): Error {
  return new Error(`${what} cannot run: ${reason}. CI=true, so this fails instead of being skipped`);
}

/**
 * `describe`, when `reason` (why the requirement is not met) is null. Otherwise the block
 * is skipped with the reason printed, or under CI=true replaced by one failing test.
 */
export function describeNeeding(reason: string | null, what: string): Describe {
  if (reason === null) return describe;
  if (!IN_CI) {
    console.log(`${what} skipped: ${reason}`);
    return describe.skip;
  }
  return (name) =>
    describe(name, () => {
      test(`${what} can run here`, () => {
        throw missing(what, reason);
      });
    });
}

/** `test`, or, when `reason` is not null, a skip with the reason printed (a failure under CI=true). */
export function testNeeding(reason: string | null, what: string): Test {
  if (reason === null) return test;
  if (!IN_CI) {
    console.log(`${what} skipped: ${reason}`);
    return test.skip;
  }
  return (name) =>
    test(name, () => {
      throw missing(what, reason);
    });
}
