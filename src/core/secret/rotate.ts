/**
 * `ssokit secret rotate --backup FILE` / `ssoconfig -generateSecret FILE`: a new master
 * secret. Only the data keys are re-wrapped (one per application), in one transaction, so
 * the cost grows with applications, never with credentials.
 *
 * Crash safety, in order and under the store's write lock: the new secret's backup is
 * written, then its local file, then the store switches to it in the same transaction;
 * only then are the files the store no longer names pruned (under the lock again). A
 * crash before the commit leaves the store on the old secret (an unused secret file may
 * remain: `ssokit check` names it, the next rotation prunes it); after it, the new secret
 * is on disk. Rotations that overlap both succeed, one after the other.
 */

import { MASTER_SECRET_BYTES, masterSecretId } from '../../crypto/master-secret-id.js';
import { SsoError } from '../../errors.js';
import { type LocalSecret, writeLocalSecret } from '../../node/local-secrets.js';
import { command, remedy } from '../../remedy.js';
import type { StoreContext } from '../shared/index.js';
import { auditFailures, recordAudit, requireRole, roleCheck } from '../shared/index.js';
import { type BackupTarget, writeSecretBackup } from './backup-file.js';
import { unwrapDataKey, wrapDataKey } from './data-keys.js';
import { loadMasterKeyring, pruneUnnamedSecrets, secretById } from './keyring.js';
import { checkBackupPassword } from './password-policy.js';
import { insertMasterSecret, listMasterSecrets } from './secret-records.js';

export interface RotateResult {
  previousId: string;
  currentId: string;
  generation: number;
  dataKeysRewrapped: number;
  backupPath: string;
  prunedSecretFiles: string[];
}

export async function rotateSecret(ctx: StoreContext, backup: BackupTarget): Promise<RotateResult> {
  const action = 'rotating the master secret';
  return auditFailures(ctx, { operation: 'secret-rotate', target: backup.path }, async () => {
    checkBackupPassword(backup.password, backup.reminder);
    requireRole(await roleCheck(ctx), 'sso-admin', action);
    await loadMasterKeyring(ctx, action); // refuse early, before waiting for the write lock

    // Everything from here runs under the store's write lock, which orders rotations: a
    // second rotation waits, then rotates from the secret this one made. The new secret's
    // file is written while the lock is held, so no other process can prune it as a
    // leftover before the commit names it.
    const rotated = await ctx.store.transaction(async (tx) => {
      const keyring = await loadMasterKeyring(ctx, action, tx);
      const generation = Math.max(...(await listMasterSecrets(tx)).map((r) => r.generation)) + 1;
      const secret = ctx.deps.rng(MASTER_SECRET_BYTES);
      const next: LocalSecret = { id: masterSecretId(secret), generation, secret };
      await writeSecretBackup(backup, { current: next, previous: keyring.current }, ctx.paths, ctx.deps);
      await writeLocalSecret(ctx.paths, next);

      const keys = await tx.all<{ id: number; app_id: number; master_secret_id: string; wrapped: Uint8Array }>(
        'SELECT id, app_id, master_secret_id, wrapped FROM data_keys',
      );
      const updates = keys.map((row) => {
        const key = unwrapDataKey(secretById(keyring, row.master_secret_id), row.app_id, row.wrapped);
        if (!key) {
          throw new SsoError(
            'DECRYPT_FAILED',
            `data key ${row.id} does not open with its master secret; nothing was changed`,
            { hint: remedy`run ${command('check')} to find the damaged rows` },
          );
        }
        return [wrapDataKey(next.secret, row.app_id, key, ctx.deps.rng), next.id, row.id];
      });
      const now = ctx.deps.now().toISOString();
      await tx.run("UPDATE master_secrets SET state = 'retired' WHERE state = 'previous'");
      await tx.run("UPDATE master_secrets SET state = 'previous' WHERE state = 'current'");
      await insertMasterSecret(tx, {
        id: next.id,
        generation,
        state: 'current',
        createdAt: now,
        createdOnNode: ctx.node.nodeName,
        backedUpAt: now,
      });
      await tx.runMany('UPDATE data_keys SET wrapped = ?, master_secret_id = ? WHERE id = ?', updates);
      await recordAudit(tx, ctx, { operation: 'secret-rotate', target: `${keyring.current.id} -> ${next.id}` });
      return { previousId: keyring.current.id, currentId: next.id, generation, dataKeysRewrapped: updates.length };
    });

    const prunedSecretFiles = await pruneUnnamedSecrets(ctx);
    return { ...rotated, backupPath: backup.path, prunedSecretFiles };
  });
}
