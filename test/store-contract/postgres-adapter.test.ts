/**
 * What only the PostgreSQL adapter has: its schema against the SQLite one, its placeholder
 * translation, its integrity report, and the bad inputs of issue 13 — a server down or
 * silent, a wrong or missing password, a missing or foreign database, a connection lost
 * in the middle of a transaction, a server restarted under one (on a server of this test's
 * own: a restart of the shared one would end other test files' connections).
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SsoError } from '../../src/errors.js';
import { openPostgresStore, openStore, type PostgresConnection } from '../../src/store/open-store.js';
import { REFERENCES } from '../../src/store/postgres/migrations.js';
import { toPositional } from '../../src/store/postgres/placeholders.js';
import type { Store } from '../../src/store/store.js';
import {
  adminConnection,
  freshDatabase,
  postgresUnavailable,
  privateServer,
  privateServerUnavailable,
  sqlIn,
  type TestDatabase,
  testPassword,
  withClient,
} from '../helpers/postgres.js';
import { describeNeeding, testNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';

const AUDIT_INSERT = 'INSERT INTO audit (at, os_user, node, operation, target, result) VALUES (?, ?, ?, ?, ?, ?)';
const row = (target: string) => ['t', 'u', 'n', 'op', target, 'ok'];

describe('PostgreSQL placeholders', () => {
  test('each ? outside literals, identifiers and comments becomes $1, $2, … in order', () => {
    expect(toPositional('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toEqual({
      text: 'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)',
      count: 3,
    });
    const kept = `SELECT '?', 'it''s ?', E'\\'?', "col?", $$?$$, $tag$ ? $tag$ /* ? /* ? */ ? */ -- ?
      , ? FROM t`;
    expect(toPositional(kept)).toEqual({ text: kept.replace(/, \? FROM/, ', $1 FROM'), count: 1 });
    expect(toPositional('SELECT ?::text, a$b, ?').text).toBe('SELECT $1::text, a$b, $2');
    expect(toPositional("SELECT 'unterminated ?").count).toBe(0);
  });
});

describe('the SQLite store never loads pg', () => {
  test('opening a SQLite store loads no module of pg (its cold start does not grow)', () => {
    const dir = tempDir();
    try {
      const openStoreJs = fileURLToPath(new URL('../../src/store/open-store.js', import.meta.url));
      const script = `
        const { openStore } = await import(${JSON.stringify(openStoreJs)});
        const store = await openStore(${JSON.stringify(join(dir.path, 's.sqlite'))}, { create: true, busyTimeoutMs: 1000 });
        await store.close();
        const { createRequire } = await import('node:module');
        const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules[\\\\/]pg/.test(k));
        console.log(JSON.stringify(loaded));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(JSON.parse(out.trim())).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});

