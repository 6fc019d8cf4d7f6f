/**
 * The `run` operation: a CLI command run by the service for its caller, through the CLI's
 * own runner, so its output, exit status and audit rows are the ones the command gives
 * without the service. The caller is the one the kernel named; the files are the ones the
 * caller's CLI sent (node/caller-files.ts); what the command prints and writes goes back.
 */

import { promises as fs } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo, TextSink } from '../cli/io.js';
import { runCommandLine } from '../cli/runner.js';
import type { ToolName } from '../cli/table/define.js';
import { parseCommandLine } from '../cli/table/parse.js';
import { ENV_FILES, FORWARDED_ENV } from '../cli/through-service.js';
import { auditDenial, requireRole, roleCheck } from '../core/shared/index.js';
import { isSsoError, SsoError } from '../errors.js';
import { type CallerFileState, CallerFiles, withCallerFiles } from '../node/caller-files.js';
import type { Peer, Request } from './local-api.js';
import type { ServiceState } from './operations.js';

const TOOLS: readonly ToolName[] = ['ssokit', 'ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz'];
const FORWARDED = new Set(FORWARDED_ENV);
const NAMES_A_FILE = new Set(ENV_FILES);

export interface RunAnswer {
  status: number;
  stdout: string;
  stderr: string;
  writes: { path: string; data: string; mode: number; overwrite: boolean }[];
}

export async function runForCaller(state: ServiceState, peer: Peer, request: Request): Promise<RunAnswer> {
  const tool = request.tool as ToolName;
  if (!TOOLS.includes(tool)) throw new SsoError('INVALID_INPUT', 'the request names no ssokit tool');
  const argv = request.argv;
  if (!Array.isArray(argv) || argv.length > 1000 || !argv.every((a) => typeof a === 'string')) {
    throw new SsoError('INVALID_INPUT', 'the request needs "argv", a list of strings');
  }
  const cwd = request.cwd;
  if (typeof cwd !== 'string' || !isAbsolute(cwd))
    throw new SsoError('INVALID_INPUT', 'the request needs "cwd", an absolute path');
  const env: NodeJS.ProcessEnv = {
    SSOKIT_HOME: state.node.paths.root,
    ...(state.storeOverride ? { SSOKIT_DB: state.storeOverride } : {}),
  };
  if (typeof request.env === 'object' && request.env !== null) {
    for (const [name, value] of Object.entries(request.env)) {
      if (!FORWARDED.has(name) || typeof value !== 'string') continue;
      env[name] = NAMES_A_FILE.has(name) ? resolve(cwd, value) : value;
    }
  }
  await requireOwnerOrAdmin(state, peer, tool, argv as string[]);
  const sent = sentFiles(request.files);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sink = (chunks: string[], tty: boolean): TextSink => ({
    write: (text: string) => chunks.push(String(text)),
    isTTY: tty,
  });
  const tty = (request.tty ?? {}) as { stdout?: unknown; columns?: unknown };
  const io: CliIo = {
    stdout: { ...sink(stdout, false), ...(typeof tty.columns === 'number' ? { columns: tty.columns } : {}) },
    stderr: sink(stderr, false),
    stdin: Object.assign(Readable.from(typeof request.stdin === 'string' ? [Buffer.from(request.stdin)] : []), {
      isTTY: false,
    }),
    env,
  };
  const staging = await fs.mkdtemp(join(state.node.paths.root, '.run-'));
  try {
    const files = new CallerFiles(sent, staging, state.node.paths.root);
    const status = await withCallerFiles(files, () =>
      runCommandLine(tool, argv as string[], io, undefined, {
        caller: peer.caller,
        masterSecrets: state.isSecretServer() ? undefined : state.cache,
        sso: state.sso,
        cwd,
      }),
    );
    return {
      status,
      stdout: stdout.join(''),
      stderr: stderr.join(''),
      // Only what the command committed: a failed command writes nothing for its caller.
      writes: files.writes.map((w) => ({
        path: w.path,
        data: w.data.toString('base64'),
        mode: w.mode,
        overwrite: w.overwrite,
      })),
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Commands whose authority without the service is the home's file permissions (node
 * settings, the store's TLS mode, the node check): through the service, the service's own
 * account or an SSO administrator.
 */
const OWNER_COMMANDS = new Set(['get', 'set', 'db ssl', 'check']);

async function requireOwnerOrAdmin(state: ServiceState, peer: Peer, tool: ToolName, argv: string[]): Promise<void> {
  if (peer.uid === process.getuid?.()) return;
  const parsed = parseCommandLine(tool, argv);
  if (parsed.kind !== 'command') return;
  const name = parsed.def.name ?? parsed.def.sameAs ?? '';
  if (!OWNER_COMMANDS.has(name)) return;
  const ctx = state.contextFor(peer.caller);
  try {
    requireRole(await roleCheck(ctx), 'sso-admin', `${name} on this node`);
  } catch (error) {
    if (isSsoError(error)) await auditDenial(ctx, error, name.replaceAll(' ', '-'));
    throw error;
  }
}

function sentFiles(files: unknown): Map<string, CallerFileState> {
  const sent = new Map<string, CallerFileState>();
  if (!Array.isArray(files)) return sent;
  for (const file of files.slice(0, 64)) {
    if (typeof file !== 'object' || file === null) continue;
    const { path, kind, data, mode } = file as { path?: unknown; kind?: unknown; data?: unknown; mode?: unknown };
    if (typeof path !== 'string' || !isAbsolute(path)) continue;
    if (kind === 'file' && typeof data === 'string') {
      sent.set(path, {
        kind: 'file',
        data: Buffer.from(data, 'base64'),
        mode: typeof mode === 'number' ? mode : 0o600,
      });
    } else if (kind === 'missing' || kind === 'denied') {
      sent.set(path, { kind });
    } else if (kind === 'folder' || kind === 'other') {
      sent.set(path, { kind: 'not-regular', what: kind === 'folder' ? 'folder' : 'other' });
    }
  }
  return sent;
}
