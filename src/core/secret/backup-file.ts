/** Reading and writing secret-backup files (format: crypto/secret-backup-format.ts). */

import { join } from 'node:path';
import {
  BACKUP_MAX_BYTES,
  type BackupSecrets,
  createBackup,
  openBackup,
  type ParsedBackup,
  parseBackup,
} from '../../crypto/secret-backup-format.js';
import { BACKUP_KDF } from '../../defaults.js';
import type { HomePaths } from '../../node/home.js';
import type { LocalSecret } from '../../node/local-secrets.js';
import { ensurePrivateDir, readFileChecked, writeFileAtomic } from '../../node/private-files.js';
import { belowProductionCost, type Deps } from '../shared/index.js';
import { checkBackupPassword } from './password-policy.js';

export interface BackupTarget {
  path: string;
  password: string;
  reminder: string;
  /** Replace an existing file (--force). */
  overwrite: boolean;
}

/** `<home>/backup/SSO<4 hex>.bak`, the name Enterprise SSO's wizard suggests. */
export function defaultBackupPath(paths: HomePaths, deps: Deps): string {
  const tag = Buffer.from(deps.rng(2)).toString('hex').toUpperCase();
  return join(paths.backupDir, `SSO${tag}.bak`);
}

export async function writeSecretBackup(
  target: BackupTarget,
  secrets: { current: LocalSecret; previous: LocalSecret | null },
  paths: HomePaths,
  deps: Deps,
): Promise<void> {
  checkBackupPassword(target.password, target.reminder);
  const bytes = await createBackup({
    current: secrets.current.secret,
    previous: secrets.previous?.secret ?? null,
    generation: secrets.current.generation,
    reminder: target.reminder,
    password: target.password,
    kdf: deps.backupKdf,
    rng: deps.rng,
    now: deps.now(),
  });
  if (target.path.startsWith(`${paths.backupDir}/`)) await ensurePrivateDir(paths.backupDir);
  await writeFileAtomic(target.path, bytes, { overwrite: target.overwrite });
  if (belowProductionCost(deps.backupKdf, BACKUP_KDF)) deps.onWeakFile?.(target.path, deps.backupKdf);
}

/** Reads and parses a backup without its password (header, reminder, ids). */
export function readSecretBackup(path: string): ParsedBackup {
  return parseBackup(readFileChecked(path, BACKUP_MAX_BYTES));
}

export async function openSecretBackup(parsed: ParsedBackup, password: string): Promise<BackupSecrets> {
  return openBackup(parsed, password);
}
