/**
 * The original single-dash syntax (`ssoconfig -restoreSecret file`), option names
 * case-insensitive as on Windows. The first `-option` is looked up in the tool's table and
 * becomes a commander subcommand; everything else (arguments, --home, --password-file…)
 * is parsed by commander as usual.
 */

import { SsoError } from '../../errors.js';
import { Command } from '../commander.js';
import { addGlobalOptions, wireProgram } from '../global-options.js';
import type { CommandAction, Runner } from '../runner.js';

export interface LegacyCommand {
  /** As Enterprise SSO documents it, e.g. "restoreSecret". */
  name: string;
  /** commander argument syntax, e.g. "<restore file>". */
  args?: string[];
  summary: string;
  options?: (command: Command) => Command;
  /** Implementation, loaded when the command runs. */
  load: () => Promise<CommandAction>;
}

export interface LegacyTool {
  name: string;
  heading: string;
  commands: LegacyCommand[];
}

export type LegacyParse = { kind: 'run'; program: Command; argv: string[] } | { kind: 'help'; status: number };

export function buildLegacyProgram(tool: LegacyTool, runner: Runner): LegacyParse {
  const program = wireProgram(new Command(tool.name), runner.io).helpCommand(false).helpOption(false);
  addGlobalOptions(program);
  const byName = new Map(tool.commands.map((c) => [c.name.toLowerCase(), c]));
  for (const spec of tool.commands) {
    let command = program.command(spec.name.toLowerCase()).description(spec.summary).helpOption(false);
    for (const arg of spec.args ?? []) command = command.argument(arg);
    if (spec.options) command = spec.options(command);
    command.action(runner.action(spec.load));
  }
  const argv = [...runner.argv];
  const index = argv.findIndex((arg) => /^(-[A-Za-z?]+|\/\?)$/.test(arg));
  const first = index >= 0 ? argv[index]! : undefined;
  const key = first === undefined ? 'help' : first.replace(/^[-/]/, '').toLowerCase();
  if (key === 'help' || key === '?' || key === 'h') {
    runner.io.stdout.write(legacyHelp(tool));
    // Asking for help succeeds; giving no option at all is a usage error that shows it.
    return { kind: 'help', status: first === undefined ? 2 : 0 };
  }
  if (!byName.has(key)) {
    throw new SsoError('USAGE', `unknown option ${first} for ${tool.name}`, {
      hint: `run ${tool.name} -help for the list`,
    });
  }
  argv[index] = key;
  return { kind: 'run', program, argv };
}

function legacyHelp(tool: LegacyTool): string {
  const width = Math.max(...tool.commands.map((c) => c.name.length)) + 2;
  const lines = [`${tool.name} commands -`, '', ` ${tool.heading} -`, ''];
  for (const c of tool.commands) {
    const usage = [`-${c.name}`, ...(c.args ?? [])].join(' ');
    lines.push(`-${c.name.padEnd(width)}: ${c.summary}`);
    if (c.args?.length) lines.push(`${' '.repeat(width + 3)}usage: ${tool.name} ${usage}`);
  }
  lines.push(
    '',
    'Options for every command: --home DIR, --db PATH, --password-file FILE, --json, --no-color, --yes, --debug',
    '',
  );
  return lines.join('\n');
}
