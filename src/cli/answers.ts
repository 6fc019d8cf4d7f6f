/**
 * Answers to the questions a command may ask. Every one has a non-interactive source, and
 * without a terminal a missing answer fails at once, naming the flag that supplies it.
 *
 * Passwords, in order: --password-file FILE (`-` reads stdin), SSOKIT_PASSWORD_FILE,
 * SSOKIT_PASSWORD, then a prompt on a terminal. There is deliberately no --password flag:
 * a command line is visible to every user of the machine.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { reminderProblem } from '../core/secret/index.js';
import { SsoError } from '../errors.js';
import { callerFiles } from '../node/caller-files.js';
import { ioError, openRegularFile } from '../node/private-files.js';
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
  out: { say(text: string): void; warn(text: string): void };
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
  if (file !== undefined) {
    const password = firstLine(await readSecretSource(ctx, file));
    if (password === '') {
      throw new SsoError('INVALID_INPUT', `the password file ${file === '-' ? '(stdin)' : file} is empty`, {
        hint: 'write the password on its first line',
      });
    }
    return password;
  }
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

/**
 * The reminder for a new backup. At a terminal, one that holds the password is refused and
 * asked again, and the prompt is erased once answered, so a password typed there by
 * mistake does not stay on the screen.
 */
export async function obtainReminder(ctx: AnswerContext, flag: string | undefined, password: string): Promise<string> {
  const value = flag ?? ctx.io.env[ENV.reminder];
  if (value !== undefined) return value;
  if (!isInteractive(ctx.io)) {
    throw new SsoError('INPUT_REQUIRED', 'a password reminder is needed and there is no terminal to ask it on', {
      hint: `give it with --reminder TEXT or ${ENV.reminder} (an empty reminder is allowed)`,
    });
  }
  const reminder = await ctx.prompter.input('Password reminder', {
    validate: (text) => reminderProblem(password, text) ?? true,
    erase: true,
  });
  ctx.out.say(`Password reminder : ${reminder || '(none)'}`);
  return reminder;
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
  const { text, mode } = readPasswordFile(source);
  if (mode !== null && (mode & 0o077) !== 0) {
    ctx.out.warn(`${source} holds a password and group or others can read it: chmod 600 ${source}`);
  }
  return text;
}

/**
 * A password file, or a pipe (`--password-file <(pass show sso)` is a fair use, as `-` is):
 * read up to a cap, so a device such as /dev/zero fails instead of reading for ever.
 * The mode is that of a regular file, for the permissions warning.
 */
function readPasswordFile(source: string): { text: string; mode: number | null } {
  const sent = sentPasswordFile(source);
  if (sent) return sent;
  let fd: number;
  try {
    fd = openSync(source, 'r');
  } catch (error) {
    throw ioError(`cannot read the password file ${source}`, error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() && !stat.isFIFO() && !stat.isCharacterDevice()) {
      throw new SsoError('INVALID_INPUT', `the password file ${source} is not a file or a pipe`);
    }
    // Sequential reads (no position): a pipe cannot seek.
    const buffer = Buffer.alloc(PASSWORD_FILE_MAX_BYTES + 1);
    let total = 0;
    for (let n = 1; n > 0 && total < buffer.length; total += n) {
      n = readSync(fd, buffer, total, buffer.length - total, null);
    }
    if (total > PASSWORD_FILE_MAX_BYTES) {
      throw new SsoError(
        'INVALID_INPUT',
        `${source} holds more than a password file can (${PASSWORD_FILE_MAX_BYTES} bytes)`,
      );
    }
    return { text: buffer.subarray(0, total).toString('utf8'), mode: stat.isFile() ? stat.mode : null };
  } finally {
    closeSync(fd);
  }
}

/**
 * Through the SSO service, the password file (a pipe too) is what the CLI read as its
 * caller; a path it did not send is refused as openRegularFile refuses one.
 */
function sentPasswordFile(source: string): { text: string; mode: number | null } | null {
  const files = callerFiles();
  if (!files || (!files.owns(source) && !files.foreign(source))) return null;
  const fd = openRegularFile(source, 'the password file');
  try {
    const stat = fstatSync(fd);
    const buffer = Buffer.alloc(Math.min(stat.size, PASSWORD_FILE_MAX_BYTES + 1));
    const total = buffer.length === 0 ? 0 : readSync(fd, buffer, 0, buffer.length, 0);
    if (total > PASSWORD_FILE_MAX_BYTES) {
      throw new SsoError(
        'INVALID_INPUT',
        `${source} holds more than a password file can (${PASSWORD_FILE_MAX_BYTES} bytes)`,
      );
    }
    return { text: buffer.subarray(0, total).toString('utf8'), mode: stat.mode };
  } finally {
    closeSync(fd);
  }
}

/** A password file holds one line; anything this large is not one. */
const PASSWORD_FILE_MAX_BYTES = 64 * 1024;

/** A password file's first line, without its line ending. */
function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
