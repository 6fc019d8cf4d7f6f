/**
 * The CLI as a client of the node's SSO service. When the service runs (its socket answers
 * in the home, or --service / SSOKIT_SERVICE names one), a command is run by the service,
 * as the caller the kernel names there: the CLI sends the command line, its working
 * folder and the files the command names (read with the caller's own permissions), shows
 * what the service printed, and writes the files the command produced as the caller.
 * With no service, the CLI works on the store itself, as it always has.
 */

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { SsoError } from '../errors.js';
import { writeFileAtomic } from '../node/private-files.js';
import { SsoClient } from '../service/client.js';
import { type CliIo, readAllStdin } from './io.js';
import type { CommandDef, ParsedValues, ToolName } from './table/define.js';
import { namedFiles } from './table/file-values.js';
import type { GlobalOptions } from './table/parse.js';

/** Commands that work on this machine itself, or make the store: never through the service. */
const LOCAL_COMMANDS = new Set([
  'setup',
  'init',
  'join',
  'db backup',
  'db restore',
  'db copy',
  'clone',
  'clone export',
  'clone import',
  'clone inspect',
  'bizsys add',
  'bizsys list',
  'bizsys show',
  'bizsys update',
  'bizsys remove',
  'service run',
  'service status',
  // A backup must be on disk before the store says it was made: the service hands a
  // command's files back only when the command is done, so these run as the service account.
  'secret backup',
  'secret rotate',
]);

/** Environment variables the service honours for the command it runs for the CLI (run-command.ts). */
export const FORWARDED_ENV: readonly string[] = [
  'NO_COLOR',
  'SSOKIT_PASSWORD',
  'SSOKIT_PASSWORD_FILE',
  'SSOKIT_PASSWORD_REMINDER',
  'SSOKIT_FIELDS_FILE',
  'SSOKIT_KDF_LOG2N',
  'SSOKIT_TEST_WEAK_KDF',
];

/** Of those, the ones that name a file (resolved in the caller's working folder). */
export const ENV_FILES: readonly string[] = ['SSOKIT_PASSWORD_FILE', 'SSOKIT_FIELDS_FILE'];

/** The most the CLI sends of one file: larger inputs are refused by the commands anyway. */
const MAX_SENT_BYTES = 256 * 1024 * 1024;

export interface ServiceTarget {
  socket: string;
  /** Named by --service or SSOKIT_SERVICE: a service that does not answer is an error. */
  explicit: boolean;
}

/** A command that never runs through the service. */
export function isLocalCommand(def: CommandDef): boolean {
  return (
    def.unsupported ||
    LOCAL_COMMANDS.has(def.name ?? def.sameAs ?? '') ||
    def.original.some((o) => o.tool === 'ssocloneaz')
  );
}

/** Where this command should go: the service's socket, or null to run it here. */
export function serviceTarget(
  def: CommandDef,
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv,
  homeSocket: string,
): ServiceTarget | null {
  if (isLocalCommand(def)) return null;
  const named = globals.service ?? (env.SSOKIT_SERVICE || undefined);
  if (named) return { socket: named, explicit: true };
  try {
    if (lstatSync(homeSocket).isSocket()) return { socket: homeSocket, explicit: false };
  } catch {
    // No socket: no service on this node.
  }
  return null;
}

/** What the CLI sends of one file its caller named. */
export interface SentFile {
  path: string;
  kind: 'file' | 'missing' | 'denied' | 'folder' | 'other';
  data?: string;
  mode?: number;
}

interface RunAnswer {
  status: number;
  stdout: string;
  stderr: string;
  writes: { path: string; data: string; mode: number; overwrite: boolean }[];
}

/**
 * Runs the command through the service; null when an implicit service did not answer
 * (a socket left by a stopped service), so the command runs here instead.
 */
export async function runThroughService(
  target: ServiceTarget,
  tool: ToolName,
  argv: readonly string[],
  parsed: { def: CommandDef; values: ParsedValues; globals: GlobalOptions },
  io: CliIo,
): Promise<number | null> {
  if (parsed.globals.db !== undefined || parsed.globals.dbPasswordFile !== undefined) {
    throw new SsoError('USAGE', 'through the SSO service, the service chooses the store', {
      hint: 'run the command without --db and --db-password-file, or stop the service to work on the store directly',
    });
  }
  const cwd = process.cwd();
  const paths = namedFiles(parsed.def, parsed.values, parsed.globals);
  for (const name of ENV_FILES) {
    const value = io.env[name];
    if (value) paths.push(value);
  }
  const files = [...new Set(paths.filter((p) => p !== '-').map((p) => resolve(cwd, p)))].map(readForCaller);
  const stdin = paths.includes('-') ? await readAllStdin(io) : null;
  const env = Object.fromEntries(FORWARDED_ENV.flatMap((name) => (io.env[name] ? [[name, io.env[name]]] : [])));
  const client = new SsoClient({ socket: target.socket, timeoutMs: 15 * 60_000 });
  let answer: RunAnswer;
  try {
    // Only a service that does not answer at all lets the command run here instead; one that
    // refuses the request has said no.
    await client.connect();
  } catch (error) {
    client.close();
    if (error instanceof SsoError && error.code === 'NO_SSO_SERVICE' && !target.explicit) return null;
    throw error;
  }
  try {
    answer = (await client.call('run', {
      tool,
      argv: withoutServiceOptions(argv),
      cwd,
      env,
      files,
      stdin,
      tty: { stdout: Boolean(io.stdout.isTTY), columns: io.stdout.columns ?? null },
    })) as RunAnswer;
  } finally {
    client.close();
  }
  for (const write of answer.writes) {
    await writeFileAtomic(write.path, Buffer.from(write.data, 'base64'), {
      overwrite: write.overwrite,
      mode: write.mode,
    });
  }
  io.stdout.write(answer.stdout);
  io.stderr.write(answer.stderr);
  return answer.status;
}

/** The command line without --service (and --home, which found it): the service chooses its own. */
function withoutServiceOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--service' || token === '--home') {
      i++;
      continue;
    }
    if (token.startsWith('--service=') || token.startsWith('--home=')) continue;
    out.push(token);
  }
  return out;
}

/** A named file as its caller may read it: O_NONBLOCK, so a FIFO cannot stall the CLI. */
function readForCaller(path: string): SentFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, kind: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') return { path, kind: 'denied' };
    return { path, kind: 'other' };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { path, kind: 'folder' };
    // A pipe (--password-file <(…)) is read as its content; a device or socket is refused there.
    if (!stat.isFile() && !stat.isFIFO()) return { path, kind: 'other' };
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(1 << 20);
    for (let n = 1; n > 0; total += n) {
      if (total > MAX_SENT_BYTES) {
        throw new SsoError('INVALID_INPUT', `${path} is larger than the CLI sends to the SSO service (256 MiB)`);
      }
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw error;
      }
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return {
      path,
      kind: 'file',
      data: Buffer.concat(chunks).toString('base64'),
      mode: stat.isFile() ? stat.mode & 0o7777 : 0o600,
    };
  } finally {
    closeSync(fd);
  }
}
