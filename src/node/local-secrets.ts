/**
 * The master secret at rest on the master secret server: one file per secret in
 * <home>/secret/, named by its id, mode 0600, in a 0700 folder. The store never holds a
 * secret; it names the current one by id, and this module finds the file for that id.
 */

import { promises as fs, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMasterSecretId, MASTER_SECRET_BYTES, masterSecretId } from '../crypto/master-secret-id.js';
import { SsoError } from '../errors.js';
import { command, remedy } from '../remedy.js';
import type { HomePaths } from './home.js';
import { assertPrivateFile, ensurePrivateDir, ioError, readFileChecked, writeFileAtomic } from './private-files.js';

const SECRET_MAGIC = 'ssokit/master-secret/v1';
const SUFFIX = '.secret';

export interface LocalSecret {
  id: string;
  generation: number;
  secret: Uint8Array;
}

/** File name for a secret id: the GUID without braces. */
export function secretFileName(id: string): string {
  return id.slice(1, -1) + SUFFIX;
}

export function secretFilePath(paths: HomePaths, id: string): string {
  return join(paths.secretDir, secretFileName(id));
}

/**
 * The local copy of one secret, or null when this node has none. There is no separate
 * "does it exist" step: a file pruned between such a check and the read would fail a
 * command that should simply have seen no file.
 */
export async function readLocalSecret(paths: HomePaths, id: string): Promise<LocalSecret | null> {
  const path = secretFilePath(paths, id);
  let text: string;
  try {
    assertPrivateFile(path);
    text = readFileChecked(path, 4096).toString('utf8');
  } catch (error) {
    if (error instanceof SsoError && error.code === 'FILE_NOT_FOUND') return null;
    throw error;
  }
  const match = new RegExp(
    `^${SECRET_MAGIC}\\nid: (\\{[0-9A-F-]{36}\\})\\ngeneration: ([0-9]{1,9})\\nsecret: ([A-Za-z0-9+/=]{44})\\n$`,
  ).exec(text);
  const secret = match ? new Uint8Array(Buffer.from(match[3]!, 'base64')) : null;
  if (
    !match ||
    !secret ||
    secret.length !== MASTER_SECRET_BYTES ||
    masterSecretId(secret) !== match[1] ||
    match[1] !== id
  ) {
    throw new SsoError('DAMAGED_FILE', `the secret file ${path} is damaged: its content does not match its name`, {
      hint: remedy`restore the master secret from its backup with ${command('secret restore', 'FILE')}`,
    });
  }
  return { id, generation: Number(match[2]), secret };
}

export async function writeLocalSecret(paths: HomePaths, local: LocalSecret): Promise<void> {
  await ensurePrivateDir(paths.secretDir);
  const text =
    `${SECRET_MAGIC}\nid: ${local.id}\ngeneration: ${local.generation}\n` +
    `secret: ${Buffer.from(local.secret).toString('base64')}\n`;
  await writeFileAtomic(secretFilePath(paths, local.id), text, { overwrite: true });
}

/** Ids of the secret files present, without reading them. */
export async function listLocalSecretIds(paths: HomePaths): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(paths.secretDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`cannot list ${paths.secretDir}`, error);
  }
  return names
    .filter((name) => name.endsWith(SUFFIX))
    .map((name) => `{${name.slice(0, -SUFFIX.length)}}`)
    .filter(isMasterSecretId)
    .sort();
}

/**
 * Removes secret files other than `keep`. Callers decide `keep` from the store while they
 * hold its write lock (the lock that orders rotations), so a secret another rotation is
 * writing cannot be taken for a leftover.
 */
export async function pruneLocalSecrets(paths: HomePaths, keep: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await listLocalSecretIds(paths)) {
    if (keep.includes(id)) continue;
    await fs.rm(secretFilePath(paths, id), { force: true });
    removed.push(id);
  }
  return removed;
}
