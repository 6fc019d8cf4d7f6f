/**
 * Where an import builds the new environment, and how it takes its place.
 *
 * The staging folder is on the home's file system, so moving it in is a rename:
 * - a home that does not exist yet: staging is `<parent>/.<home>.import-<pid>-<hex>`, and
 *   one rename makes it the home;
 * - a home that exists (empty, or replaced with --force): staging is
 *   `<home>/.import-<pid>-<hex>`, and the environment's items (bizsys/, secret/, node.json
 *   last) are swapped in one rename each. Everything else in the home — backups, a store
 *   file — stays. What the import replaced is set aside in `<home>/replaced-<time>/`; a
 *   failed rename puts back what had moved.
 *
 * An import that dies leaves only its hidden staging folder; the next import removes it.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SsoError } from '../errors.js';
import { ioError, syncDirectory } from '../node/private-files.js';

/** The parts of a home an environment is made of, in the order they are swapped in. */
export const ENVIRONMENT_ITEMS = ['bizsys', 'secret', 'node.json'] as const;

export interface Staging {
  dir: string;
  /** The home existed (so staging is inside it and the swap is item by item). */
  homeExisted: boolean;
}

type Rename = (from: string, to: string) => Promise<void>;

function stagingPattern(home: string): { inside: RegExp; beside: RegExp } {
  const escaped = basename(home).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { inside: /^\.import-(\d+)-[0-9a-f]+$/, beside: new RegExp(`^\\.${escaped}\\.import-(\\d+)-[0-9a-f]+$`) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes staging folders left by imports that died; refuses while another import into the
 * same home is running.
 */
export async function clearStaleStaging(home: string): Promise<void> {
  const { inside, beside } = stagingPattern(home);
  const found: string[] = [];
  for (const [dir, pattern] of [
    [home, inside],
    [dirname(home), beside],
  ] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = pattern.exec(name);
      if (!match) continue;
      const pid = Number(match[1]);
      if (pid !== process.pid && alive(pid)) {
        throw new SsoError('CONFLICT', `another import into ${home} is running (process ${pid})`, {
          hint: `wait for it to finish; if no such import is running, remove ${join(dir, name)}`,
        });
      }
      found.push(join(dir, name));
    }
  }
  await Promise.all(found.map((dir) => fs.rm(dir, { recursive: true, force: true })));
}

export async function createStaging(home: string): Promise<Staging> {
  await clearStaleStaging(home);
  const name = `import-${process.pid}-${randomBytes(6).toString('hex')}`;
  const homeExisted = existsSync(home);
  if (homeExisted && !statSync(home).isDirectory()) throw new SsoError('INVALID_INPUT', `the home ${home} is not a folder`);
  const dir = homeExisted ? join(home, `.${name}`) : join(dirname(home), `.${basename(home)}.${name}`);
  try {
    if (!homeExisted) await fs.mkdir(dirname(home), { recursive: true });
    await fs.mkdir(dir, { mode: 0o700 });
  } catch (error) {
    throw ioError(`cannot create the staging folder ${dir}`, error);
  }
  return { dir, homeExisted };
}

/**
 * Moves the staged environment into the home. Returns where the replaced environment was
 * kept (only when `keepReplaced` and something was replaced), else null.
 */
export async function moveIntoPlace(staging: Staging, home: string, options: { keepReplaced: boolean; stamp: string; rename?: Rename }): Promise<string | null> {
  const rename = options.rename ?? ((from: string, to: string) => fs.rename(from, to));
  if (!staging.homeExisted) {
    await rename(staging.dir, home).catch((error: unknown) => {
      throw ioError(`cannot move the imported environment into ${home}; nothing was changed`, error);
    });
    await syncDirectory(dirname(home));
    return null;
  }
  const aside = join(home, `replaced-${options.stamp}`);
  const moved: [string, string][] = [];
  const move = async (from: string, to: string) => {
    await rename(from, to);
    moved.push([from, to]);
  };
  try {
    for (const item of ENVIRONMENT_ITEMS) {
      if (existsSync(join(home, item))) {
        if (!existsSync(aside)) await fs.mkdir(aside, { mode: 0o700 });
        await move(join(home, item), join(aside, item));
      }
      if (existsSync(join(staging.dir, item))) await move(join(staging.dir, item), join(home, item));
    }
  } catch (error) {
    for (const [from, to] of moved.reverse()) await rename(to, from).catch(() => undefined);
    await fs.rmdir(aside).catch(() => undefined);
    throw ioError(`cannot move the imported environment into ${home}; it was left as it was`, error);
  }
  await fs.rm(staging.dir, { recursive: true, force: true });
  await syncDirectory(home);
  if (!existsSync(aside)) return null;
  if (options.keepReplaced && holdsFiles(aside)) return aside;
  await fs.rm(aside, { recursive: true, force: true });
  return null;
}

function holdsFiles(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => !entry.isDirectory() || holdsFiles(join(dir, entry.name)));
}
