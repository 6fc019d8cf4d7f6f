/**
 * `ssokit secret reencrypt`: new data keys for every application and every credential and
 * config-store bag re-encrypted under them (what compliance asks for after a suspected
 * key exposure; a master secret rotation alone re-wraps the data keys only).
 *
 * Resumable by construction, with no job table: starting marks each application's active
 * key 'retiring' and adds a new active key (one transaction). Batches then move rows off
 * retiring keys, each batch its own transaction, so every row is always under the key it
 * names. When no row is left on a retiring key, the retiring keys are deleted. Running the
 * command again after a crash finds the retiring keys and carries on.
 */

import { BATCH_SIZE } from '../../defaults.js';
import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';
import type { StoreContext } from '../shared/index.js';
import { auditFailures, recordAudit, requireRole, roleCheck } from '../shared/index.js';
import { configOwner, credentialOwner, resealRaw } from './credential-codec.js';
import { createDataKey, DataKeyRing } from './data-keys.js';
import { loadMasterKeyring } from './keyring.js';

export interface ReencryptProgress {
  done: number;
  total: number;
}

export interface ReencryptOptions {
  batchSize?: number;
  onProgress?: (progress: ReencryptProgress) => void;
  /** Stops between two batches (Ctrl-C): every row moved so far stays moved. */
  signal?: AbortSignal;
}

export interface ReencryptResult {
  /** True when an interrupted re-encryption was carried on rather than a new one started. */
  resumed: boolean;
  applications: number;
  credentials: number;
  configEntries: number;
  retiredKeys: number;
}

interface PendingRow {
  row_id: number;
  ciphertext: Uint8Array;
  identifier_key?: string;
}

/** The two kinds of sealed rows: credentials and config-store bags. */
const TABLES = [
  {
    select: `SELECT mapping_id AS row_id, ciphertext FROM credentials
             WHERE data_key_id = ? AND mapping_id > ? ORDER BY mapping_id LIMIT ?`,
    update: 'UPDATE credentials SET ciphertext = ?, data_key_id = ? WHERE mapping_id = ?',
    owner: (_appId: number, row: PendingRow) => credentialOwner(row.row_id),
  },
  {
    select: `SELECT id AS row_id, ciphertext, identifier_key FROM config_entries
             WHERE data_key_id = ? AND id > ? ORDER BY id LIMIT ?`,
    update: 'UPDATE config_entries SET ciphertext = ?, data_key_id = ? WHERE id = ?',
    owner: (appId: number, row: PendingRow) => configOwner(appId, row.identifier_key!),
  },
];

export async function reencryptStore(ctx: StoreContext, options: ReencryptOptions = {}): Promise<ReencryptResult> {
  return auditFailures(ctx, { operation: 'secret-reencrypt', target: 'store' }, async () => {
    const batchSize = options.batchSize ?? BATCH_SIZE;
    requireRole(await roleCheck(ctx), 'sso-admin', 're-encrypting the store');
    const keyring = await loadMasterKeyring(ctx, 're-encrypting the store');
    const { store, deps } = ctx;

    const resumed = await store.transaction(async (tx) => {
      const retiring = await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM data_keys WHERE state = 'retiring'");
      if (retiring!.n > 0) return true;
      const apps = await tx.all<{ app_id: number }>("SELECT app_id FROM data_keys WHERE state = 'active'");
      await tx.run("UPDATE data_keys SET state = 'retiring' WHERE state = 'active'");
      const now = deps.now().toISOString();
      for (const { app_id } of apps) await createDataKey(tx, keyring, app_id, deps.rng, now);
      await recordAudit(tx, ctx, { operation: 'secret-reencrypt', target: 'store', result: 'started' });
      return false;
    });

    const ring = new DataKeyRing(keyring); // after the start: it caches the new active keys
    const retiring = await store.all<{ id: number; app_id: number }>(
      "SELECT id, app_id FROM data_keys WHERE state = 'retiring' ORDER BY id",
    );
    const total = await countPending(ctx);
    const progress = { done: 0, total };
    options.onProgress?.({ ...progress });
    const moved = [0, 0];
    for (const [index, table] of TABLES.entries()) {
      // Walk each retiring key's rows in id order through the (data_key_id) index, several
      // keys per transaction, so no batch sorts or rescans what earlier batches moved.
      let keyIndex = 0;
      let after = 0;
      while (keyIndex < retiring.length) {
        const count = await store.transaction(async (tx) => {
          let budget = batchSize;
          while (budget > 0 && keyIndex < retiring.length) {
            const key = retiring[keyIndex]!;
            const limit = budget;
            const rows = await tx.all<PendingRow>(table.select, [key.id, after, limit]);
            const oldKey = await ring.byId(tx, key.id);
            const newKey = await ring.activeFor(tx, key.app_id);
            const updates = rows.map((row) => [
              resealRaw(oldKey.key, newKey.key, table.owner(key.app_id, row), row.ciphertext, deps.rng),
              newKey.id,
              row.row_id,
            ]);
            await tx.runMany(table.update, updates);
            budget -= rows.length;
            if (rows.length < limit) {
              keyIndex++;
              after = 0;
            } else {
              after = rows[rows.length - 1]!.row_id;
            }
          }
          return batchSize - budget;
        });
        moved[index]! += count;
        progress.done += count;
        options.onProgress?.({ ...progress });
        // Between batches the event loop runs, so a Ctrl-C is seen here, not after the end.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) throw interrupted(progress);
      }
    }

    const { retiredKeys, applications } = await store.transaction(async (tx) => {
      const applications = (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM data_keys WHERE state = 'active'"))!
        .n;
      const retiredKeys = await tx.run("DELETE FROM data_keys WHERE state = 'retiring'");
      await recordAudit(tx, ctx, {
        operation: 'secret-reencrypt',
        target: 'store',
        result: `success: ${moved[0]} credentials, ${moved[1]} config bags`,
      });
      return { retiredKeys, applications };
    });
    return { resumed, applications, credentials: moved[0]!, configEntries: moved[1]!, retiredKeys };
  });
}

function interrupted(progress: ReencryptProgress): SsoError {
  return new SsoError(
    'CANCELLED',
    `re-encryption interrupted after ${progress.done} of ${progress.total} credentials and config-store bags; every one of them, moved or not, still opens (each row names the key it is sealed under)`,
    { hint: remedy`run ${command('secret reencrypt')} again to finish it` },
  );
}

async function countPending(ctx: StoreContext): Promise<number> {
  const row = await ctx.store.get<{ n: number }>(
    `SELECT (SELECT COUNT(*) FROM credentials c JOIN data_keys k ON k.id = c.data_key_id WHERE k.state = 'retiring')
          + (SELECT COUNT(*) FROM config_entries e JOIN data_keys k ON k.id = e.data_key_id WHERE k.state = 'retiring') AS n`,
  );
  return row?.n ?? 0;
}
