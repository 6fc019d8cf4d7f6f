/**
 * A real PostgreSQL server for tests, from the environment scripts/with-postgres sets up
 * (`npm test` runs through it):
 *
 *   SSOKIT_TEST_PG_URL            postgres://ssokit@127.0.0.1:PORT/ssokit_test — a role that
 *                                 may CREATE DATABASE; each test makes databases of its own
 *   SSOKIT_TEST_PG_PASSWORD_FILE  the role's password (also in PGPASSFILE)
 *   SSOKIT_TEST_PG_ADMIN_URL      a superuser on the same server (optional: amcheck tests)
 *   SSOKIT_TEST_PG_CTL            pg_ctl for the server (restart tests)
 *
 * Without SSOKIT_TEST_PG_URL the PostgreSQL tests are skipped with the reason, or fail
 * under CI=true (describeNeeding). A server of your own works too: set the URL (a role
 * with CREATEDB) and the password file, then run jest.
 *
 * Tests reach the server directly with pg for what the store must not do itself (make
 * and drop databases, damage a store, end a backend).
 */

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as PgModule from 'pg';
import type { PostgresConnection } from '../../src/store/open-store.js';

const pg = createRequire(import.meta.url)('pg') as typeof PgModule;

/** Why the PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  if (process.env.SSOKIT_TEST_PG_URL) return null;
  return (
    process.env.SSOKIT_TEST_PG_UNAVAILABLE ??
    'SSOKIT_TEST_PG_URL is not set: run the tests through scripts/with-postgres (npm test does)'
  );
}

function readOptional(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return readFileSync(path, 'utf8').trim();
}

/** The test role's password, when the set-up gave one. */
export function testPassword(): string | undefined {
  return readOptional(process.env.SSOKIT_TEST_PG_PASSWORD_FILE);
}

function fromUrl(url: string): PostgresConnection {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : testPassword();
  return {
    host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    database: decodeURIComponent(u.pathname.slice(1)),
    connectionTimeoutMillis: 10_000,
    ...(password === undefined ? {} : { password }),
  };
}

/** The base database of the test server, as the test role. */
export function baseConnection(): PostgresConnection {
  const url = process.env.SSOKIT_TEST_PG_URL;
  if (!url) throw new Error(postgresUnavailable() ?? 'no PostgreSQL');
  return fromUrl(url);
}

/** The superuser connection, or null when the set-up gave none. */
export function adminConnection(): PostgresConnection | null {
  const url = process.env.SSOKIT_TEST_PG_ADMIN_URL;
  return url ? fromUrl(url) : null;
}

/** Runs `work` on a plain pg client (not the adapter), then closes it. */
export async function withClient<T>(
  connection: PostgresConnection,
  work: (client: PgModule.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ ...connection, password: connection.password ?? testPassword() ?? '' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  name: string;
  connection: PostgresConnection;
  /** Drops the database, ending whatever is still connected to it. */
  drop(): Promise<void>;
}

let counter = 0;

/** A new, empty database owned by the test role. */
export async function freshDatabase(label = 'db'): Promise<TestDatabase> {
  const base = baseConnection();
  const tag = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  // Jest runs many test files in one worker process, each with its own counter: the
  // random part keeps their names apart.
  const name = `ssokit_t_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}_${tag}`;
  await withClient(base, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    connection: { ...base, database: name },
    drop: () =>
      withClient(base, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs SQL (no parameters) in `database` as the test role. */
export async function sqlIn(database: TestDatabase, sql: string): Promise<PgModule.QueryResult[]> {
  return withClient(database.connection, async (c) => {
    const result = (await c.query(sql)) as PgModule.QueryResult | PgModule.QueryResult[];
    return Array.isArray(result) ? result : [result];
  });
}

/** A store location for the command line: the test server's URL with this database, no password. */
export function storeUrl(database: TestDatabase): string {
  const url = new URL(process.env.SSOKIT_TEST_PG_URL ?? 'postgres://127.0.0.1:5432/x');
  url.password = '';
  url.pathname = `/${database.name}`;
  return url.href;
}
