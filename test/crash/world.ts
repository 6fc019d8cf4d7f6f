/**
 * The starting worlds of the crash trials: each scenario's homes, store and input files,
 * built once (in-process, by the real core functions) and copied for every trial.
 */

import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { newSystem, PASSWORD, seedCredentials } from '../helpers/system.js';
import { appXml, mappingXml } from '../helpers/xml.js';

export const PASSWORD_FILE = 'pw';

/** Runs a built binary to completion in `dir` (for building worlds); throws on failure. */
export function runTool(dir: string, tool: string, args: string[]): string {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', `${tool}.js`), ...args], {
    cwd: dir,
    env: testEnv(),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** A master secret server `alpha` with `apps` applications of `perApp` credentials each. */
export async function secretServerWorld(dir: string, apps: number, perApp: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PASSWORD_FILE), `${PASSWORD}\n`, { mode: 0o600 });
  const sys = await newSystem(dir, 'alpha');
  await seedCredentials(sys.ctx, apps, perApp);
  await sys.ctx.store.close();
}

export function appsFile(dir: string, count: number): void {
  writeFileSync(join(dir, 'apps.xml'), appXml(Array.from({ length: count }, (_, i) => ({ name: `Crash${i}` }))));
}

export function mappingsFile(dir: string, apps: number, perApp: number): void {
  const rows: [string, string, string, string][] = [];
  for (let a = 0; a < apps; a++)
    for (let m = 0; m < perApp; m++) rows.push(['CORP', `crash${m}`, `App${a}`, `EXT${m}`]);
  writeFileSync(join(dir, 'mappings.xml'), mappingXml(rows));
}

/** A file of `mib` MiB (a repeated pattern, not zeros), written 1 MiB at a time. */
export function largeFile(path: string, mib: number): void {
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = openSync(path, 'w', 0o600);
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32LE(i, 0);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
}

/** A business server `web1` with one business system and its bundle, ready to import elsewhere. */
export function cloneWorld(dir: string, destinationExists: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PASSWORD_FILE), 'crash-password-1\n', { mode: 0o600 });
  runTool(dir, 'ssokit', [
    '--home',
    'web1',
    '--node-name',
    'web1',
    'init',
    '--backup',
    'web.bak',
    '--reminder',
    'r',
    '--password-file',
    PASSWORD_FILE,
  ]);
  writeFileSync(join(dir, 'httpd.conf'), 'Listen 443\n'.repeat(20_000));
  runTool(dir, 'ssokit', [
    '--home',
    'web1',
    'bizsys',
    'add',
    'shop',
    '--public-url',
    'https://shop.example.com',
    '--path',
    '/shop',
    '--file',
    'web-config=httpd.conf',
  ]);
  runTool(dir, 'ssocloneaz', ['-p', '-f', 'web1.bundle', '--home', 'web1', '--password-file', PASSWORD_FILE]);
  if (destinationExists) mkdirSync(join(dir, 'web2'), { mode: 0o700 });
}

export function copyWorld(template: string, trial: string): void {
  cpSync(template, trial, { recursive: true, preserveTimestamps: true });
}
