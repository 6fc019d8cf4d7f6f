/**
 * Where business systems live in the node's home: <home>/bizsys/<name>/bizsys.json and the
 * files it references under <home>/bizsys/<name>/files/. Everything 0600 in 0700 folders:
 * they hold private keys and server configuration.
 */

import { promises as fs, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../errors.js';
import type { HomePaths } from './home.js';
import { commitTemp, ensurePrivateDir, ioError, openTemp, tempPathFor, writeFileAtomic } from './private-files.js';

export const BIZSYS_DIR = 'bizsys';

export function bizsysDir(paths: HomePaths, name: string): string {
  return join(paths.root, BIZSYS_DIR, name);
}

export function bizsysFilePath(paths: HomePaths, name: string, file: string): string {
  return join(bizsysDir(paths, name), 'files', file);
}

/** Names of the business systems in this home (folders holding a bizsys.json). */
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
  const file = join(bizsysDir(paths, name), 'bizsys.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(`cannot read ${file}`, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SsoError('BAD_FORMAT', `${file} is not valid JSON`);
  }
}

export async function writeBizsysJson(paths: HomePaths, name: string, value: unknown): Promise<void> {
  await ensurePrivateDir(join(bizsysDir(paths, name), 'files'));
  await writeFileAtomic(join(bizsysDir(paths, name), 'bizsys.json'), JSON.stringify(value, null, 2) + '\n', { overwrite: true });
}

/** Copies a referenced file in (private, atomically), replacing one of the same name. */
export async function copyBizsysFile(paths: HomePaths, name: string, file: string, source: string): Promise<void> {
  const target = bizsysFilePath(paths, name, file);
  await ensurePrivateDir(join(bizsysDir(paths, name), 'files'));
  const temp = tempPathFor(target);
  const handle = await openTemp(temp, 0o600);
  try {
    const input = await fs.open(source, 'r').catch((error: unknown) => {
      throw ioError(`cannot read ${source}`, error);
    });
    try {
      const stat = await input.stat();
      if (!stat.isFile()) throw new SsoError('INVALID_INPUT', `${source} is not a regular file`);
      for await (const chunk of input.createReadStream()) await handle.write(chunk as Buffer);
    } finally {
      await input.close().catch(() => undefined);
    }
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await commitTemp(temp, target, true);
}

export async function removeBizsysFile(paths: HomePaths, name: string, file: string): Promise<void> {
  await fs.rm(bizsysFilePath(paths, name, file), { force: true });
}

/** Removes a business system's folder: renamed aside first, so it is never half there. */
export async function removeBizsysDir(paths: HomePaths, name: string): Promise<void> {
  const dir = bizsysDir(paths, name);
  const aside = join(paths.root, BIZSYS_DIR, `.${name}.removed-${Date.now()}`);
  await fs.rename(dir, aside);
  await fs.rm(aside, { recursive: true, force: true });
}
