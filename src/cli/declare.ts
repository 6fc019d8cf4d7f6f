import type { Command } from './commander.js';
import type { Runner } from './runner.js';

/** Declares one top-level command (and its subcommands) on the program. */
export type Declare = (program: Command, runner: Runner) => void;

/** commander collector for repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A command that exists in name and says it is not built yet. */
export function declareNotBuilt(name: string, what: string, arrives: string): Declare {
  return (program, runner) => {
    program
      .command(name)
      .description(`${what} (not built yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runner.action(async () => async () => {
          const { SsoError } = await import('../errors.js');
          throw new SsoError('NOT_IMPLEMENTED', `ssokit ${name} is not built yet`, { hint: arrives });
        }),
      );
  };
}
