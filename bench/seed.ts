/**
 * Builds stores for the bench with the same primitives the commands use (a data key per
 * application, values sealed to their mapping), in bulk.
 */

import { join } from 'node:path';
import { loadNode, openNodeStore, type StoreContext } from '../src/core/context.js';
import { credentialOwner, sealValues } from '../src/core/credential-codec.js';
import { createDataKey, DataKeyRing } from '../src/core/data-keys.js';
import { productionDeps, type Deps } from '../src/core/deps.js';
import { initSystem } from '../src/core/init.js';
import { loadMasterKeyring } from '../src/core/master-keyring.js';
import { homePaths } from '../src/node/home.js';
import { currentCaller } from '../src/node/os-identity.js';

/** Production dependencies with scrypt at its floor, so store work is what gets timed. */
export function benchDeps(): Deps {
  const kdf = { log2N: 10, r: 8, p: 1 };
  return productionDeps({ backupKdf: kdf, bundleKdf: kdf });
}

export const BENCH_PASSWORD = 'bench-password-1';

export async function newBenchSystem(dir: string, name: string): Promise<StoreContext> {
  const paths = homePaths(join(dir, name));
  const deps = benchDeps();
  const caller = currentCaller();
  await initSystem({
    paths,
    deps,
    caller,
    nodeName: name,
    clusterNames: [],
    storePath: paths.defaultStore,
    ssoAdminAccount: caller.user,
    affiliateAdminAccount: caller.user,
    backup: { path: join(dir, `${name}.bak`), password: BENCH_PASSWORD, reminder: '', overwrite: true },
  });
  return openNodeStore(await loadNode({ paths, deps, caller }));
}

/** `apps` applications sharing `credentials` credentials evenly. */
export async function seedCredentials(ctx: StoreContext, apps: number, credentials: number): Promise<void> {
  const keyring = await loadMasterKeyring(ctx, 'seeding');
  const ring = new DataKeyRing(keyring);
  const now = new Date().toISOString();
  await ctx.store.transaction(async (tx) => {
    for (let a = 0; a < apps; a++) {
      const name = `BenchApp${a}`;
      const appId = await tx.insert(
        `INSERT INTO applications (name, name_key, app_type, description, contact, user_accounts, admin_accounts, flags,
           ticket_timeout, purge_id, created_at, updated_at) VALUES (?, ?, 'individual', '', '', '', '', 0, 0, 'p', ?, ?)`,
        [name, name.toLowerCase(), now, now],
      );
      await createDataKey(tx, keyring, appId, ctx.deps.rng, now);
      const key = await ring.activeFor(tx, appId);
      const count = Math.floor(credentials / apps) + (a < credentials % apps ? 1 : 0);
      const credentialRows = [];
      for (let m = 0; m < count; m++) {
        const user = `corp\\user${m}`;
        const mappingId = await tx.insert(
          `INSERT INTO mappings (app_id, local_user, local_key, local_unique, external_user, external_key, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          [appId, user, user, user, `X${m}`, `x${m}`, now, now],
        );
        credentialRows.push([
          mappingId,
          key.id,
          sealValues(key.key, credentialOwner(mappingId), [`X${m}`, `password-${a}-${m}`], ctx.deps.rng),
          now,
        ]);
      }
      await tx.runMany('INSERT INTO credentials (mapping_id, data_key_id, ciphertext, updated_at) VALUES (?, ?, ?, ?)', credentialRows);
    }
  });
}
