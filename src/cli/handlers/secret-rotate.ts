/** `ssokit secret rotate --backup FILE` / `ssoconfig -generateSecret FILE`. */

import { resolve } from 'node:path';
import { assertSecretAvailable, rotateSecret } from '../../core/secret/index.js';
import { SsoError } from '../../errors.js';
import { option, remedy } from '../../remedy.js';
import { obtainPassword, obtainReminder } from '../answers.js';
import type { Session } from '../session.js';
import type { NewBackupOptions } from './secret-backup.js';

export interface RotateOptions extends NewBackupOptions {
  backup: string | undefined;
}

export async function secretRotateCommand(session: Session, options: RotateOptions): Promise<void> {
  const { out } = session;
  if (!options.backup) {
    throw new SsoError('USAGE', "a rotation writes the new secret's backup first: where should it go?", {
      hint: remedy`add ${option('backup', 'FILE')}`,
    });
  }
  const ctx = await session.store();
  await assertSecretAvailable(ctx, 'rotating the master secret');
  const password = await obtainPassword(session, { message: 'Password for the new backup', confirm: true });
  const reminder = await obtainReminder(session, options.reminder, password);
  const result = await rotateSecret(ctx, {
    path: resolve(options.backup),
    password,
    reminder,
    overwrite: Boolean(options.force),
  });
  if (out.json) return out.printJson(result);
  out.done(
    `new master secret ${result.currentId} (generation ${result.generation}); ` +
      `${result.dataKeysRewrapped} data key(s) re-wrapped; backup written to ${result.backupPath}`,
  );
  if (!out.legacy) {
    out.note(`the previous secret ${result.previousId} is kept as previous; backups made before now are stale`);
    out.note('nodes of a clustered master secret server need this backup restored on each of them');
  }
}
