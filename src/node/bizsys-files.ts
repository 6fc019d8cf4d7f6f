/**
 * Where business systems live in the node's home: <home>/bizsys/<name>/bizsys.json and the
 * files it references under <home>/bizsys/<name>/files/. Everything 0600 in 0700 folders:
 * they hold private keys and server configuration.
 *
 * A new business system is built whole in a hidden staging folder beside its place,
 * `bizsys/.<name>.adding-<pid>-<hex>/`, and moved into place by one rename; a removed one
 * is renamed aside to `bizsys/.<name>.removed-<pid>-<time>/` before it is deleted. So a
 * command killed part-way leaves only a hidden folder no business system depends on:
 * `ssokit check` names it as harmless, `bizsys remove <name>` and the next `bizsys add
 * <name>` clear it.
 */

import { randomBytes } from 'node:crypto';
import { constants, promises as fs, readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../errors.js';
import { parseJson } from '../json/json-reader.js';
import { command, remedy } from '../remedy.js';
import type { HomePaths } from './home.js';
import {
  commitTemp,
  copyInput,
  ensurePrivateDir,
  ioError,
  isTempName,
  type OpenedInput,
  openInputFile,
  openTemp,
  syncDirectory,
  tempPathFor,
  writeFileAtomic,
  writeFully,
} from './private-files.js';

export const BIZSYS_DIR = 'bizsys';
export const BIZSYS_FILE = 'bizsys.json';
const FILES_DIR = 'files';

/**
 * The largest file a business system takes in (1 GiB): certificates, keys, server
 * configuration and messages are kilobytes, and every copy of the environment carries it.
 */
export const BIZSYS_FILE_MAX_BYTES = 2 ** 30;

export function bizsysRoot(paths: HomePaths): string {
  return join(paths.root, BIZSYS_DIR);
}

export function bizsysDir(paths: HomePaths, name: string): string {
  return join(paths.root, BIZSYS_DIR, name);
}

export function bizsysDefinitionPath(paths: HomePaths, name: string): string {
  return join(bizsysDir(paths, name), BIZSYS_FILE);
}

export function bizsysFilePath(paths: HomePaths, name: string, file: string): string {
  return join(bizsysDir(paths, name), FILES_DIR, file);
}

/** Names of the business system folders in this home (hidden staging and set-aside folders excluded). */
export function listBizsysNames(paths: HomePaths): string[] {
  let names: string[];
  try {
    names = readdirSync(bizsysRoot(paths));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`cannot list ${bizsysRoot(paths)}`, error);
  }
  return names.filter((n) => !n.startsWith('.')).sort();
}

export async function readBizsysJson(paths: HomePaths, name: string): Promise<unknown | null> {
  const file = bizsysDefinitionPath(paths, name);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(`cannot read ${file}`, error);
  }
  const parsed = parseJson(text);
  if (parsed.ok) return parsed.value;
  throw new SsoError('BAD_FORMAT', `${file} is not valid JSON: ${parsed.problem.message}`, {
    hint: remedy`fix it, or remove the business system (${command('bizsys remove', name)}) and add it again`,
  });
}

export async function writeBizsysJson(paths: HomePaths, name: string, text: string): Promise<void> {
  await ensurePrivateDir(join(bizsysDir(paths, name), FILES_DIR));
  await writeFileAtomic(bizsysDefinitionPath(paths, name), text, { overwrite: true });
}

// --- Files given on the command line -------------------------------------------------

const tooLarge = (path: string) => (size: number) =>
  new SsoError(
    'INVALID_INPUT',
    `${path} is ${size > BIZSYS_FILE_MAX_BYTES ? 'over ' : ''}${Math.min(size, BIZSYS_FILE_MAX_BYTES + 1)} bytes; a business system's file may be at most ${BIZSYS_FILE_MAX_BYTES / 2 ** 30} GiB`,
  );

/**
 * Opens a file to copy into a business system: O_NONBLOCK and regular files only (a FIFO
 * or /dev/zero given as the file is refused at once), at most BIZSYS_FILE_MAX_BYTES.
 */
export function openBizsysSource(path: string): Promise<OpenedInput> {
  return openInputFile(path, BIZSYS_FILE_MAX_BYTES, tooLarge(path));
}

