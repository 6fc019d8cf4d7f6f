/** Help for the original tools, in the manner of `ssoconfig -help`, generated from the table. */

import { commanderOptions } from './commander-bridge.js';
import { ALWAYS_GLOBAL, GLOBAL_OPTIONS, type GlobalKey } from './common-options.js';
import type { ArgDef, CommandDef, OptionDef, OriginalTool } from './define.js';
import { ORIGINAL_TOOLS, originalCommands } from './registry.js';

interface Entry {
  name: string;
  summary: string;
  def: CommandDef;
}

function argumentSyntax(def: ArgDef): string {
  if (def.kind === 'required') return `<${def.label}>`;
  if (def.kind === 'optional') return `[${def.label}]`;
  return `<${def.label}...>`;
}

function usage(tool: OriginalTool, entry: Entry): string {
  return [`${tool} -${entry.name}`, ...entry.def.args.map(argumentSyntax)].join(' ');
}

/** `-name : summary` lines, with a usage line under those that take arguments. */
export function originalToolHelp(tool: OriginalTool): string {
  const entries = originalCommands(tool);
  const width = Math.max(...entries.map((c) => c.name.length)) + 2;
  const lines = [`${tool} commands -`, '', ` ${ORIGINAL_TOOLS[tool].heading} -`, ''];
  for (const entry of entries) {
    lines.push(`-${entry.name.padEnd(width)}: ${entry.summary}`);
    if (entry.def.args.length) lines.push(`${' '.repeat(width + 3)}usage: ${usage(tool, entry)}`);
  }
  const always = ALWAYS_GLOBAL.map((key) => GLOBAL_OPTIONS[key]);
  lines.push(
    '',
    `Options for every command: ${[...always, GLOBAL_OPTIONS.passwordFile, GLOBAL_OPTIONS.yes].map(termOf).join(', ')}`,
    `${tool} -OPTION -? shows the usage of one option.`,
    '',
  );
  return lines.join('\n');
}

/** `ssoconfig -restoreSecret -?`: one option's usage, its own options and the global ones that apply. */
export function originalCommandHelp(tool: OriginalTool, entry: Entry): string {
  const lines = [`usage: ${usage(tool, entry)}`, '', entry.summary, ''];
  const args = entry.def.args.filter((a) => a.description);
  if (args.length) lines.push('Arguments:', ...columns(args.map((a) => [a.label, a.description])), '');
  if (entry.def.options.length) lines.push('Options:', ...columns(optionRows(entry.def.options)), '');
  const globals: GlobalKey[] = [...ALWAYS_GLOBAL, ...entry.def.uses];
  lines.push('Global options:', ...columns(optionRows(globals.map((key) => GLOBAL_OPTIONS[key]))), '');
  return lines.join('\n');
}

function termOf(def: OptionDef): string {
  return commanderOptions(def)
    .map((o) => o.flags)
    .join(' / ');
}

function optionRows(options: readonly OptionDef[]): [string, string][] {
  return options.flatMap((def) => commanderOptions(def).map((o): [string, string] => [o.flags, o.description ?? '']));
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([term]) => term.length));
  return rows.map(([term, text]) => `  ${term.padEnd(width)}  ${text}`);
}
