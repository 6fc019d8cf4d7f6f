/** `ssokit secret backup FILE` / `ssoconfig -backupSecret FILE`. */

import type { StoreContext } from '../shared/index.js';
import { auditFailures, recordAudit, requireRole, roleCheck } from '../shared/index.js';
import { type BackupTarget, writeSecretBackup } from './backup-file.js';
import { loadMasterKeyring } from './keyring.js';
import { markBackedUp } from './secret-records.js';

export interface BackupSecretResult {
  path: string;
  currentId: string;
  previousId: string | null;
  generation: number;
}

export async function backupSecret(ctx: StoreContext, target: BackupTarget): Promise<BackupSecretResult> {
  return auditFailures(ctx, { operation: 'secret-backup', target: target.path }, async () => {
    requireRole(await roleCheck(ctx), 'sso-admin', 'backing up the master secret');
    const keyring = await loadMasterKeyring(ctx, 'backing up the master secret');
    await writeSecretBackup(target, keyring, ctx.paths, ctx.deps);
    await ctx.store.transaction(async (tx) => {
      await markBackedUp(tx, keyring.current.id, ctx.deps.now().toISOString());
      await recordAudit(tx, ctx, { operation: 'secret-backup', target: target.path });
    });
    return {
      path: target.path,
      currentId: keyring.current.id,
      previousId: keyring.previous?.id ?? null,
      generation: keyring.current.generation,
    };
  });
}
