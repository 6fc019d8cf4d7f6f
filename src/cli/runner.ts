/**
 * Runs one invocation: parses the command line against the table, builds the session from
 * the global options, runs the command's handler, turns every failure into one rendered
 * error and one exit status, and closes what was opened.
 */

import { resolve } from 'node:path';
import { ERROR_CODES, isSsoError, SsoError } from '../errors.js';
import { homePaths, resolveHomeDir } from '../node/home.js';
import type { CliIo } from './io.js';
import { Output, PLAIN, painterFor, type Style } from './output.js';
import type { Prompter } from './prompts.js';
import { ENV_VARS, type ForCaller, Session, wantsColor } from './session.js';
import type { CommandDef, ParsedValue, ParsedValues, ToolName } from './table/define.js';
import { fileValueKeys } from './table/file-values.js';
import { type GlobalOptions, parseCommandLine } from './table/parse.js';
import { tableSpeller } from './table/spelling.js';
import { isLocalCommand, runThroughService, serviceTarget } from './through-service.js';

/** How the SSO service runs a command for a caller (run-command.ts); absent for a command line. */
export interface ServiceRun extends ForCaller {
  /** The caller's working folder: relative file names are theirs. */
  cwd: string;
}

export async function runCommandLine(
  tool: ToolName,
  argv: readonly string[],
  io: CliIo,
  prompter?: Prompter,
  serviceRun?: ServiceRun,
): Promise<number> {
  const style: Style = tool === 'ssokit' ? 'modern' : 'legacy';
  const speller = tableSpeller(tool);
  let session: Session | undefined;
  let command: CommandDef | undefined;
  const debug = () => Boolean(session?.globals.debug) || argv.includes('--debug');
  try {
    const parsed = parseCommandLine(tool, argv);
    if (parsed.kind === 'text') {
      new Output(io, { tool, style, json: false, speller }).raw(parsed.text);
      return 0;
    }
    const paint = await painterFor(wantsColor(io, parsed.globals.color));
    if (serviceRun) {
      refuseInService(parsed.def, parsed.globals);
      Object.assign(parsed, absoluteFiles(parsed, serviceRun.cwd));
    } else {
      const target = serviceTarget(parsed.def, parsed.globals, io.env, homeSocket(parsed.globals, io.env));
      if (target) {
        const status = await runThroughService(target, tool, argv, parsed, io);
        if (status !== null) return status;
      }
    }
    session = new Session(io, tool, style, parsed.globals, paint, speller, prompter, serviceRun);
    for (const notice of session.notices) session.out.warn(notice);
    command = parsed.def;
    await parsed.def.run(session, parsed.values);
    await afterSuccess(session);
    return 0;
  } catch (error) {
    const ctx = session?.openedStore;
    if (ctx && command && isSsoError(error)) {
      const { auditDenial } = await import('../core/shared/index.js');
      await auditDenial(ctx, error, operationName(command, tool));
    }
    // A command line that did not parse still answers in JSON when --json was on it.
    const out = session?.out ?? new Output(io, { tool, style, json: argv.includes('--json'), speller }, PLAIN);
    return renderFailure(out, error, debug());
  } finally {
    await session?.close().catch(() => undefined);
  }
}

function homeSocket(globals: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return homePaths(resolveHomeDir(globals.home, env[ENV_VARS.home])).serviceSocket;
}

/** In the service, the store and home are the service's: a command line may not choose them. */
function refuseInService(def: CommandDef, globals: GlobalOptions): void {
  if (globals.db !== undefined || globals.dbPasswordFile !== undefined || globals.service !== undefined) {
    throw new SsoError('USAGE', 'through the SSO service, the service chooses the store');
  }
  if (isLocalCommand(def)) {
    throw new SsoError('USAGE', 'this command works on the machine itself and does not run through the SSO service', {
      hint: "run it as the service's OS user, without the service",
    });
  }
}

/** The file names of the command line, resolved in the caller's working folder. */
function absoluteFiles(parsed: { def: CommandDef; values: ParsedValues; globals: GlobalOptions }, cwd: string) {
  const absolute = (value: string) => (value === '-' ? value : resolve(cwd, value));
  const values: Record<string, ParsedValue> = { ...parsed.values };
  for (const key of fileValueKeys(parsed.def)) {
    const value = values[key];
    if (typeof value === 'string') values[key] = absolute(value);
    else if (Array.isArray(value)) values[key] = value.map(absolute);
  }
  // The service's home, whatever the command line said: SSOKIT_HOME in the run's environment.
  const globals = { ...parsed.globals, home: undefined };
  if (globals.passwordFile !== undefined) globals.passwordFile = absolute(globals.passwordFile);
  return { values, globals };
}

/** How the audit names a command: `secret-backup`, `app-list`, `ssoclient-listapps`. */
function operationName(def: CommandDef, tool: ToolName): string {
  const name = def.name ?? def.sameAs;
  if (name) return name.replaceAll(' ', '-');
  return `${tool}-${def.original.find((o) => o.tool === tool)?.name.toLowerCase() ?? 'command'}`;
}

/** After a successful command: the reminders every command repeats (event 10589). */
async function afterSuccess(session: Session): Promise<void> {
  for (const { path, kdf } of session.weakFiles) {
    session.out.warn(
      `${path} was written with scrypt N=2^${kdf.log2N}, below the production cost, because SSOKIT_TEST_WEAK_KDF is set: it is fit for tests only`,
    );
  }
  const ctx = session.openedStore;
  if (!ctx) return;
  const { secretWarnings } = await import('../core/secret/index.js');
  for (const warning of await secretWarnings(ctx).catch(() => [])) session.out.warn(warning);
}

/** Renders a failure and returns its exit status. */
function renderFailure(out: Output, error: unknown, debug: boolean): number {
  if (isSsoError(error)) {
    out.error(error);
    if (debug && error.stack) out.trace(error.stack);
    return error.exitStatus;
  }
  const internal = new SsoError('INTERNAL', `internal error: ${(error as Error)?.message ?? String(error)}`, {
    hint: 'this is a bug in ssokit; please report it with the output of the same command run with --debug',
  });
  out.error(internal);
  if (debug) out.trace((error as Error)?.stack ?? String(error));
  return ERROR_CODES.INTERNAL.exit;
}
