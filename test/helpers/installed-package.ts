/**
 * The package as a user gets it: `npm pack` of this checkout, installed with
 * `npm install -g --prefix` into a folder every OS user can read and traverse.
 *
 * One installation is kept per content: os.tmpdir()/ssokit-installed-<hash>, the hash
 * covering package.json, bin/ and every file under dist/src/ (plus the Node version and
 * architecture, since better-sqlite3 is compiled for them). Building better-sqlite3 takes a
 * minute or two, so a second run, and a second jest worker, reuse it: a lock folder makes
 * the workers take turns, and a marker file written last says an installation is complete.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { REPO_ROOT } from './cli.js';

export const TOOLS = ['ssokit', 'ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz'] as const;
export type Tool = (typeof TOOLS)[number];

export interface InstalledPackage {
  /** The npm prefix: `bin/<tool>` links and `lib/node_modules/ssokit`. */
  prefix: string;
  /** The tarball that was installed (kept in the cache folder, outside the prefix's bin and lib). */
  tarball: string;
  /** The installed executable of `tool`: PREFIX/bin/<tool>. */
  bin(tool: Tool): string;
}

/** Long enough for a cold install (better-sqlite3 compiled from source) on a slow machine. */
export const INSTALL_TIMEOUT_MS = 8 * 60_000;
const LOCK_WAIT_MS = INSTALL_TIMEOUT_MS + 60_000;
const COMPLETE = '.complete';

let pending: Promise<InstalledPackage> | undefined;

/** The installed package, packing and installing it first if this content has none yet. */
export function installedPackage(): Promise<InstalledPackage> {
  pending ??= install().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** The hash naming the cache folder: what goes into the tarball, and what it was built for. */
export function packageHash(): string {
  const hash = createHash('sha256');
  hash.update(`${process.version} ${process.platform} ${process.arch}\n`);
  const files = [
    'package.json',
    'binding.gyp',
    ...filesUnder('native'),
    ...filesUnder('bin'),
    ...filesUnder(join('dist', 'src')),
  ];
  for (const file of files) {
    const content = readFileSync(join(REPO_ROOT, file));
    hash.update(`${file}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex').slice(0, 16);
}

async function install(): Promise<InstalledPackage> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error(`${REPO_ROOT}/dist/src is not built: run \`npm run build\` (npm test does) first`);
  }
  const prefix = join(tmpdir(), `ssokit-installed-${packageHash()}`);
  const found = (): InstalledPackage => ({
    prefix,
    tarball: join(prefix, 'pack', readdirSync(join(prefix, 'pack')).find((f) => f.endsWith('.tgz'))!),
    bin: (tool) => join(prefix, 'bin', tool),
  });
  if (isComplete(prefix)) return found();
  const unlock = await lock(`${prefix}.lock`);
  try {
    if (isComplete(prefix)) return found();
    rmSync(prefix, { recursive: true, force: true }); // an attempt that did not finish
    mkdirSync(join(prefix, 'pack'), { recursive: true });
    await packAndInstall(prefix);
    makeReadableByAll(prefix);
    writeFileSync(join(prefix, COMPLETE), `${new Date().toISOString()}\n`, { mode: 0o644 });
    return found();
  } finally {
    unlock();
  }
}

async function packAndInstall(prefix: string): Promise<void> {
  const packDir = join(prefix, 'pack');
  // dist/ is already built (npm test builds it; the hash above is of it). prepack would run
  // `npm run build`, which deletes dist/ and compiles it again while the other jest worker
  // runs tests out of it; package.e2e.test.ts checks prepack on a copy of the checkout instead.
  await runNpm(['pack', '--ignore-scripts', '--pack-destination', packDir], REPO_ROOT);
  const tarballs = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${packDir}`);
  // A global install has no project package.json, so the package's own allowScripts does not
  // apply: --allow-scripts lets better-sqlite3 build its binding without npm 11's warning
  // (and without relying on npm still running unreviewed install scripts). The cache is
  // warm after `npm ci`, hence --prefer-offline; JOBS=max lets node-gyp use every core.
  // It runs outside the checkout so that the project's .npmrc and package.json play no part.
  await runNpm(
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      // ssokit's own install script builds the peer-credentials addon; npm names a tarball's
      // package by its file: spec.
      `--allow-scripts=better-sqlite3,file:${join(packDir, tarballs[0]!)}`,
      '--no-audit',
      '--no-fund',
      join(packDir, tarballs[0]!),
    ],
    packDir,
    { JOBS: 'max' },
  );
  for (const tool of TOOLS) {
    if (!existsSync(join(prefix, 'bin', tool))) throw new Error(`npm install made no ${prefix}/bin/${tool}`);
  }
}

/** What `npm test` exports to its children about this checkout, which must not steer the inner npm. */
export function npmEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const context =
      key.startsWith('npm_package_') ||
      key.startsWith('npm_lifecycle_') ||
      ['npm_command', 'npm_config_local_prefix', 'npm_config_prefix', 'npm_config_global_prefix', 'INIT_CWD'].includes(
        key,
      );
    if (!context) env[key] = value;
  }
  // npm's bin/ scripts and better-sqlite3's build must use the node running the tests.
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

/** Runs npm as from a shell (see npmEnv); resolves with its output, rejects with it. */
export function runNpm(args: string[], cwd: string, extra: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: npmEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (status === 0) resolve(output);
      else reject(new Error(`npm ${args.join(' ')} (in ${cwd}) ended with ${signal ?? status}:\n${output}`));
    });
  });
}

/**
 * A complete installation that this user made and nobody else can have changed: the folder
 * sits in a world-writable temp dir under a name anyone can guess, and root runs what is in it.
 */
function isComplete(prefix: string): boolean {
  if (!existsSync(join(prefix, COMPLETE))) return false;
  for (const path of [prefix, join(prefix, 'bin'), join(prefix, 'lib'), join(prefix, COMPLETE)]) {
    const stat = lstatSync(path);
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0 || stat.isSymbolicLink()) {
      throw new Error(`${path} is not this user's, or others may write to it: remove ${prefix} and run again`);
    }
  }
  return true;
}

/** 0755 folders, a+r files (a+x where the owner has x): other OS users run the tools from here. */
function makeReadableByAll(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, (stat.mode & 0o7777 & ~0o022) | 0o755);
    for (const entry of readdirSync(path)) makeReadableByAll(join(path, entry));
  } else {
    chmodSync(path, (stat.mode & 0o7777 & ~0o022) | 0o444 | (stat.mode & 0o100 ? 0o111 : 0));
  }
}

/** mkdir as a lock, with the holder's pid inside; a lock whose holder has died is taken over. */
async function lock(path: string): Promise<() => void> {
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(path, { mode: 0o700 });
      writeFileSync(join(path, 'holder'), `${process.pid}\n`);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (holderIsGone(path)) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${path} (remove it if no test run holds it)`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function holderIsGone(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(path, 'holder'), 'utf8'));
  } catch {
    // Just made, holder not written yet; or made by a run that died at once: old enough, gone.
    try {
      return Date.now() - statSync(path).mtimeMs > 60_000;
    } catch {
      return false; // released meanwhile
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function filesUnder(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(REPO_ROOT, path));
    }
  };
  walk(join(REPO_ROOT, folder));
  return out;
}
