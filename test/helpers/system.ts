import { join } from 'node:path';
import { createApplications } from '../../src/core/manage/apps.js';
import { importCredentials } from '../../src/core/manage/credentials-import.js';
import { credentialOwner, openValues } from '../../src/core/secret/credential-codec.js';
import { DataKeyRing } from '../../src/core/secret/data-keys.js';
import { loadMasterKeyring } from '../../src/core/secret/keyring.js';
import { loadNode, openNodeStore, type StoreContext } from '../../src/core/shared/context.js';
import type { Deps } from '../../src/core/shared/deps.js';
import { initSystem } from '../../src/core/system/init.js';
import { type HomePaths, homePaths } from '../../src/node/home.js';
import { currentCaller } from '../../src/node/os-identity.js';
import { readApplicationsXml } from '../../src/xml/applications-xml.js';
import { parseXml } from '../../src/xml/xml-document.js';
import { REPO_ROOT } from './cli.js';
import { fastDeps } from './fast-deps.js';
import { freshDatabase, postgresUnavailable, storeUrl } from './postgres.js';
import { tempDir } from './temp-dir.js';
import { appXml } from './xml.js';

export const PASSWORD = 'backup-password-1';

export interface TestSystem {
  ctx: StoreContext;
  paths: HomePaths;
  backupPath: string;
}

/**
 * The engine the test systems' stores use: SQLite by default; `SSOKIT_TEST_ENGINE=postgres`
 * (the second run of `npm test`) gives each new system a fresh PostgreSQL database on the
 * test server instead, so the same core tests hold on both engines.
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.SSOKIT_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

async function newStoreLocation(paths: HomePaths, name: string): Promise<string> {
  if (TEST_ENGINE === 'sqlite') return paths.defaultStore;
  const why = postgresUnavailable();
  if (why) throw new Error(`SSOKIT_TEST_ENGINE=postgres needs a PostgreSQL server: ${why}`);
  // Dropped with the throw-away server at the end of the run.
  return storeUrl(await freshDatabase(name));
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
    storePath: await newStoreLocation(paths, name),
    ssoAdminAccount: caller.user,
    affiliateAdminAccount: caller.user,
    backup: { path: backupPath, password: PASSWORD, reminder: 'test', overwrite: false },
  });
  return { ctx: await openNodeStore(await loadNode({ paths, deps, caller })), paths, backupPath };
}

export interface PerTest {
  readonly dir: ReturnType<typeof tempDir>;
  readonly sys: TestSystem;
}

/** A new system in a new temporary folder for every test; closed and removed after it. */
export function systemPerTest(name = 'alpha'): PerTest {
  const state = {} as { dir: ReturnType<typeof tempDir>; sys: TestSystem };
  beforeEach(async () => {
    state.dir = tempDir();
    state.sys = await newSystem(state.dir.path, name);
  });
  afterEach(async () => {
    await state.sys.ctx.store.close();
    state.dir.cleanup();
  });
  return state;
}

/** Opens another node's view of a home (after a command changed files on disk). */
export async function reopen(paths: HomePaths, deps: Deps = fastDeps()): Promise<StoreContext> {
  return openNodeStore(await loadNode({ paths, deps, caller: currentCaller() }));
}

/** Applications with credentials, made by the real -createapps and credentials import. */
export async function seedCredentials(ctx: StoreContext, apps: number, perApp: number): Promise<void> {
  const names = Array.from({ length: apps }, (_, a) => ({ name: `App${a}` }));
  await createApplications(ctx, 'seed.xml', readApplicationsXml(parseXml(Buffer.from(appXml(names)), 'seed.xml')));
  const lines: string[] = [];
  for (let a = 0; a < apps; a++) {
    for (let m = 0; m < perApp; m++) {
      lines.push(
        JSON.stringify({
          user: `CORP\\user${m}`,
          app: `App${a}`,
          externalUser: `X${m}`,
          fields: { 'User ID': `X${m}`, Password: `secret-${a}-${m}` },
        }),
      );
    }
  }
  await importCredentials(ctx, 'seed.jsonl', lines.join('\n'));
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
