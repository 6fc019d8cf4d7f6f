/**
 * Runs one invocation: builds the session from the parsed global options, turns every
 * failure into one rendered error and one exit status, and closes what was opened.
 */

import { ERROR_CODES, isSsoError, SsoError } from '../errors.js';
import type { Command } from './commander.js';
import type { CliIo } from './io.js';
import { Output, PLAIN, painterFor, type Style } from './output.js';
import type { Prompter } from './prompts.js';
import { type GlobalOptions, Session, wantsColor } from './session.js';

export type CommandAction = (session: Session, ...args: any[]) => Promise<void>;

export class Runner {
  session: Session | undefined;

  constructor(
    readonly io: CliIo,
    readonly tool: string,
    readonly style: Style,
    readonly argv: readonly string[],
    private readonly prompter?: Prompter,
  ) {}

  /**
   * Wraps a command implementation for commander: the last two arguments commander passes
   * are the command's options and the Command itself.
   */
  action(load: () => Promise<CommandAction>): (...args: unknown[]) => Promise<void> {
    return async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const positional = args.slice(0, -2);
      const session = await this.startSession(command.optsWithGlobals() as GlobalOptions);
      const run = await load();
      await run(session, ...positional, command.opts());
    };
  }

  async startSession(globals: GlobalOptions): Promise<Session> {
    const paint = await painterFor(wantsColor(this.io, globals.color));
    this.session = new Session(this.io, this.tool, this.style, globals, paint, this.prompter);
    return this.session;
  }

  /** After a successful command: the reminders every command repeats (event 10589). */
  async afterSuccess(): Promise<void> {
    const ctx = this.session?.openedStore;
    if (!ctx) return;
    const { secretWarnings } = await import('../core/secret/index.js');
    for (const warning of await secretWarnings(ctx).catch(() => [])) this.session!.out.warn(warning);
  }

  /** Renders a failure and returns its exit status. */
  fail(error: unknown): number {
    const out = this.session?.out ?? this.fallbackOutput();
    const commanderCode = (error as { code?: string }).code;
    if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(commanderCode)) return 0;
      const message = String((error as Error).message).replace(/^error: /, '');
      const hint =
        this.style === 'legacy' ? `run ${this.tool} -help` : `run ${this.tool} --help, or add --help after the command`;
      out.error(new SsoError('USAGE', message, { hint }));
      return ERROR_CODES.USAGE.exit;
    }
    if (isSsoError(error)) {
      out.error(error);
      if (this.debug) this.io.stderr.write(`${error.stack}\n`);
      return error.exitStatus;
    }
    const internal = new SsoError('INTERNAL', `internal error: ${(error as Error)?.message ?? String(error)}`, {
      hint: 'this is a bug in ssokit; please report it with the output of the same command run with --debug',
    });
    out.error(internal);
    if (this.debug) this.io.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return internal.exitStatus;
  }

  async close(): Promise<void> {
    await this.session?.close().catch(() => undefined);
  }

  get debug(): boolean {
    return Boolean(this.session?.globals.debug) || this.argv.includes('--debug');
  }

  /** Errors before a session exists (command-line parsing) are printed plainly. */
  private fallbackOutput(): Output {
    return new Output(this.io, { tool: this.tool, style: this.style, json: false }, PLAIN);
  }
}
