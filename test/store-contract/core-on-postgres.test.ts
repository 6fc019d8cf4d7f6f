/**
 * Core's own SQL on PostgreSQL: a system made by the real init (on SQLite), its rows moved
 * into a PostgreSQL store by db copy's row copy, then core's operations run on that store —
 * applications, imports, lookups, enabling and disabling, rotation, re-encryption,
 * deletion, the audit — to show the SQL in src/core is portable.
 */

import { join } from 'node:path';
import { deleteApplication, listApplications, setApplicationEnabled } from '../../src/core/manage/apps.js';
import { lookupCredentials } from '../../src/core/manage/lookup.js';
import { listMappings } from '../../src/core/manage/mappings.js';
import { reencryptStore } from '../../src/core/secret/reencrypt.js';
import { rotateSecret } from '../../src/core/secret/rotate.js';
import { listAudit } from '../../src/core/shared/audit.js';
import type { StoreContext } from '../../src/core/shared/context.js';
import { copyRows } from '../../src/core/system/store-copy.js';
import { openPostgresStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { newSystem, openAllCredentials, PASSWORD, seedCredentials } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

describeNeeding(postgresUnavailable(), "core's SQL on PostgreSQL")("core's SQL on PostgreSQL", () => {
  let dir: ReturnType<typeof tempDir>;
  let db: TestDatabase;
  let ctx: StoreContext;
  let sqlite: Store;

  beforeEach(async () => {
    dir = tempDir();
    const sys = await newSystem(dir.path);
    db = await freshDatabase('core');
    const pg = await openPostgresStore(db.connection, { create: true, busyTimeoutMs: 5000 });
    await copyRows(sys.ctx.store, pg);
    sqlite = sys.ctx.store;
    ctx = { ...sys.ctx, store: pg };
  });
  afterEach(async () => {
    await ctx.store.close();
    await sqlite.close();
    await db.drop();
    dir.cleanup();
  });

  test('applications, imports, lookups, rotation, re-encryption and deletion work, and check stays clean', async () => {
    await seedCredentials(ctx, 3, 4);
    const before = await openAllCredentials(ctx);
    expect(before.size).toBe(12);
    expect((await listApplications(ctx, { all: true })).map((a) => a.name)).toEqual(['App0', 'App1', 'App2']);
    const mappings = await listMappings(ctx, { app: 'App1' });
    expect(mappings.map((m) => m.localUser)).toEqual(['CORP\\user0', 'CORP\\user1', 'CORP\\user2', 'CORP\\user3']);

    await setApplicationEnabled(ctx, 'App1', false);
    await setApplicationEnabled(ctx, 'App1', true);
    const [looked] = await lookupCredentials(ctx, [{ user: 'CORP\\user2', app: 'App1' }], { reveal: true });
    expect(looked).toMatchObject({ app: 'App1' });
    expect(JSON.stringify(looked)).toContain('secret-1-2');

    await rotateSecret(ctx, {
      path: join(dir.path, 'rotated.bak'),
      password: PASSWORD,
      reminder: 'r',
      overwrite: false,
    });
    await reencryptStore(ctx, { batchSize: 5 });
    expect(await openAllCredentials(ctx)).toEqual(before);

    expect(await deleteApplication(ctx, 'App2')).toEqual({ name: 'App2', mappings: 4 });
    expect((await listAudit(ctx.store, { kind: 'deleted-apps', limit: 5 })).map((r) => r.app)).toEqual(['App2']);
    const operations = (await listAudit(ctx.store, { kind: 'operations', limit: 100 })).map((r) => r.operation);
    expect(operations).toContain('secret-rotate');
    expect(await ctx.store.integrityProblems()).toEqual([]);
  });
});
