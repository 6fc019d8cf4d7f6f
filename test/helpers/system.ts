import { join } from 'node:path';
import { loadNode, openNodeStore, type StoreContext } from '../../src/core/context.js';
import { credentialOwner, openValues, sealValues } from '../../src/core/credential-codec.js';
import { createDataKey, DataKeyRing } from '../../src/core/data-keys.js';
import type { Deps } from '../../src/core/deps.js';
import { initSystem } from '../../src/core/init.js';
import { loadMasterKeyring } from '../../src/core/master-keyring.js';
import { homePaths, type HomePaths } from '../../src/node/home.js';
import { currentCaller } from '../../src/node/os-identity.js';
import { REPO_ROOT } from './cli.js';
import { fastDeps } from './fast-deps.js';

export const PASSWORD = 'backup-password-1';

export interface TestSystem {
  ctx: StoreContext;
  paths: HomePaths;
  backupPath: string;
}

/** A new SSO system in `dir`/<name>, made by the real init, opened as a command would. */
export async function newSystem(dir: string, name = 'alpha', deps: Deps = fastDeps()): Promise<TestSystem> {
  const paths = homePaths(join(dir, name));
  const backupPath = join(dir, `${name}-initial.bak`);
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
    backup: { path: backupPath, password: PASSWORD, reminder: 'test', overwrite: false },
  });
  return { ctx: await openNodeStore(await loadNode({ paths, deps, caller })), paths, backupPath };
}

/** Opens another node's view of a home (after a command changed files on disk). */
export async function reopen(paths: HomePaths, deps: Deps = fastDeps()): Promise<StoreContext> {
  return openNodeStore(await loadNode({ paths, deps, caller: currentCaller() }));
}

/**
 * Applications with credentials, written through the same key primitives the commands use
 * (data key per application, values sealed to their mapping).
 */
export async function seedCredentials(ctx: StoreContext, apps: number, perApp: number): Promise<void> {
  const keyring = await loadMasterKeyring(ctx, 'seeding');
  const ring = new DataKeyRing(keyring);
  const now = new Date().toISOString();
  await ctx.store.transaction(async (tx) => {
    for (let a = 0; a < apps; a++) {
      const name = `App${a}`;
      const appId = await tx.insert(
        `INSERT INTO applications (name, name_key, app_type, description, contact, user_accounts, admin_accounts, flags,
           ticket_timeout, purge_id, created_at, updated_at) VALUES (?, ?, 'individual', '', '', '', '', 0, 0, 'p', ?, ?)`,
        [name, name.toLowerCase(), now, now],
      );
      await createDataKey(tx, keyring, appId, ctx.deps.rng, now);
      const key = await ring.activeFor(tx, appId);
      for (let m = 0; m < perApp; m++) {
        const mappingId = await tx.insert(
          `INSERT INTO mappings (app_id, local_user, local_key, local_unique, external_user, external_key, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          [appId, `CORP\\user${m}`, `corp\\user${m}`, `corp\\user${m}`, `X${m}`, `x${m}`, now, now],
        );
        await tx.run('INSERT INTO credentials (mapping_id, data_key_id, ciphertext, updated_at) VALUES (?, ?, ?, ?)', [
          mappingId,
          key.id,
          sealValues(key.key, credentialOwner(mappingId), [`X${m}`, `secret-${a}-${m}`], ctx.deps.rng),
          now,
        ]);
      }
    }
  });
}

/** Every credential decrypted; throws if any does not open. */
export async function openAllCredentials(ctx: StoreContext): Promise<Map<number, string[]>> {
  const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'reading'));
  const rows = await ctx.store.all<{ mapping_id: number; data_key_id: number; ciphertext: Uint8Array }>(
    'SELECT mapping_id, data_key_id, ciphertext FROM credentials ORDER BY mapping_id',
  );
  const values = new Map<number, string[]>();
  for (const row of rows) {
    const key = await ring.byId(ctx.store, row.data_key_id);
    values.set(row.mapping_id, openValues(key.key, credentialOwner(row.mapping_id), row.ciphertext));
  }
  return values;
}

/** Another identity for in-process role tests (e2e tests use real OS users). */
export function asCaller(ctx: StoreContext, user: string, groups: string[] = []): StoreContext {
  return { ...ctx, caller: { user, uid: 12345, groups: () => groups } };
}

/** A fixture file's path. */
export function fixture(...parts: string[]): string {
  return join(REPO_ROOT, 'fixtures', ...parts);
}
