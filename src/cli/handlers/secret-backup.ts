/** `ssokit secret backup FILE` / `ssoconfig -backupSecret FILE`. */

import { resolve } from 'node:path';
import { assertSecretAvailable, backupSecret } from '../../core/secret/index.js';
import { obtainPassword, obtainReminder } from '../answers.js';
import type { Session } from '../session.js';

export interface NewBackupOptions {
  reminder: string | undefined;
  force: boolean;
}

export interface BackupOptions extends NewBackupOptions {
  file: string;
}

export async function secretBackupCommand(session: Session, options: BackupOptions): Promise<void> {
  const { file } = options;
  const ctx = await session.store();
  await assertSecretAvailable(ctx, 'backing up the master secret');
  const password = await obtainPassword(session, { message: 'Password', confirm: true });
  const reminder = await obtainReminder(session, options.reminder, password);
  const result = await backupSecret(ctx, {
    path: resolve(file),
    password,
    reminder,
    overwrite: Boolean(options.force),
  });
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.done(`master secret ${result.currentId} (generation ${result.generation}) backed up to ${result.path}`);
  if (!out.legacy) out.note('keep the file and its password apart: with both, anyone can decrypt every credential');
}
