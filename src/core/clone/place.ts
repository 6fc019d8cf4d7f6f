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
 * An import that dies before the swap leaves only its hidden staging folder; the next
 * import removes it. One that dies during the swap (a few renames) leaves the staging
 * folder with its ready note; the next import finishes the swap before anything else.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SsoError } from '../../errors.js';
import { makeParents } from '../../node/home.js';
import { ioError, syncDirectory } from '../../node/private-files.js';

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

/**
 * Whether the import that made a staging folder is still running: its process exists and,
 * where the folder recorded it, started when that import did (a pid can be reused).
 */
function alive(pid: number, staging: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const owner = readOwnerNote(staging);
  return owner === null || owner.started === processStart(pid);
}

/** When a process started, in clock ticks since boot (Linux /proc); null elsewhere. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Which process made a staging folder, and when it started. */
const OWNER = '.owner';

function readOwnerNote(staging: string): { pid: number; started: string | null } | null {
  try {
    return JSON.parse(readFileSync(join(staging, OWNER), 'utf8')) as { pid: number; started: string | null };
  } catch {
    return null;
  }
}

/**
 * A staging folder is this user's only when this user made it: a real folder (not a
 * link), owned by this user, not writable by group or others, in a parent others cannot
 * write to — or a sticky one such as /tmp, where others cannot rename or remove what is
 * ours (ssh's StrictModes). Anything else someone else may have planted: it is ignored,
 * neither used nor removed.
 */
export function isOwnStaging(staging: string): boolean {
  try {
    const folder = lstatSync(staging);
    const parent = statSync(dirname(staging));
    const uid = process.getuid?.();
    if (!folder.isDirectory() || (uid !== undefined && folder.uid !== uid)) return false;
    if ((folder.mode & 0o022) !== 0) return false;
    return (parent.mode & 0o022) === 0 || (parent.mode & 0o1000) !== 0;
  } catch {
    return false;
  }
}

/** Written into a staging folder once it is complete and checked, just before the swap. */
const READY = '.ready';

interface ReadyNote {
  /** Where what the import replaces is set aside (a home that existed). */
  aside: string;
  /** The environment items the staging folder holds. */
  items: string[];
}

/**
 * Deals with staging folders left by imports that died: one that had begun moving into
 * place (it holds the ready note) is finished, so the home never stays half swapped; any
 * other is removed. Refuses while another import into the same home is running. Returns
 * whether an interrupted import was finished.
 */
export async function recoverStaging(home: string): Promise<boolean> {
  const { inside, beside } = stagingPattern(home);
  let finished = false;
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
      const staging = join(dir, name);
      if (!isOwnStaging(staging)) continue;
      if (pid !== process.pid && alive(pid, staging)) {
        throw new SsoError('CONFLICT', `another import into ${home} is running (process ${pid})`, {
          hint: `wait for it to finish; if no such import is running, remove ${staging}`,
        });
      }
      const note = readReadyNote(staging);
      if (note) {
        await finishSwap({ dir: staging, homeExisted: dir === home }, home, note);
        finished = true;
      } else {
        await fs.rm(staging, { recursive: true, force: true });
      }
    }
  }
  return finished;
}

/** Whether a name is an import staging folder's, inside the home or beside it. */
export function isStagingName(name: string): boolean {
  return /^\.(.+\.)?import-\d+-[0-9a-f]+$/.test(name);
}

/** A staging folder that had begun moving into place: the next import finishes it. */
export function isReadyStaging(staging: string): boolean {
  return existsSync(join(staging, READY));
}

function readReadyNote(staging: string): ReadyNote | null {
  try {
    return JSON.parse(readFileSync(join(staging, READY), 'utf8')) as ReadyNote;
  } catch {
    return null;
  }
}

export async function createStaging(home: string): Promise<Staging> {
  await recoverStaging(home);
  const name = `import-${process.pid}-${randomBytes(6).toString('hex')}`;
  const homeExisted = existsSync(home);
  if (homeExisted && !statSync(home).isDirectory())
    throw new SsoError('INVALID_INPUT', `the home ${home} is not a folder`);
  const dir = homeExisted ? join(home, `.${name}`) : join(dirname(home), `.${basename(home)}.${name}`);
  try {
    if (!homeExisted) await makeParents(dirname(home));
    await fs.mkdir(dir, { mode: 0o700 });
    await fs.chmod(dir, 0o700);
    await fs.writeFile(join(dir, OWNER), JSON.stringify({ pid: process.pid, started: processStart(process.pid) }), {
      mode: 0o600,
    });
  } catch (error) {
    throw ioError(`cannot create the staging folder ${dir}`, error);
  }
  return { dir, homeExisted };
}

