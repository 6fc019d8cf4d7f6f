import type { Command } from './commander.js';
import type { Runner } from './runner.js';

/** Declares one top-level command (and its subcommands) on the program. */
export type Declare = (program: Command, runner: Runner) => void;

/** commander collector for repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
