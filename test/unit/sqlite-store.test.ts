import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { StoreConstraintError } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const open = (name: string, create = false) => openStore(join(dir.path, name), { create, busyTimeoutMs: 1000 });

describe('SQLite store adapter', () => {
  test('a new store is 0600, migrated to the latest schema, in WAL mode with foreign keys', async () => {
    const store = await open('s.sqlite', true);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(statSync(join(dir.path, 's.sqlite')).mode & 0o777).toBe(0o600);
    expect(await store.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await store.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    const versions = await store.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual([...Array(LATEST_SCHEMA_VERSION).keys()].map((i) => i + 1));
    await store.close();
  });

  test('creating over an existing file is refused; opening a missing one too', async () => {
    writeFileSync(join(dir.path, 'x.sqlite'), '');
    await expect(open('x.sqlite', true)).rejects.toMatchObject({ code: 'STORE_EXISTS' });
    // A missing file is FILE_NOT_FOUND (exit 10), not a store error (issue 12, item 6).
    await expect(open('missing.sqlite')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  test('a transaction that throws changes nothing', async () => {
    const store = await open('s.sqlite', true);
    await expect(
      store.transaction(async (tx) => {
        await tx.run(
          "INSERT INTO audit (at, os_user, node, operation, target, result) VALUES ('t', 'u', 'n', 'op', 'x', 'ok')",
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
    await store.close();
  });

  test('constraint violations surface as StoreConstraintError with their kind', async () => {
    const store = await open('s.sqlite', true);
    const insert =
      "INSERT INTO master_secrets (id, generation, state, created_at, created_on_node) VALUES (?, ?, 'retired', 't', 'n')";
    await store.run(insert, ['a', 1]);
    await expect(store.run(insert, ['a', 2])).rejects.toMatchObject({ constraint: 'unique' });
    await expect(
      store.run("INSERT INTO fields (app_id, ordinal, label, label_key, masked) VALUES (99, 0, 'l', 'l', 0)"),
    ).rejects.toBeInstanceOf(StoreConstraintError);
    // Escaping a transaction (rows another process wrote after core checked), it is a CONFLICT.
    await expect(store.transaction((tx) => tx.run(insert, ['a', 3]))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('another command may have made the same change meanwhile; nothing was changed'),
    });
    expect(await store.all('SELECT id FROM master_secrets')).toEqual([{ id: 'a' }]);
    await store.close();
  });

  test('insert returns the new id; runMany runs a statement per row', async () => {
    const store = await open('s.sqlite', true);
    const sql = 'INSERT INTO audit (at, os_user, node, operation, target, result) VALUES (?, ?, ?, ?, ?, ?)';
    const first = await store.insert(sql, ['t', 'u', 'n', 'op', 'x', 'ok']);
    expect(
      await store.runMany(sql, [
        ['t', 'u', 'n', 'op', 'y', 'ok'],
        ['t', 'u', 'n', 'op', 'z', 'ok'],
      ]),
    ).toBe(2);
    const last = await store.insert(sql, ['t', 'u', 'n', 'op', 'w', 'ok']);
    expect(last).toBe(first + 3);
    await store.close();
  });

  test('a store from a newer ssokit is refused, not downgraded', async () => {
    const store = await open('s.sqlite', true);
    await store.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 't')");
    await store.close();
    const error = await open('s.sqlite').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoError);
    expect(error).toMatchObject({ code: 'STORE_SCHEMA' });
  });

  test('a file that is not SQLite is reported as a store error', async () => {
    writeFileSync(join(dir.path, 'junk.sqlite'), 'this is not a database, just text that is long enough'.repeat(100));
    await expect(open('junk.sqlite')).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });

  test('a second writer waits for the busy timeout and then gets STORE_BUSY', async () => {
    const a = await open('s.sqlite', true);
    const b = await openStore(join(dir.path, 's.sqlite'), { busyTimeoutMs: 200 });
    let release!: () => void;
    const held = a.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    const started = Date.now();
    await expect(b.transaction(async () => undefined)).rejects.toMatchObject({ code: 'STORE_BUSY' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    release();
    await held;
    await b.transaction(async () => undefined);
    await a.close();
    await b.close();
  });
});
