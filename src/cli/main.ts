/**
 * The entry point of every ssokit tool, and the only place that ends the process.
 */

import { type CliIo, processIo } from './io.js';
import type { Prompter } from './prompts.js';
import { runCommandLine } from './runner.js';
import type { ToolName } from './table/define.js';

export type { ToolName } from './table/define.js';

export async function main(tool: ToolName): Promise<never> {
  endQuietlyWhenOutputCloses();
  const status = await run(tool, process.argv.slice(2), processIo());
  process.exit(status);
}

/**
 * `ssokit mapping list | head -1`: once the reader has gone, the rest of the output has
 * nowhere to go. Other Unix tools end there without a word; so does ssokit, with the
 * status of a command that did its work (the store was changed, or not, before printing).
 */
function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
}

/** Runs one invocation and returns its exit status; never throws. */
export function run(tool: ToolName, argv: readonly string[], io: CliIo, prompter?: Prompter): Promise<number> {
  return runCommandLine(tool, argv, io, prompter);
}
