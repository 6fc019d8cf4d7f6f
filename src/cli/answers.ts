/**
 * Answers to the questions a command may ask. Every one has a non-interactive source, and
 * without a terminal a missing answer fails at once, naming the flag that supplies it.
 *
 * Passwords, in order: --password-file FILE (`-` reads stdin), SSOKIT_PASSWORD_FILE,
 * SSOKIT_PASSWORD, then a prompt on a terminal. There is deliberately no --password flag:
 * a command line is visible to every user of the machine.
 */

import { readFile } from 'node:fs/promises';
import { SsoError } from '../errors.js';
import { type CliIo, isInteractive, readAllStdin } from './io.js';
import type { Prompter } from './prompts.js';

/** Environment variables that answer prompts. */
export const ENV = {
  /** Path of a file holding a password (first line). */
  passwordFile: 'SSOKIT_PASSWORD_FILE',
  /** A password itself (for CI secrets stores that inject variables). */
  password: 'SSOKIT_PASSWORD',
  /** The reminder stored in a new backup. */
  reminder: 'SSOKIT_PASSWORD_REMINDER',
} as const;

export interface AnswerContext {
  io: CliIo;
  prompter: Prompter;
  passwordFile: string | undefined;
  out: { say(text: string): void };
  /** Caches stdin: it can be read once. */
  stdinCache?: { text?: string };
}

export interface PasswordRequest {
  message: string;
  /** Ask twice on a terminal (a new password). */
  confirm: boolean;
}

export async function obtainPassword(ctx: AnswerContext, request: PasswordRequest): Promise<string> {
  const file = ctx.passwordFile ?? nonEmpty(ctx.io.env[ENV.passwordFile]);
  if (file !== undefined) return firstLine(await readSecretSource(ctx, file));
  const fromEnv = ctx.io.env[ENV.password];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!isInteractive(ctx.io)) {
    throw new SsoError('INPUT_REQUIRED', 'a password is needed and there is no terminal to ask it on', {
      hint: `give it with --password-file FILE (or - for stdin), ${ENV.passwordFile} or ${ENV.password}`,
    });
  }
  for (;;) {
    const password = await ctx.prompter.password(request.message);
    if (!request.confirm) return password;
    const again = await ctx.prompter.password('Confirm password');
    if (again === password) return password;
    ctx.out.say('The passwords do not match; try again.');
  }
}

export async function obtainReminder(ctx: AnswerContext, flag: string | undefined): Promise<string> {
  const value = flag ?? ctx.io.env[ENV.reminder];
  if (value !== undefined) return value;
  if (!isInteractive(ctx.io)) {
    throw new SsoError('INPUT_REQUIRED', 'a password reminder is needed and there is no terminal to ask it on', {
      hint: `give it with --reminder TEXT or ${ENV.reminder} (an empty reminder is allowed)`,
    });
  }
  return ctx.prompter.input('Password reminder');
}

/**
 * Asks before something destructive. --yes answers it; without a terminal and without
 * --yes the command stops, naming the flag.
 */
export async function obtainConfirmation(
  ctx: AnswerContext,
  question: string,
  yes: boolean,
  flag = '--yes',
): Promise<void> {
  if (yes) return;
  if (!isInteractive(ctx.io)) {
    throw new SsoError('INPUT_REQUIRED', `confirmation needed: ${question}`, {
      hint: `add ${flag} to confirm without a terminal`,
    });
  }
  if (!(await ctx.prompter.confirm(question, false))) {
    throw new SsoError('CANCELLED', 'not confirmed; nothing was changed');
  }
}

async function readSecretSource(ctx: AnswerContext, source: string): Promise<string> {
  if (source === '-') {
    ctx.stdinCache ??= {};
    ctx.stdinCache.text ??= await readAllStdin(ctx.io);
    return ctx.stdinCache.text;
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SsoError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'IO_ERROR',
      `cannot read the password file ${source} (${code ?? 'error'})`,
    );
  }
}

/** A password file's first line, without its line ending. */
function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
