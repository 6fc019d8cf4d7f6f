/**
 * Where business systems live in the node's home: <home>/bizsys/<name>/bizsys.json and the
 * files it references under <home>/bizsys/<name>/files/. Everything 0600 in 0700 folders:
 * they hold private keys and server configuration.
 */

import { promises as fs, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../errors.js';
import { parseJson } from '../json/json-reader.js';
import { command, remedy } from '../remedy.js';
import type { HomePaths } from './home.js';
import { commitTemp, ensurePrivateDir, ioError, openTemp, tempPathFor, writeFileAtomic } from './private-files.js';

export const BIZSYS_DIR = 'bizsys';
export const BIZSYS_FILE = 'bizsys.json';

export function bizsysDir(paths: HomePaths, name: string): string {
  return join(paths.root, BIZSYS_DIR, name);
}

export function bizsysDefinitionPath(paths: HomePaths, name: string): string {
  return join(bizsysDir(paths, name), BIZSYS_FILE);
}

export function bizsysFilePath(paths: HomePaths, name: string, file: string): string {
  return join(bizsysDir(paths, name), 'files', file);
}

/** Names of the business system folders in this home (hidden set-aside folders excluded). */
export function listBizsysNames(paths: HomePaths): string[] {
  let names: string[];
  try {
    names = readdirSync(join(paths.root, BIZSYS_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`cannot list ${join(paths.root, BIZSYS_DIR)}`, error);
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
  await ensurePrivateDir(join(bizsysDir(paths, name), 'files'));
  await writeFileAtomic(bizsysDefinitionPath(paths, name), text, { overwrite: true });
}

/** A referenced file copied under a temporary name beside its place, ready to commit. */
export interface StagedFile {
  temp: string;
  target: string;
}

/** Copies `source` in under a temporary name (0600); `commitBizsysFiles` puts it in place. */
export async function stageBizsysFile(
  paths: HomePaths,
  name: string,
  file: string,
  source: string,
): Promise<StagedFile> {
  const target = bizsysFilePath(paths, name, file);
  await ensurePrivateDir(join(bizsysDir(paths, name), 'files'));
  const temp = tempPathFor(target);
  const handle = await openTemp(temp, 0o600);
  try {
    const input = await fs.open(source, 'r').catch((error: unknown) => {
      throw ioError(`cannot read ${source}`, error);
    });
    try {
      if (!(await input.stat()).isFile()) throw new SsoError('INVALID_INPUT', `${source} is not a regular file`);
      // The stream closes `input` when it ends; the close below covers a failure before that.
      for await (const chunk of input.createReadStream()) await handle.write(chunk as Buffer);
    } finally {
      await input.close().catch(() => undefined);
    }
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
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

/** Removes a business system's folder: renamed aside first, so it is never half there. */
export async function removeBizsysDir(paths: HomePaths, name: string): Promise<void> {
  const aside = join(paths.root, BIZSYS_DIR, `.${name}.removed-${process.pid}-${Date.now()}`);
  try {
    await fs.rename(bizsysDir(paths, name), aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ioError(`cannot remove ${bizsysDir(paths, name)}`, error);
  }
  await fs.rm(aside, { recursive: true, force: true });
}
