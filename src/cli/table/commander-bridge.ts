/**
 * Between the table and commander: declarations become commander arguments and options,
 * and what commander parsed becomes the values a handler receives, by key.
 */

import { type Command, Option } from '../commander.js';
import type { ArgDef, OptionDef, ParsedValue, ParsedValues } from './define.js';
import { longName } from './define.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function argumentSyntax(def: ArgDef): string {
  if (def.kind === 'required') return `<${def.label}>`;
  if (def.kind === 'optional') return `[${def.label}]`;
  return `<${def.label}...>`;
}

export function addArguments(command: Command, args: readonly ArgDef[]): void {
  for (const def of args) command.argument(argumentSyntax(def), def.description);
}

/** A lone `--no-x` (no positive form): false when given, undefined when not. */
const loneNegation = (def: OptionDef) => def.flags.startsWith('--no-');

export function commanderOptions(def: OptionDef): Option[] {
  const main = new Option(def.flags, def.description);
  if (def.kind === 'list') main.argParser(collect);
  if ((def.kind === 'toggle' || def.kind === 'value-or-no') && !loneNegation(def)) {
    return [main, new Option(`--no-${longName(def)}`, def.negatedDescription ?? `no ${longName(def)}`)];
  }
  return [main];
}

export function addOptions(command: Command, options: readonly OptionDef[]): void {
  for (const def of options) for (const option of commanderOptions(def)) command.addOption(option);
}

/** commander's attribute for an option: `--dry-run` → dryRun, `-p [file]` → p. */
function attributeOf(def: OptionDef): string {
  return new Option(def.flags).attributeName();
}

export function readOption(def: OptionDef, parsed: Record<string, unknown>): ParsedValue {
  const value = parsed[attributeOf(def)];
  switch (def.kind) {
    case 'switch':
      return value === true;
    case 'value':
      return typeof value === 'string' ? value : undefined;
    case 'list':
      return Array.isArray(value) ? value.map(String) : [];
    case 'toggle':
      if (loneNegation(def)) return value === false ? false : undefined;
      return typeof value === 'boolean' ? value : undefined;
    case 'value-or-no':
      return typeof value === 'string' || value === false ? value : undefined;
    case 'optional-value':
      return typeof value === 'string' || value === true ? value : undefined;
  }
}

/**
 * A command's values: its arguments from commander's processed positionals, its options
 * from its own and its ancestors' parsed options (an option a parent also declares, such
 * as `ssokit clone --force`, is parsed by the parent wherever it stands).
 */
export function readValues(
  command: Command,
  positional: readonly unknown[],
  args: readonly ArgDef[],
  options: readonly OptionDef[],
): ParsedValues {
  const values: Record<string, ParsedValue> = {};
  args.forEach((def, i) => {
    const value = positional[i];
    if (def.kind === 'variadic') values[def.key] = Array.isArray(value) ? value.map(String) : [];
    else values[def.key] = typeof value === 'string' ? value : undefined;
  });
  const parsed = command.optsWithGlobals() as Record<string, unknown>;
  for (const def of options) values[def.key] = readOption(def, parsed);
  return values;
}