describeNeeding(postgresUnavailable(), 'the PostgreSQL adapter tests')('PostgreSQL adapter', () => {
  const databases: TestDatabase[] = [];
  const stores: Store[] = [];
  const database = async (label: string) => {
    const db = await freshDatabase(label);
    databases.push(db);
    return db;
  };
  const open = async (connection: PostgresConnection, options: { create?: boolean; busyTimeoutMs?: number } = {}) => {
    const store = await openPostgresStore(connection, { busyTimeoutMs: 5000, ...options });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const db of databases.splice(0)) await db.drop();
  });

  /** The error an open rejects with, and how long it took. */
  const failure = async (connection: PostgresConnection, options: { create?: boolean } = {}) => {
    const started = Date.now();
    const error = await openPostgresStore(connection, { busyTimeoutMs: 1000, ...options }).then(
      async (store) => {
        await store.close();
        throw new Error('the store opened');
      },
      (e: unknown) => e,
    );
    return { error: error as SsoError, ms: Date.now() - started };
  };

  test('the schema has the tables, columns and indexes of the SQLite one', async () => {
    const db = await database('schema');
    const pgStore = await open(db.connection, { create: true });
    const dir = tempDir();
    const sqlite = await openStore(join(dir.path, 's.sqlite'), { create: true, busyTimeoutMs: 1000 });
    try {
      const sqliteTables = (await sqlite.values("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        .flat()
        .filter((name) => name !== 'sqlite_sequence') as string[];
      const pgTables = (
        await pgStore.values(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
        )
      ).flat();
      expect(pgTables).toEqual(sqliteTables);
      for (const table of sqliteTables) {
        const sqliteColumns = (await sqlite.all<{ name: string; notnull: number }>(`PRAGMA table_info(${table})`)).map(
          (c) => `${c.name}${c.notnull ? ' not null' : ''}`,
        );
        const pgColumns = (
          await pgStore.all<{ name: string; nullable: string }>(
            `SELECT column_name AS name, is_nullable AS nullable FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
            [table],
          )
        ).map((c) => `${c.name}${c.nullable === 'NO' ? ' not null' : ''}`);
        // SQLite lets a primary key column be null unless it says NOT NULL; PostgreSQL never does.
        expect(pgColumns.map((c) => c.replace(' not null', ''))).toEqual(
          sqliteColumns.map((c) => c.replace(' not null', '')),
        );
        for (const c of sqliteColumns.filter((c) => c.endsWith(' not null'))) expect(pgColumns).toContain(c);
      }
      const named = async (q: Store, sql: string) => (await q.values(sql)).flat().sort();
      expect(
        await named(
          pgStore,
          `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
             AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))`,
        ),
      ).toEqual(
        await named(
          sqlite,
          "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
        ),
      );
      // The foreign keys the integrity report checks are the schema's, all of them.
      const catalog = await pgStore.all<{ child: string; parent: string; columns: string[] }>(
        `SELECT ch.relname::text AS child, pa.relname::text AS parent,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) AS k(attnum)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns
         FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid
         WHERE c.contype = 'f'`,
      );
      const key = (t: string, cols: readonly string[], p: string) => `${t}(${cols.join()})->${p}`;
      expect(catalog.map((c) => key(c.child, c.columns, c.parent)).sort()).toEqual(
        REFERENCES.map((r) => key(r.table, r.columns, r.parent)).sort(),
      );
    } finally {
      await sqlite.close();
      dir.cleanup();
    }
  });

  test('the display form names the server, role and database, never the password', async () => {
    const db = await database('display');
    const store = await open(db.connection, { create: true });
    expect(store.kind).toBe('postgres');
    const { host, port, user } = db.connection;
    expect(store.location).toBe(`postgres://${user}@${host}:${port}/${db.name}`);
    const password = testPassword();
    if (password) expect(store.location).not.toContain(password);
  });

  test('a server nothing listens on: STORE_ERROR at once, saying the connection was refused', async () => {
    const port = await unusedPort();
    const { error, ms } = await failure({ host: '127.0.0.1', port, user: 'ssokit', database: 'x', password: 'p' });
    expect(error).toBeInstanceOf(SsoError);
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toBe(
      `cannot connect to the PostgreSQL server at 127.0.0.1:${port}: the connection was refused: is the server running, and listening on that address and port?`,
    );
    expect(ms).toBeLessThan(5000);
  });

  test('a server that accepts and never answers: STORE_ERROR within the connect timeout, no hang', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { error, ms } = await failure({
        host: '127.0.0.1',
        port,
        user: 'ssokit',
        database: 'x',
        password: 'p',
        connectionTimeoutMillis: 700,
      });
      expect(error).toMatchObject({
        code: 'STORE_ERROR',
        message: `cannot connect to the PostgreSQL server at 127.0.0.1:${port}: it did not answer within 0.7 s`,
      });
      expect(ms).toBeGreaterThanOrEqual(600);
      expect(ms).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('a host name that does not resolve: STORE_ERROR naming it', async () => {
    const { error, ms } = await failure({
      host: 'no-such-host.invalid',
      port: 5432,
      user: 'ssokit',
      database: 'x',
      password: 'p',
      connectionTimeoutMillis: 3000,
    });
    expect(error).toMatchObject({ code: 'STORE_ERROR' });
    expect(error.message).toMatch(
      /^cannot connect to the PostgreSQL server at no-such-host\.invalid:5432: (the host name does not resolve|it did not answer)/,
    );
    expect(ms).toBeLessThan(10_000);
  });

  test('a wrong password: STORE_ERROR naming the role, without the password anywhere', async () => {
    const db = await database('wrong-password');
    const password = 'not-the-password-4711';
    const { error } = await failure({ ...db.connection, password });
    expect(error).toBeInstanceOf(SsoError);
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toMatch(
      new RegExp(
        `refused the role "${db.connection.user}" for the database "${db.name}": password authentication failed`,
      ),
    );
    expect(error.hint).toMatch(/PGPASSWORD/);
    expect(JSON.stringify({ message: error.message, hint: error.hint, details: error.details })).not.toContain(
      password,
    );
  });

  test('no password where the server asks for one: a sentence that says so', async () => {
    const db = await database('no-password');
    const dir = tempDir();
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
    try {
      writeFileSync(join(dir.path, 'pgpass'), '', { mode: 0o600 });
      delete process.env.PGPASSWORD;
      process.env.PGPASSFILE = join(dir.path, 'pgpass');
      const { password: _, ...withoutPassword } = db.connection;
      const { error } = await failure(withoutPassword);
      expect(error).toMatchObject({
        code: 'STORE_ERROR',
        message: expect.stringContaining(
          `asks for a password for the role "${db.connection.user}", and none was given`,
        ),
      });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      dir.cleanup();
    }
  });

  test('the password file is read as libpq reads it, without node-postgres printing a warning', async () => {
    const db = await database('pgpass');
    const dir = tempDir();
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const { host, port, user, password } = db.connection;
      writeFileSync(join(dir.path, 'pgpass'), `${host}:${port}:${db.name}:${user}:${password}\n`, { mode: 0o600 });
      delete process.env.PGPASSWORD;
      process.env.PGPASSFILE = join(dir.path, 'pgpass');
      const { password: _, ...withoutPassword } = db.connection;
      const store = await open(withoutPassword, { create: true });
      expect(store.schemaVersion).toBe(store.latestSchemaVersion);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /pgpass/i.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      dir.cleanup();
    }
  });

  test('a database that does not exist: STORE_ERROR with a hint that says how to make it', async () => {
    const db = await database('exists');
    const { error } = await failure({ ...db.connection, database: `${db.name}_missing` });
    expect(error).toMatchObject({
      code: 'STORE_ERROR',
      message: `there is no database "${db.name}_missing" on the PostgreSQL server at ${db.connection.host}:${db.connection.port}`,
    });
    expect(error.hint).toMatch(/createdb|CREATE DATABASE/);
  });

  test('an empty database is a store only once init makes it', async () => {
    const db = await database('empty');
    const { error } = await failure(db.connection);
    expect(error).toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringContaining(
        'is not an ssokit credential store (it is an empty database); nothing was changed',
      ),
    });
    const [tables] = await sqlIn(db, "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = 'public'");
    expect(Number(tables!.rows[0].n)).toBe(0);
    const store = await open(db.connection, { create: true });
    expect(store.schemaVersion).toBe(store.latestSchemaVersion);
  });

  test("another application's tables, even in another schema, are refused before anything is written", async () => {
    const db = await database('foreign');
    await sqlIn(db, 'CREATE SCHEMA billing; CREATE TABLE billing.invoices (id bigint PRIMARY KEY)');
    for (const options of [{}, { create: true }]) {
      const { error } = await failure(db.connection, options);
      expect(error).toMatchObject({
        code: 'STORE_ERROR',
        message: expect.stringContaining('is not an ssokit credential store (it holds 1 table(s) of something else)'),
      });
    }
    const [tables] = await sqlIn(
      db,
      "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(Number(tables!.rows[0].n)).toBe(1);
  });

  test('two inits racing for one empty database: one makes the store, the other is told it exists', async () => {
    const db = await database('race');
    const results = await Promise.allSettled([
      open(db.connection, { create: true }),
      open(db.connection, { create: true }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused?.reason).toMatchObject({ code: 'STORE_EXISTS' });
  });

  test('a connection lost in the middle of a transaction: STORE_ERROR, nothing changed, the handle goes on', async () => {
    const db = await database('lost');
    const store = await open(db.connection, { create: true });
    await store.run(AUDIT_INSERT, row('before'));
    const error = await store
      .transaction(async (tx) => {
        await tx.run(AUDIT_INSERT, row('half'));
        const { pid } = (await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
        await withClient(db.connection, (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
        await tx.run(AUDIT_INSERT, row('after'));
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoError);
    expect(error).toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringMatching(
        new RegExp(
          `^the connection to the credential store at .*${db.name} was lost during the change .*; nothing was changed$`,
        ),
      ),
    });
    expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['before']]);
    await store.transaction((tx) => tx.run(AUDIT_INSERT, row('again')));
    expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['before'], ['again']]);
  });

  test('a connection lost while the transaction waits between statements, or in a pipelined batch, is the same', async () => {
    const db = await database('lost-idle');
    const store = await open(db.connection, { create: true });
    const idle = await store
      .transaction(async (tx) => {
        const { pid } = (await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
        await tx.run(AUDIT_INSERT, row('half'));
        await withClient(db.connection, (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
        await new Promise((resolve) => setTimeout(resolve, 200)); // the client hears of it while idle
        await tx.get('SELECT 1 AS one');
      })
      .catch((e: unknown) => e);
    expect(idle).toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('nothing was changed') });
    const batch = await store
      .transaction(async (tx) => {
        const { pid } = (await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
        const rows = Array.from({ length: 3000 }, (_, i) => row(`r${i}`));
        const killing = withClient(db.connection, (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
        await tx.runMany(AUDIT_INSERT, rows);
        await killing;
        await tx.runMany(AUDIT_INSERT, rows);
      })
      .catch((e: unknown) => e);
    expect(batch).toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('nothing was changed') });
    expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
  });

  testNeeding(privateServerUnavailable(), 'the server restart test')(
    'a server restarted in the middle of a transaction: STORE_ERROR, nothing changed; the handle reconnects',
    async () => {
      const server = await privateServer();
      try {
        const db = await freshDatabase('restarted', server.connection);
        const store = await openPostgresStore(db.connection, { create: true, busyTimeoutMs: 5000 });
        try {
          // Connections left idle in the pool by these are ended by the restart too.
          await Promise.all([store.run(AUDIT_INSERT, row('before')), store.get('SELECT 1 AS one')]);
          const error = await store
            .transaction(async (tx) => {
              await tx.run(AUDIT_INSERT, row('half'));
              await server.restart('fast');
              await tx.run(AUDIT_INSERT, row('after'));
            })
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(SsoError);
          expect(error).toMatchObject({
            code: 'STORE_ERROR',
            message: expect.stringMatching(/ was lost during the change \(.+\); nothing was changed$/),
            hint: 'run the command again when the server can be reached',
          });
          // The pool dropped its dead connections: reads and writes go on without a new handle.
          expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['before']]);
          await store.transaction((tx) => tx.run(AUDIT_INSERT, row('again')));
          expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['before'], ['again']]);
        } finally {
          await store.close();
          await db.drop();
        }
      } finally {
        await server.stop();
      }
    },
    60_000,
  );

  test('many transactions at once on one handle (a pool): all commit, in turn, no update lost', async () => {
    const db = await database('pool');
    const store = await open(db.connection, { create: true });
    await store.run(
      `INSERT INTO global_info (id, secret_server, sso_admin_account, affiliate_admin_account, audit_deleted_apps,
         audit_deleted_mappings, audit_credential_lookups, ticket_timeout, cred_cache_timeout, flags, created_at, updated_at)
       VALUES (1, 'mss', 'a', 'b', 1, 1, 1, 1, 1, 0, 't', 't')`,
    );
    await Promise.all(
      Array.from({ length: 30 }, () =>
        store.transaction(async (tx) => {
          const { flags } = (await tx.get<{ flags: number }>('SELECT flags FROM global_info'))!;
          await new Promise((resolve) => setTimeout(resolve, 1));
          await tx.run('UPDATE global_info SET flags = ?', [flags + 1]);
        }),
      ),
    );
    expect(await store.get('SELECT flags FROM global_info')).toEqual({ flags: 30 });
  });

  test('a foreign key dropped and put back unvalidated is named, with the rows it let through', async () => {
    const db = await database('unvalidated');
    const store = await open(db.connection, { create: true });
    await sqlIn(
      db,
      `BEGIN;
       ALTER TABLE data_keys DROP CONSTRAINT data_keys_master_secret_id_fkey;
       INSERT INTO applications (name, name_key, app_type, description, contact, user_accounts, admin_accounts,
         flags, ticket_timeout, purge_id, created_at, updated_at) VALUES ('A', 'a', 'group', '', '', '', '', 0, 0, '', 't', 't');
       INSERT INTO data_keys (app_id, state, master_secret_id, wrapped, created_at)
         SELECT id, 'active', 'gone', '\\x00', 't' FROM applications;
       COMMIT`,
    );
    expect(await store.integrityProblems()).toEqual([
      'the foreign key data_keys (master_secret_id) → master_secrets is missing',
      expect.stringMatching(/^1 row\(s\) of data_keys name a missing master_secrets row \(id \d+\)$/),
    ]);
    await sqlIn(
      db,
      `ALTER TABLE data_keys ADD CONSTRAINT data_keys_master_secret_id_fkey
         FOREIGN KEY (master_secret_id) REFERENCES master_secrets (id) NOT VALID`,
    );
    expect((await store.integrityProblems())[0]).toBe(
      'the foreign key data_keys (master_secret_id) → master_secrets is not validated',
    );
  });

  const admin = adminConnection();
  (admin ? test : test.skip)('with amcheck installed and allowed, a sound store is still reported sound', async () => {
    const db = await database('amcheck');
    const store = await open(db.connection, { create: true });
    await store.run(AUDIT_INSERT, row('a'));
    await withClient({ ...admin!, database: db.name }, async (c) => {
      await c.query('CREATE EXTENSION IF NOT EXISTS amcheck');
      // Not allowed yet: the report says nothing rather than failing.
      expect(await store.integrityProblems()).toEqual([]);
      await c.query(`GRANT EXECUTE ON FUNCTION bt_index_check(regclass, boolean) TO "${db.connection.user}"`);
      await c.query(
        `GRANT EXECUTE ON FUNCTION verify_heapam(regclass, boolean, boolean, text, bigint, bigint) TO "${db.connection.user}"`,
      );
    });
    expect(await store.integrityProblems()).toEqual([]);
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