/**
 * Moves the staged environment into the home. Returns where the replaced environment was
 * kept (only when `keepReplaced` and something was replaced), else null.
 *
 * The ready note goes in first: an import killed during the swap is finished by the next
 * import into this home (recoverStaging), which repeats the remaining moves.
 */
export async function moveIntoPlace(
  staging: Staging,
  home: string,
  options: { keepReplaced: boolean; stamp: string; rename?: Rename },
): Promise<string | null> {
  const rename = options.rename ?? ((from: string, to: string) => fs.rename(from, to));
  const items = ENVIRONMENT_ITEMS.filter((item) => existsSync(join(staging.dir, item)));
  const note: ReadyNote = { aside: join(home, `replaced-${options.stamp}`), items };
  await writeReadyNote(staging.dir, note);
  if (!staging.homeExisted) {
    await rename(staging.dir, home).catch(async (error: unknown) => {
      await fs.rm(join(staging.dir, READY), { force: true });
      throw ioError(`cannot move the imported environment into ${home}; nothing was changed`, error);
    });
    await fs.rm(join(home, READY), { force: true });
    await syncDirectory(dirname(home));
    return null;
  }
  const moved: [string, string][] = [];
  const move = async (from: string, to: string) => {
    await rename(from, to);
    moved.push([from, to]);
  };
  try {
    for (const item of ENVIRONMENT_ITEMS) await swapItem(staging.dir, home, note, item, move);
  } catch (error) {
    for (const [from, to] of moved.reverse()) await rename(to, from).catch(() => undefined);
    await fs.rmdir(note.aside).catch(() => undefined);
    await fs.rm(join(staging.dir, READY), { force: true });
    throw ioError(`cannot move the imported environment into ${home}; it was left as it was`, error);
  }
  await fs.rm(staging.dir, { recursive: true, force: true });
  await syncDirectory(home);
  if (!existsSync(note.aside)) return null;
  if (options.keepReplaced && holdsFiles(note.aside)) return note.aside;
  await fs.rm(note.aside, { recursive: true, force: true });
  return null;
}

/**
 * One item: the home's copy set aside, the staged copy (if the environment has one) moved
 * in. Repeatable after a kill: a staged item already gone was moved in.
 */
async function swapItem(staging: string, home: string, note: ReadyNote, item: string, move: Rename): Promise<void> {
  const staged = note.items.includes(item);
  if (staged && !existsSync(join(staging, item))) return;
  if (existsSync(join(home, item))) {
    if (!existsSync(note.aside)) await fs.mkdir(note.aside, { mode: 0o700 });
    await move(join(home, item), join(note.aside, item));
  }
  if (staged) await move(join(staging, item), join(home, item));
}

async function writeReadyNote(staging: string, note: ReadyNote): Promise<void> {
  const handle = await fs.open(join(staging, READY), 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(note));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDirectory(staging);
}

/** Completes the swap of an import that was killed part-way through it. */
async function finishSwap(staging: Staging, home: string, note: ReadyNote): Promise<void> {
  const move: Rename = (from, to) => fs.rename(from, to);
  if (!staging.homeExisted) {
    if (existsSync(home)) {
      throw new SsoError(
        'CONFLICT',
        `an interrupted import into ${home} was ready in ${staging.dir}, but ${home} exists now`,
        {
          hint: `move ${home} away and run the import again, or remove ${staging.dir}`,
        },
      );
    }
    await move(staging.dir, home);
    await fs.rm(join(home, READY), { force: true });
    await syncDirectory(dirname(home));
    return;
  }
  for (const item of ENVIRONMENT_ITEMS) await swapItem(staging.dir, home, note, item, move);
  await fs.rm(staging.dir, { recursive: true, force: true });
  await syncDirectory(home);
}

function holdsFiles(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some(
    (entry) => !entry.isDirectory() || holdsFiles(join(dir, entry.name)),
  );
}