/** Copies an opened source into a new file (0600, created O_EXCL), flushed to disk. */
async function copySourceTo(source: OpenedInput, target: string, shownAs: string, device: string): Promise<void> {
  let output: fs.FileHandle;
  try {
    output = await fs.open(target, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    await output.chmod(0o600);
  } catch (error) {
    throw ioError(`cannot create ${shownAs}`, error, device);
  }
  try {
    await copyInput(source, output, shownAs, BIZSYS_FILE_MAX_BYTES, tooLarge(source.path), device);
    await output.sync().catch((error: unknown) => {
      throw ioError(`cannot write ${shownAs}`, error, device);
    });
  } finally {
    await output.close().catch(() => undefined);
  }
}

// --- A new business system, built whole and moved into place ---------------------------

export interface BizsysStaging {
  name: string;
  dir: string;
}

const STAGING = /^\.(.+)\.(adding|removed)-(\d+)-[0-9a-z]+$/;

/** Whether a name under bizsys/ is a staging (adding) or set-aside (removed) folder, and whose. */
export function parseBizsysAside(entry: string): { name: string; kind: 'adding' | 'removed'; pid: number } | null {
  const match = STAGING.exec(entry);
  return match ? { name: match[1]!, kind: match[2] as 'adding' | 'removed', pid: Number(match[3]) } : null;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes `bizsys/.<name>.adding-<pid>-<hex>/files/`, 0700, where the new system is built. */
export async function createBizsysStaging(paths: HomePaths, name: string): Promise<BizsysStaging> {
  await ensurePrivateDir(bizsysRoot(paths));
  const dir = join(bizsysRoot(paths), `.${name}.adding-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await fs.mkdir(dir, { mode: 0o700 });
    await fs.chmod(dir, 0o700);
    await fs.mkdir(join(dir, FILES_DIR), { mode: 0o700 });
    await fs.chmod(join(dir, FILES_DIR), 0o700);
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw ioError(`cannot create the folder ${dir}`, error, bizsysRoot(paths));
  }
  return { name, dir };
}

/** Copies a source into the staging folder's files/ under `file`. */
export async function stageNewFile(
  paths: HomePaths,
  staging: BizsysStaging,
  file: string,
  source: OpenedInput,
): Promise<void> {
  await copySourceTo(
    source,
    join(staging.dir, FILES_DIR, file),
    bizsysFilePath(paths, staging.name, file),
    bizsysRoot(paths),
  );
}

/** Writes the definition into the staging folder. */
export async function stageDefinition(paths: HomePaths, staging: BizsysStaging, text: string): Promise<void> {
  const shownAs = bizsysDefinitionPath(paths, staging.name);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      join(staging.dir, BIZSYS_FILE),
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      0o600,
    );
    await handle.chmod(0o600);
  } catch (error) {
    throw ioError(`cannot create ${shownAs}`, error, bizsysRoot(paths));
  }
  try {
    await writeFully(handle, Buffer.from(text, 'utf8'), shownAs, bizsysRoot(paths));
    await handle.sync().catch((error: unknown) => {
      throw ioError(`cannot write ${shownAs}`, error, bizsysRoot(paths));
    });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Moves the finished staging folder into place with one rename, so the business system is
 * either absent or whole. A folder already there that only an interrupted add left (see
 * isInterruptedAdd) is cleared first; any other is ALREADY_EXISTS.
 */
export async function commitBizsysStaging(paths: HomePaths, staging: BizsysStaging): Promise<void> {
  const target = bizsysDir(paths, staging.name);
  await syncDirectory(join(staging.dir, FILES_DIR));
  await syncDirectory(staging.dir);
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(staging.dir, target);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const taken = code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR';
      if (taken && attempt === 0 && isInterruptedAdd(paths, staging.name)) {
        await removeBizsysDir(paths, staging.name);
        continue;
      }
      if (taken) throw new SsoError('ALREADY_EXISTS', `business system "${staging.name}" already exists on this node`);
      throw ioError(`cannot move business system "${staging.name}" into ${target}`, error, bizsysRoot(paths));
    }
  }
  await syncDirectory(bizsysRoot(paths));
}

export async function discardBizsysStaging(staging: BizsysStaging): Promise<void> {
  await fs.rm(staging.dir, { recursive: true, force: true });
}

// --- Changing the files of an existing business system ---------------------------------

/** A referenced file copied under a temporary name beside its place, ready to commit. */
export interface StagedFile {
  temp: string;
  target: string;
}

/** Copies an opened source in under a temporary name (0600); `commitBizsysFiles` puts it in place. */
export async function stageBizsysFile(
  paths: HomePaths,
  name: string,
  file: string,
  source: OpenedInput,
): Promise<StagedFile> {
  const target = bizsysFilePath(paths, name, file);
  await ensurePrivateDir(join(bizsysDir(paths, name), FILES_DIR));
  const temp = tempPathFor(target);
  const handle = await openTemp(temp, 0o600);
  try {
    await copyInput(source, handle, target, BIZSYS_FILE_MAX_BYTES, tooLarge(source.path), bizsysRoot(paths));
    await handle.sync().catch((error: unknown) => {
      throw ioError(`cannot write ${target}`, error, bizsysRoot(paths));
    });
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw ioError(`cannot write ${target}`, error, bizsysRoot(paths));
  }
  return { temp, target };
}

/** Renames staged files into place, replacing files of the same name. */
export async function commitBizsysFiles(staged: StagedFile[]): Promise<void> {
  for (const file of staged) await commitTemp(file.temp, file.target, true);
}

export async function discardStagedFiles(staged: StagedFile[]): Promise<void> {
  await Promise.all(staged.map((file) => fs.rm(file.temp, { force: true })));
}

export async function removeBizsysFile(paths: HomePaths, name: string, file: string): Promise<void> {
  await fs.rm(bizsysFilePath(paths, name, file), { force: true });
}

// --- Removing, and what interrupted commands leave -------------------------------------

/** Removes a business system's folder: renamed aside first, so it is never half there. */
export async function removeBizsysDir(paths: HomePaths, name: string): Promise<void> {
  const aside = join(bizsysRoot(paths), `.${name}.removed-${process.pid}-${Date.now().toString(36)}`);
  try {
    await fs.rename(bizsysDir(paths, name), aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ioError(`cannot remove ${bizsysDir(paths, name)}`, error);
  }
  await fs.rm(aside, { recursive: true, force: true });
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Every file under a folder (relative paths), or null when the folder cannot be read. */
function filesUnder(dir: string): string[] | null {
  const found: string[] = [];
  const walk = (relative: string): boolean => {
    let names: string[];
    try {
      names = readdirSync(join(dir, relative));
    } catch {
      return false;
    }
    for (const name of names) {
      const path = relative ? join(relative, name) : name;
      const stat = statOrNull(join(dir, path));
      if (stat?.isDirectory()) {
        if (!walk(path)) return false;
      } else found.push(path);
    }
    return true;
  };
  return walk('') ? found : null;
}

/**
 * Whether `bizsys/<name>/` is what an add of an earlier ssokit left when it was killed
 * while copying a file: no definition, and nothing in it but temporary files (at least
 * one). An empty folder is not taken for one: nothing says where it came from.
 */
export function isInterruptedAdd(paths: HomePaths, name: string): boolean {
  const dir = bizsysDir(paths, name);
  if (!statOrNull(dir)?.isDirectory() || statOrNull(join(dir, BIZSYS_FILE))) return false;
  const files = filesUnder(dir);
  return files !== null && files.length > 0 && files.every((f) => isTempName(f.split('/').at(-1)!));
}

export interface BizsysLeftover {
  path: string;
  /** The business system it belongs to. */
  name: string;
  what: 'an interrupted add' | 'an interrupted remove' | 'an interrupted change';
}

/**
 * What killed commands left under bizsys/, none of which any business system depends on:
 * staging folders of adds and set-aside folders of removes whose process is gone, folders
 * an earlier ssokit's interrupted add left (isInterruptedAdd), and temporary files of an
 * interrupted update inside a business system's folder.
 */
export function listBizsysLeftovers(paths: HomePaths): BizsysLeftover[] {
  let entries: string[];
  try {
    entries = readdirSync(bizsysRoot(paths)).sort();
  } catch {
    return [];
  }
  const found: BizsysLeftover[] = [];
  for (const entry of entries) {
    const path = join(bizsysRoot(paths), entry);
    const aside = parseBizsysAside(entry);
    if (aside) {
      if (!alive(aside.pid))
        found.push({
          path,
          name: aside.name,
          what: aside.kind === 'adding' ? 'an interrupted add' : 'an interrupted remove',
        });
      continue;
    }
    if (entry.startsWith('.')) continue;
    if (isInterruptedAdd(paths, entry)) {
      found.push({ path, name: entry, what: 'an interrupted add' });
      continue;
    }
    for (const dir of [path, join(path, FILES_DIR)]) {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const name of names)
        if (isTempName(name)) found.push({ path: join(dir, name), name: entry, what: 'an interrupted change' });
    }
  }
  return found;
}

/**
 * Removes what interrupted adds and removes of `name` left (their processes gone), and a
 * folder only an interrupted add left. Returns the paths removed.
 */
export async function clearBizsysLeftovers(paths: HomePaths, name: string): Promise<string[]> {
  const cleared: string[] = [];
  for (const leftover of listBizsysLeftovers(paths)) {
    if (leftover.name !== name || leftover.what === 'an interrupted change') continue;
    if (leftover.path === bizsysDir(paths, name)) await removeBizsysDir(paths, name);
    else
      await fs.rm(leftover.path, { recursive: true, force: true }).catch((error: unknown) => {
        throw ioError(`cannot remove ${leftover.path}`, error);
      });
    cleared.push(leftover.path);
  }
  return cleared;
}
