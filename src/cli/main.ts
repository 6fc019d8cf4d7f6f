/**
 * The entry point of every ssokit tool, and the only place that ends the process.
 */

import { type CliIo, processIo } from './io.js';
import type { Prompter } from './prompts.js';
import { runCommandLine } from './runner.js';
import type { ToolName } from './table/define.js';

export type { ToolName } from './table/define.js';

export async function main(tool: ToolName): Promise<never> {
  const status = await run(tool, process.argv.slice(2), processIo());
  process.exit(status);
}

/** Runs one invocation and returns its exit status; never throws. */
export function run(tool: ToolName, argv: readonly string[], io: CliIo, prompter?: Prompter): Promise<number> {
  return runCommandLine(tool, argv, io, prompter);
}
