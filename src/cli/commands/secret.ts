/** The master secret commands: backup, restore, rotate, reencrypt, status, verify. */

import { resolve } from 'node:path';
import { readSecretBackup } from '../../core/backup-file.js';
import { backupSecret } from '../../core/secret-backup.js';
import { assertSecretAvailable } from '../../core/secret-access.js';
import { reencryptStore } from '../../core/secret-reencrypt.js';
import { completeRestore, planRestore } from '../../core/secret-restore.js';
import { rotateSecret } from '../../core/secret-rotate.js';
import { secretStatus } from '../../core/secret-status.js';
import { verifyBackup } from '../../core/secret-verify.js';
import { isSsoError, SsoError } from '../../errors.js';
import { obtainPassword, obtainReminder } from '../answers.js';
import { progressBar } from '../progress.js';
import type { Session } from '../session.js';

export interface NewBackupOptions {
  reminder?: string;
  force?: boolean;
}

export async function secretBackupCommand(session: Session, file: string, options: NewBackupOptions): Promise<void> {
  const ctx = await session.store();
  await assertSecretAvailable(ctx, 'backing up the master secret');
  const password = await obtainPassword(session, { message: 'Password', confirm: true });
  const reminder = await obtainReminder(session, options.reminder);
  const result = await backupSecret(ctx, { path: resolve(file), password, reminder, overwrite: Boolean(options.force) });
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.done(`master secret ${result.currentId} (generation ${result.generation}) backed up to ${result.path}`);
  if (!out.legacy) out.note('keep the file and its password apart: with both, anyone can decrypt every credential');
}

export interface RestoreOptions {
  force?: boolean;
}

export async function secretRestoreCommand(session: Session, file: string, options: RestoreOptions): Promise<void> {
  const ctx = await session.store();
  const { out } = session;
  const plan = await planRestore(ctx, resolve(file), Boolean(options.force));
  for (const warning of plan.warnings) out.warn(warning);
  session.io.stderr.write(`Password reminder : ${plan.reminder}\n`);
  const password = await obtainPassword(session, { message: 'Password', confirm: false });
  const result = await completeRestore(ctx, plan, password);
  if (out.json) return out.printJson(result);
  const ids = result.restored.map((r) => `${r.id} (generation ${r.generation})`).join(' and ');
  out.done(`restored master secret ${ids} on node '${ctx.node.nodeName}'`);
}

export interface RotateOptions extends NewBackupOptions {
  backup?: string;
}

export async function secretRotateCommand(session: Session, options: RotateOptions): Promise<void> {
  const { out } = session;
  if (!options.backup) {
    throw new SsoError('USAGE', 'a rotation writes the new secret\'s backup first: where should it go?', {
      hint: 'add --backup FILE',
    });
  }
  const ctx = await session.store();
  await assertSecretAvailable(ctx, 'rotating the master secret');
  const password = await obtainPassword(session, { message: 'Password for the new backup', confirm: true });
  const reminder = await obtainReminder(session, options.reminder);
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

export async function secretReencryptCommand(session: Session): Promise<void> {
  const ctx = await session.store();
  const { out } = session;
  const bar = out.json ? null : progressBar(session.io, 're-encrypting');
  const result = await reencryptStore(ctx, { ...(bar ? { onProgress: bar.update } : {}) });
  bar?.finish();
  if (out.json) return out.printJson(result);
  out.done(
    `${result.resumed ? 'finished the interrupted re-encryption: ' : ''}` +
      `${result.credentials} credential(s) and ${result.configEntries} config-store bag(s) re-encrypted ` +
      `under new data keys for ${result.applications} application(s)`,
  );
}

export async function secretStatusCommand(session: Session): Promise<void> {
  const ctx = await session.store();
  const status = await secretStatus(ctx);
  const { out } = session;
  if (out.json) return out.printJson(status);
  const describe = (r: typeof status.current) =>
    `${r.id}  generation ${r.generation}, created ${r.createdAt} on ${r.createdOnNode}` +
    (r.state === 'current' ? `, ${r.backedUpAt ? `backed up ${r.backedUpAt}` : out.paint.red('never backed up')}` : '');
  out.fields([
    ['node', status.nodeName + (status.clusterNames.length ? ` (cluster names: ${status.clusterNames.join(', ')})` : '')],
    ['master secret server', `${status.secretServer}${status.isSecretServer ? ' (this node)' : ''}`],
    ['current secret', describe(status.current)],
    ['previous secret', status.previous ? describe(status.previous) : '-'],
    [
      'local copy',
      status.isSecretServer || status.local.current !== 'missing'
        ? `current: ${status.local.current}${status.local.previous ? `, previous: ${status.local.previous}` : ''}`
        : 'none (only the master secret server holds the secret)',
    ],
    ['matches store', status.matchesStore ? 'yes' : 'no'],
    ['re-encryption', status.reencryptPending ? 'interrupted: run ssokit secret reencrypt to finish it' : 'none pending'],
  ]);
  for (const problem of status.local.problems) out.warn(problem);
  if (status.local.extraFiles.length) {
    out.note(`secret files the store no longer names: ${status.local.extraFiles.join(', ')}`);
  }
}

export async function secretVerifyCommand(session: Session, file: string): Promise<void> {
  const path = resolve(file);
  const parsed = await readSecretBackup(path);
  const ctx = await session.store().catch((error: unknown) => {
    if (isSsoError(error) && error.code === 'NOT_CONFIGURED') return null;
    throw error;
  });
  session.io.stderr.write(`Password reminder : ${parsed.header.reminder}\n`);
  const password = await obtainPassword(session, { message: 'Password', confirm: false });
  const result = await verifyBackup(ctx, path, parsed, password);
  const { out } = session;
  if (out.json) return out.printJson(result);
  if (result.state === 'not-compared') {
    out.done(`the backup opens: master secret ${result.currentId} (generation ${result.generation}), made ${result.created}`);
    out.note('this node is not part of an SSO system, so the backup was not compared with a store');
    return;
  }
  out.done(
    `the backup opens and holds the store's current master secret ${result.currentId} ` +
      `(generation ${result.generation}), made ${result.created}`,
  );
  if (result.matchesLocalCopy === false) out.warn('the secret in the backup differs from this node\'s local copy');
}
