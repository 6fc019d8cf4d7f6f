/**
 * A real PostgreSQL server for tests, from the environment scripts/with-postgres sets up
 * (`npm test` runs through it):
 *
 *   SSOKIT_TEST_PG_URL            postgres://ssokit@127.0.0.1:PORT/ssokit_test — a role that
 *                                 may CREATE DATABASE; each test makes databases of its own
 *   SSOKIT_TEST_PG_PASSWORD_FILE  the role's password (also in PGPASSFILE)
 *   SSOKIT_TEST_PG_ADMIN_URL      a superuser on the same server (optional: amcheck tests)
 *   SSOKIT_TEST_PG_CTL            pg_ctl for the server. Tests that restart a server start one
 *                                 of their own (privateServer), never this shared one
 *
 * Without SSOKIT_TEST_PG_URL the PostgreSQL tests are skipped with the reason, or fail
 * under CI=true (describeNeeding). A server of your own works too: set the URL (a role
 * with CREATEDB) and the password file, then run jest.
 *
 * Tests reach the server directly with pg for what the store must not do itself (make
 * and drop databases, damage a store, end a backend).
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as PgModule from 'pg';
import type { PostgresConnection } from '../../src/store/open-store.js';
import { REPO_ROOT } from './cli.js';

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

function fromUrl(url: string, defaultPassword = testPassword()): PostgresConnection {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : defaultPassword;
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

/** A new, empty database owned by the test role (on the test server, or on `base`'s). */
export async function freshDatabase(label = 'db', base: PostgresConnection = baseConnection()): Promise<TestDatabase> {
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

/** A store location for the command line: the test server's URL (or `serverUrl`) with this database, no password. */
export function storeUrl(database: TestDatabase, serverUrl = process.env.SSOKIT_TEST_PG_URL): string {
  const url = new URL(serverUrl ?? 'postgres://127.0.0.1:5432/x');
  url.password = '';
  url.pathname = `/${database.name}`;
  return url.href;
}

/** Why a test file cannot have a PostgreSQL server of its own (privateServer), or null when it can. */
export function privateServerUnavailable(): string | null {
  const why = postgresUnavailable();
  if (why) return why;
  // scripts/with-postgres sets SSOKIT_TEST_PG_CTL: its server programs are there to start another.
  if (!process.env.SSOKIT_TEST_PG_CTL) {
    return 'SSOKIT_TEST_PG_CTL is not set (a server of your own): a server to restart is made by scripts/with-postgres';
  }
  return null;
}

/** A throw-away PostgreSQL server of one test file's own, which it may restart. */
export interface PrivateServer {
  /** As SSOKIT_TEST_PG_URL: the test role on the server's base database, no password. */
  url: string;
  /** The base database as the test role, password included. */
  connection: PostgresConnection;
  /** The environment a command needs to log in (PGPASSFILE holding this server's password). */
  env: Record<string, string>;
  /** `pg_ctl restart -m MODE`, resolved once the server is up again, with the milliseconds it took. */
  restart(mode?: 'smart' | 'fast' | 'immediate'): Promise<number>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a server of its own for a test that restarts one: restarting the shared test
 * server would end the connections of every other test file running at the time. It is
 * scripts/with-postgres around a process that prints the environment and waits for its
 * standard input to close; closing it stops the server and removes its folder (so does
 * the end of this process, which closes the pipe).
 */
export async function privateServer(): Promise<PrivateServer> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SSOKIT_TEST_PG_') && key !== 'PGPASSFILE') env[key] = value;
  }
  const report = `process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => k.startsWith('SSOKIT_TEST_PG_') || k === 'PGPASSFILE'))) + '\\n');
    process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(join(REPO_ROOT, 'scripts', 'with-postgres'), [process.execPath, '-e', report], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('error', reject);
    child.on('close', (status) =>
      reject(new Error(`scripts/with-postgres exited ${status} before its server was up: ${stderr.trim()}`)),
    );
  });
  const given = JSON.parse(line) as Record<string, string>;
  const stop = async () => {
    child.stdin.end();
    await exited;
  };
  const { SSOKIT_TEST_PG_URL: url, SSOKIT_TEST_PG_CTL: ctl, SSOKIT_TEST_PG_PASSWORD_FILE: passwordFile } = given;
  if (!url || !ctl || !passwordFile || !given.PGPASSFILE) {
    await stop();
    throw new Error(
      `scripts/with-postgres started no server: ${given.SSOKIT_TEST_PG_UNAVAILABLE ?? (stderr.trim() || 'no reason given')}`,
    );
  }
  return {
    url,
    connection: fromUrl(url, readFileSync(passwordFile, 'utf8').trim()),
    env: { PGPASSFILE: given.PGPASSFILE },
    restart: (mode = 'fast') =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const pgCtl = spawn(ctl, ['restart', '-m', mode], { stdio: ['ignore', 'ignore', 'pipe'] });
        let said = '';
        pgCtl.stderr.setEncoding('utf8').on('data', (d: string) => (said += d));
        pgCtl.on('error', reject);
        pgCtl.on('close', (status) =>
          status === 0
            ? resolve(performance.now() - started)
            : reject(new Error(`pg_ctl restart exited ${status}: ${said.trim()}`)),
        );
      }),
    stop,
  };
}
