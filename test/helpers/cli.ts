import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from './fast-deps.js';

/** The repository root: this file runs as dist/test/helpers/cli.js. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
}

/** Runs a built binary (bin/<tool>.js) as a separate process, without a terminal. */
export function runCli(tool: string, args: string[], options: CliOptions = {}): CliResult {
  return spawnCli(process.execPath, [resolve(REPO_ROOT, 'bin', `${tool}.js`), ...args], options);
}

/** Runs `command` with the test environment and no terminal; returns status and output. */
export function spawnCli(command: string, args: string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: testEnv(options.env),
    input: options.stdin ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The same as runCli, but without waiting: for commands that must run at the same time. */
export function runCliAsync(tool: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin', `${tool}.js`), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: testEnv(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.end(options.stdin ?? '');
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status: status ?? -1, stdout, stderr }));
  });
}
