/**
 * commander, required rather than imported: it is CommonJS, and importing CommonJS from
 * ES modules scans its exports on every start (measured here: ~5 ms of the cold start the
 * bench budgets).
 */

import { createRequire } from 'node:module';
import type * as commander from 'commander';

const load = createRequire(import.meta.url);

export const { Command, Option } = load('commander') as typeof commander;
export type Command = commander.Command;
export type Option = commander.Option;
