/**
 * A command line becomes the declared command it names, the values its handler receives
 * and the global options — or the help or version text it asked for. Parsing runs
 * nothing, so the contract test can hold every command line to the options it yields.
 *
 * - `ssokit <noun> <verb> …`: commander, with the program built from the table. Only the
 *   noun the line names is declared (all of them for help or an unknown name): declaring
 *   every command costs start-up time that grows with the table.
 * - The original tools: the first single-dash word (`-restoreSecret`, case-insensitive as
 *   on Windows) picks the command; the rest is parsed by commander as usual.
 * - Help is `--help`, `-help`, `-?` or `/?` everywhere (stdout, exit 0); `--version`
 *   everywhere and `-version` on the original tools.
 */

import { SsoError } from '../../errors.js';
import { ssokitVersion } from '../../node/install-facts.js';
import { Command, type Option } from '../commander.js';
import { addArguments, addOptions, commanderOptions, readOption, readValues } from './commander-bridge.js';
import { ALWAYS_GLOBAL, GLOBAL_OPTIONS, type GlobalKey } from './common-options.js';
import type { CommandDef, OriginalTool, ParsedValues, ToolName } from './define.js';
import { originalCommandHelp, originalToolHelp } from './original-help.js';
import { originalCommands, TABLES } from './registry.js';
import { nearest } from './suggest.js';

/** Global options as the session reads them. */
export interface GlobalOptions {
  home?: string | undefined;
  db?: string | undefined;
  dbPasswordFile?: string | undefined;
  nodeName?: string | undefined;
  passwordFile?: string | undefined;
  json?: boolean | undefined;
  color?: boolean | undefined;
  yes?: boolean | undefined;
  debug?: boolean | undefined;
  service?: string | undefined;
}

export type ParseResult =
  | { kind: 'command'; def: CommandDef; values: ParsedValues; globals: GlobalOptions }
  | { kind: 'text'; text: string };

const HELP_WORDS = new Set(['--help', '-help', '-h', '-?', '/?']);

/** Parses one invocation of `tool`. A bad line throws a USAGE error with a one-line reason. */
export function parseCommandLine(tool: ToolName, argv: readonly string[]): ParseResult {
  return tool === 'ssokit' ? parseModern(argv) : parseOriginal(tool, argv);
}

// ── the modern syntax ──────────────────────────────────────────────────────────────────

const VALUE_GLOBALS = new Set(
  Object.values(GLOBAL_OPTIONS)
    .filter((o) => o.kind === 'value')
    .map((o) => o.flags.split(' ')[0]),
);

function firstWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (VALUE_GLOBALS.has(word)) i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

interface Captured {
  def: CommandDef;
  command: Command;
  positional: unknown[];
}

function parseModern(argv: readonly string[]): ParseResult {
  const words = argv.map((word) => (HELP_WORDS.has(word) ? '--help' : word));
  const output = { text: '' };
  const defs = new WeakMap<Command, CommandDef>();
  const globalsByKey = new Map<GlobalKey, Option[]>();
  let captured: Captured | undefined;

  const program = new Command('ssokit')
    .description('Admin toolkit for an enterprise single sign-on credential store')
    .version(ssokitVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        output.text += text;
      },
      writeErr: (text) => {
        output.text += text;
      },
      outputError: () => undefined,
    })
    .showHelpAfterError(false)
    .configureHelp({
      showGlobalOptions: true,
      visibleGlobalOptions: (cmd: Command) => {
        const def = defs.get(cmd);
        const keys = [...ALWAYS_GLOBAL, ...(def?.uses ?? [])];
        return [...globalsByKey.entries()].filter(([key]) => keys.includes(key)).flatMap(([, options]) => options);
      },
    });
  for (const [key, def] of Object.entries(GLOBAL_OPTIONS) as [GlobalKey, (typeof GLOBAL_OPTIONS)[GlobalKey]][]) {
    const options = commanderOptions(def);
    globalsByKey.set(key, options);
    for (const option of options) program.addOption(option);
  }

  const wanted = firstWord(words);
  const known = TABLES.some((t) => t.commands.some((c) => c.name?.split(' ')[0] === wanted));
  for (const table of TABLES) {
    let noun: Command | undefined;
    for (const def of table.commands) {
      if (!def.name) continue;
      const [first, verb] = def.name.split(' ') as [string, string | undefined];
      if (known && first !== wanted) continue;
      let command: Command;
      if (verb === undefined) {
        command = nounCommand(program, first, def.summary);
        noun = command;
      } else {
        noun ??= nounCommand(program, first, table.summary);
        command = noun.command(verb).description(def.summary);
      }
      defs.set(command, def);
      addArguments(command, def.args);
      addOptions(command, def.options);
      command.action((...args: unknown[]) => {
        captured = { def, command, positional: args.slice(0, -2) };
      });
    }
  }

  try {
    program.parse([...words], { from: 'user' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return { kind: 'text', text: output.text };
    if (code === 'commander.help') throw missingVerb(words);
    if (typeof code === 'string' && code.startsWith('commander.')) throw usageError((error as Error).message, 'ssokit');
    throw error;
  }
  if (!captured) throw missingVerb(words);
  return {
    kind: 'command',
    def: captured.def,
    values: readValues(captured.command, captured.positional, captured.def.args, captured.def.options),
    globals: readGlobals(captured.command),
  };
}

/** A noun's command (`secret`), made once however many of its verbs are declared. */
function nounCommand(program: Command, name: string, summary: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(summary);
}

/** `ssokit` alone, or `ssokit secret` without a verb: one line naming what could follow. */
function missingVerb(words: readonly string[]): SsoError {
  const noun = firstWord(words);
  const verbs = TABLES.flatMap((t) => t.commands)
    .map((c) => c.name?.split(' ') ?? [])
    .filter(([first, verb]) => first === noun && verb !== undefined)
    .map(([, verb]) => verb!);
  if (noun === undefined || verbs.length === 0) {
    return new SsoError('USAGE', 'which command?', { hint: 'run ssokit --help for the list' });
  }
  return new SsoError('USAGE', `ssokit ${noun} needs a command: ${verbs.join(', ')}`, {
    hint: `run ssokit ${noun} --help`,
  });
}

/**
 * commander's message, as one line with the suggestion, if any, as the hint:
 * "error: unknown command 'secrt'\n(Did you mean secret?)".
 */
function usageError(message: string, tool: string, style: 'modern' | 'original' = 'modern'): SsoError {
  // An unknown `--option=value` is quoted whole by commander; the value may be a secret.
  const [first = '', ...rest] = message
    .replace(/^error: /, '')
    .replace(/'(-{1,2}[^'=\s]+)=[^']*'/g, "'$1=…'")
    .split('\n');
  if (/^unknown option '-{1,2}password(=…)?'$/i.test(first)) {
    return new SsoError('USAGE', first, {
      hint: 'a password is never given on the command line (every user of the machine can read it): use --password-file FILE ("-" for stdin), SSOKIT_PASSWORD_FILE or SSOKIT_PASSWORD',
    });
  }
  const suggestion = rest.join(' ').match(/\(Did you mean (.+)\?\)/);
  if (suggestion) return new SsoError('USAGE', first, { hint: `did you mean ${suggestion[1]}?` });
  const hint = style === 'original' ? `run ${tool} -help` : `run ${tool} --help, or add --help after the command`;
  return new SsoError('USAGE', first, { hint });
}

