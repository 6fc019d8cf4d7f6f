/**
 * `ssokit secret restore FILE` / `ssoconfig -restoreSecret FILE`, in two steps so the
 * command can show the password reminder between them:
 *   planRestore    — everything that can be checked without the password: this node is the
 *                    master secret server, and the file holds the secret the store expects;
 *   completeRestore — opens the file with the password and writes the secret files.
 * The store is never changed by a restore.
 */

import type { ParsedBackup } from '../../crypto/secret-backup-format.js';
import { SsoError } from '../../errors.js';
import { writeLocalSecret } from '../../node/local-secrets.js';
import { type Advice, command, option, remedy } from '../../remedy.js';
import type { StoreContext } from '../shared/index.js';
import { auditFailures, recordAudit, requireRole, roleCheck } from '../shared/index.js';
import { openSecretBackup, readSecretBackup } from './backup-file.js';
import { requireSecretServer } from './keyring.js';
import { currentMasterSecret, findMasterSecret, type MasterSecretRecord } from './secret-records.js';

export interface RestorePlan {
  path: string;
  parsed: ParsedBackup;
  reminder: string;
  storeCurrent: MasterSecretRecord;
  /** How the file relates to the store. */
  match: 'current' | 'in-previous-slot' | 'forced';
  /** For the CLI to print before it asks for the password. */
  warnings: Advice[];
}

export interface RestoreResult {
  path: string;
  restored: { id: string; generation: number }[];
  storeCurrentId: string;
}

export async function planRestore(ctx: StoreContext, path: string, force: boolean): Promise<RestorePlan> {
  return auditFailures(ctx, { operation: 'secret-restore', target: path }, async () => {
    const check = await roleCheck(ctx);
    requireRole(check, 'sso-admin', 'restoring the master secret');
    requireSecretServer(ctx, check.info.secretServer, 'restoring the master secret');
    const parsed = await readSecretBackup(path);
    const { header } = parsed;
    const storeCurrent = await currentMasterSecret(ctx.store);
    const warnings: Advice[] = [];
    let match: RestorePlan['match'];
    if (header.currentId === storeCurrent.id) {
      match = 'current';
    } else if (header.previousId === storeCurrent.id) {
      match = 'in-previous-slot';
      warnings.push(
        `the backup was written by a rotation that did not complete: its previous secret ${storeCurrent.id} is the store's current one`,
      );
    } else if (force) {
      match = 'forced';
      warnings.push(
        remedy`restoring master secret ${header.currentId} although the store expects ${storeCurrent.id} (${option('force')}): credentials will not open until the expected secret is restored`,
      );
    } else {
      throw await mismatchError(ctx, header.currentId, header.generation, storeCurrent, 'restore');
    }
    return { path, parsed, reminder: header.reminder, storeCurrent, match, warnings };
  });
}

export async function completeRestore(ctx: StoreContext, plan: RestorePlan, password: string): Promise<RestoreResult> {
  return auditFailures(ctx, { operation: 'secret-restore', target: plan.path }, async () => {
    const secrets = await openSecretBackup(plan.parsed, password);
    const { header } = plan.parsed;
    const restored = [{ id: header.currentId, generation: header.generation, secret: secrets.current }];
    if (secrets.previous && header.previousId) {
      const known = await findMasterSecret(ctx.store, header.previousId);
      restored.push({
        id: header.previousId,
        generation: known?.generation ?? header.generation - 1,
        secret: secrets.previous,
      });
    }
    // Under the write lock that orders rotations, so a rotation's prune cannot take these
    // files for leftovers while they are being written.
    await ctx.store.transaction(async (tx) => {
      for (const local of restored) await writeLocalSecret(ctx.paths, local);
      await recordAudit(tx, ctx, {
        operation: 'secret-restore',
        target: plan.path,
        result: plan.match === 'forced' ? 'success: forced over an id mismatch' : 'success',
      });
    });
    return {
      path: plan.path,
      restored: restored.map(({ id, generation }) => ({ id, generation })),
      storeCurrentId: plan.storeCurrent.id,
    };
  });
}

/** WRONG_SECRET, or STALE_BACKUP when the file holds a secret the store has retired. */
export async function mismatchError(
  ctx: StoreContext,
  fileId: string,
  fileGeneration: number,
  storeCurrent: MasterSecretRecord,
  purpose: 'restore' | 'verify',
): Promise<SsoError> {
  const known = await findMasterSecret(ctx.store, fileId);
  const expected = `the store's current master secret is ${storeCurrent.id} (generation ${storeCurrent.generation})`;
  if (known) {
    return new SsoError(
      'STALE_BACKUP',
      `the backup is stale: it holds master secret ${fileId} (generation ${known.generation}), but ${expected}`,
      {
        hint: remedy`use a backup made after the last rotation; on the master secret server make one now: ${command('secret backup', 'FILE')}`,
      },
    );
  }
  return new SsoError(
    'WRONG_SECRET',
    `the backup holds master secret ${fileId} (generation ${fileGeneration}), which this store never used; ${expected}`,
    {
      hint:
        purpose === 'restore'
          ? remedy`use the backup made for this SSO system (add ${option('force')} only to restore it anyway)`
          : 'this file cannot restore this SSO system; find the backup made for it',
    },
  );
}