function readGlobals(command: Command): GlobalOptions {
  const parsed = command.optsWithGlobals() as Record<string, unknown>;
  const value = (key: GlobalKey) => readOption(GLOBAL_OPTIONS[key], parsed);
  const text = (key: GlobalKey) => {
    const v = value(key);
    return typeof v === 'string' ? v : undefined;
  };
  const flag = (key: GlobalKey) => {
    const v = value(key);
    return typeof v === 'boolean' ? v : undefined;
  };
  return {
    home: text('home'),
    db: text('db'),
    dbPasswordFile: text('dbPasswordFile'),
    nodeName: text('nodeName'),
    passwordFile: text('passwordFile'),
    json: flag('json'),
    color: flag('color'),
    yes: flag('yes'),
    debug: flag('debug'),
    service: text('service'),
  };
}

// ── the original syntax ────────────────────────────────────────────────────────────────

const ORIGINAL_OPTION = /^(-[A-Za-z?]+|\/\?)$/;

function parseOriginal(tool: OriginalTool, argv: readonly string[]): ParseResult {
  if (argv.includes('--version')) return { kind: 'text', text: `${tool} (ssokit ${ssokitVersion()})\n` };
  const index = argv.findIndex((word) => ORIGINAL_OPTION.test(word));
  const typed = index >= 0 ? argv[index]! : undefined;
  const commands = originalCommands(tool);
  if (typed === undefined) {
    if (argv.includes('--help')) return { kind: 'text', text: originalToolHelp(tool) };
    throw new SsoError('USAGE', `${tool} needs an option, such as -${commands[0]?.name ?? 'help'}`, {
      hint: `run ${tool} -help for the list`,
    });
  }
  const key = typed.replace(/^[-/]/, '').toLowerCase();
  if (key === 'help' || key === '?' || key === 'h') return { kind: 'text', text: originalToolHelp(tool) };
  if (key === 'version') return { kind: 'text', text: `${tool} (ssokit ${ssokitVersion()})\n` };
  const entry = commands.find((c) => c.name.toLowerCase() === key);
  if (!entry) {
    const near = nearest(
      key,
      commands.map((c) => c.name),
    ).map((name) => `-${name}`);
    throw new SsoError('USAGE', `unknown option ${typed} for ${tool}`, {
      hint: near.length ? `did you mean ${near.join(' or ')}?` : `run ${tool} -help for the list`,
    });
  }
  const rest = argv.filter((_, i) => i !== index);
  if (rest.some((word) => HELP_WORDS.has(word))) return { kind: 'text', text: originalCommandHelp(tool, entry) };

  let captured: Captured | undefined;
  const program = new Command(tool)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined })
    .helpCommand(false)
    .helpOption(false);
  for (const def of Object.values(GLOBAL_OPTIONS)) addOptions(program, [def]);
  const command = program.command(key).helpOption(false);
  addArguments(command, entry.def.args);
  addOptions(command, entry.def.options);
  if (entry.def.unsupported) command.allowUnknownOption().allowExcessArguments();
  command.action((...args: unknown[]) => {
    captured = { def: entry.def, command, positional: args.slice(0, -2) };
  });
  const words = [...argv];
  words[index] = key;
  try {
    program.parse(words, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      throw usageError((error as Error).message, tool, 'original');
    }
    throw error;
  }
  if (!captured) throw new SsoError('USAGE', `-${entry.name} was not understood`, { hint: `run ${tool} -help` });
  return {
    kind: 'command',
    def: captured.def,
    values: readValues(captured.command, captured.positional, captured.def.args, captured.def.options),
    globals: readGlobals(captured.command),
  };
}
