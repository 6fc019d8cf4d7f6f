/**
 * The PostgreSQL adapter: the only module that imports pg (node-postgres), loaded only
 * when a PostgreSQL store is opened.
 *
 * One handle is a connection pool, so a long-running service can run many transactions
 * at once on it. Writers are ordered as SQLite's BEGIN IMMEDIATE orders them: every
 * transaction begins by taking one transaction-scoped advisory lock (the writers' lock),
 * under READ COMMITTED, so each of its statements sees everything the writers before it
 * committed. Reads outside transactions take no lock and never wait for writers.
 * (docs/architecture.md, "The PostgreSQL store", says why this and not SERIALIZABLE.)
 *
 * Inside a transaction, the store handle itself answers from the transaction's
 * connection (an AsyncLocalStorage names it), as SQLite's single connection does: core
 * code that reads through `store` rather than `tx` while a transaction is open sees the
 * transaction's own changes, and cannot wait on its own lock.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type * as PgModule from 'pg';
import { SsoError } from '../../errors.js';
import { command, option, remedy } from '../../remedy.js';
import type { OpenStoreOptions } from '../open-store.js';
import { newerSchemaError, type Queryable, type SqlValue, type Store, StoreConstraintError } from '../store.js';
import {
  connectionTarget,
  DEFAULT_CONNECT_TIMEOUT_MS,
  describeConnection,
  type PostgresConnection,
} from './connection.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, REFERENCES, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import { type ErrorContext, isConnectionLoss, type Phase, storeError } from './pg-errors.js';
import { toPositional } from './placeholders.js';

export type { PostgresConnection } from './connection.js';

const requireCjs = createRequire(import.meta.url);
// Required rather than imported, as better-sqlite3 is: CommonJS packages imported from ES
// modules have their exports scanned at load.
const pg = requireCjs('pg') as typeof PgModule;

/**
 * A client that closes its socket when it fails to connect. node-postgres leaves the socket
 * open after a failure on the client's side of the handshake (no password to give a
 * server that asks for one), and the server then holds a half-made session, which keeps
 * the process alive and blocks DROP DATABASE, until its authentication_timeout.
 */
interface ConnectingClient {
  connect(callback?: (error: Error | null) => void): unknown;
}
const BaseClient = pg.Client as unknown as new (config?: PgModule.ClientConfig) => ConnectingClient;

class ClosingClient extends BaseClient {
  override connect(callback?: (error: Error | null) => void): unknown {
    const close = () =>
      (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    if (callback) {
      return super.connect((error) => {
        if (error) close();
        callback(error);
      });
    }
    return (super.connect() as Promise<unknown>).catch((error: unknown) => {
      close();
      throw error;
    });
  }
}

type Pool = PgModule.Pool;
type PoolClient = PgModule.PoolClient;
type QueryResult = PgModule.QueryResult;

/**
 * The writers' lock: one advisory lock key for every ssokit store (advisory locks are
 * per database, so stores in two databases of one server do not contend). "ssokit" in
 * ASCII.
 */
const WRITERS_LOCK_KEY = '126943134148980';

const WRITER_BEGIN = `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(${WRITERS_LOCK_KEY})`;
/** One snapshot for every statement, taking no lock, so writers go on (db copy, db backup). */
const SNAPSHOT_BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * A transaction left idle this long by its client (a node that vanished from the network
 * while holding the writers' lock) is ended by the server, so the other writers go on.
 * No ssokit transaction waits this long between two statements.
 */
const IDLE_IN_TRANSACTION_MS = 60_000;

/** The tables every ssokit store has from its first migration on (as in the SQLite adapter). */
const SSOKIT_TABLES = ['schema_migrations', 'global_info', 'master_secrets'];

/** Rows as the SQLite adapter returns them: integers as numbers, booleans as 0/1, bytes as Buffers. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (format !== 'binary') {
      if (oid === 20) return parseInt8; // bigint
      if (oid === 1700) return Number; // numeric (SUM of bigints)
      if (oid === 16) return parseBoolean;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as unknown as PgModule.CustomTypesConfig;

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function parseBoolean(text: string): number {
  return text === 't' || text === 'true' ? 1 : 0;
}

/** Server-side prepared statements, one name per statement text (a pool's connections share them). */
const statementNames = new Map<string, string>();
const STATEMENT_NAME_LIMIT = 1000;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < STATEMENT_NAME_LIMIT) {
    name = `ssokit_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/** What a query runs on: the pool (outside transactions) or one transaction's connection. */
interface Runner {
  query(config: PgModule.QueryConfig | PgModule.QueryArrayConfig): Promise<QueryResult>;
}

async function execute(
  runner: Runner,
  context: ErrorContext,
  sql: string,
  params: readonly SqlValue[],
  phase: Phase,
  arrays = false,
): Promise<QueryResult> {
  const { text, count } = toPositional(sql);
  if (params.length !== count) {
    // A programming error, as better-sqlite3's RangeError is.
    throw new RangeError(`the statement takes ${count} parameter(s) and was given ${params.length}`);
  }
  const name = count > 0 ? statementName(text) : undefined;
  const config = {
    text,
    values: params as unknown[],
    ...(name ? { name } : {}),
    ...(arrays ? { rowMode: 'array' as const } : {}),
  };
  try {
    return await runner.query(config);
  } catch (error) {
    throw storeError(error, context, phase);
  }
}

/** Rows of a runMany batch written to the connection before their answers are read. */
const RUN_MANY_IN_FLIGHT = 500;

/** The error that aborted a pipelined batch: the first one that is not "transaction aborted". */
function firstCause(settled: PromiseSettledResult<unknown>[], fallback: PromiseRejectedResult): unknown {
  for (const s of settled) {
    if (s.status !== 'rejected') continue;
    const code = (s.reason as { cause?: { code?: string } }).cause?.code;
    if (code !== '25P02') return s.reason;
  }
  return fallback.reason;
}

function returningId(sql: string): string {
  return `${sql.replace(/[\s;]+$/, '')} RETURNING id`;
}

function toId(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value);
}

/** One transaction: its connection, and whether it is still usable. */
class PgTransaction implements Queryable {
  done = false;
  committing = false;
  /** Set when the connection failed while no statement was running. */
  lost: Error | null = null;

  constructor(
    readonly client: PoolClient,
    readonly context: ErrorContext,
  ) {}

  get phase(): Phase {
    return this.committing ? 'commit' : 'transaction';
  }

  #guard(): void {
    if (this.done) throw new Error('a statement ran on a transaction that has ended');
    if (this.lost) throw storeError(this.lost, this.context, this.phase);
  }

  async query(sql: string, params: readonly SqlValue[], arrays = false): Promise<QueryResult> {
    this.#guard();
    return execute(this.client, this.context, sql, params, this.phase, arrays);
  }

  /** A statement without parameters, sent as a simple query (DDL, BEGIN, COMMIT). */
  async simple(sql: string): Promise<void> {
    this.#guard();
    try {
      await this.client.query(sql);
    } catch (error) {
      throw storeError(error, this.context, this.phase);
    }
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async values(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return (await this.query(sql, params, true)).rows as unknown as unknown[][];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async insert(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.query(returningId(sql), params);
    return toId((result.rows[0] as { id: unknown } | undefined)?.id);
  }

  /**
   * One prepared statement, executed once per row, pipelined: a batch of rows is written
   * to the connection before the first answer is read, so a batch costs about one round
   * trip rather than one per row (measured: 8 times faster than awaiting each row on a
   * local server; docs/architecture.md). A failing row aborts the transaction, and its
   * error is the one reported (the rows after it only say the transaction is aborted).
   */
  async runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    let changes = 0;
    for (let start = 0; start < rows.length; start += RUN_MANY_IN_FLIGHT) {
      const batch = rows.slice(start, start + RUN_MANY_IN_FLIGHT).map((row) => this.query(sql, row));
      const settled = await Promise.allSettled(batch);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw firstCause(settled, failed);
      for (const s of settled) if (s.status === 'fulfilled') changes += s.value.rowCount ?? 0;
    }
    return changes;
  }
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly latestSchemaVersion = LATEST_SCHEMA_VERSION;
  schemaVersion = 0;
  readonly #open = new AsyncLocalStorage<PgTransaction>();
  #closed = false;

  constructor(
    readonly pool: Pool,
    readonly context: ErrorContext,
    readonly readOnly: boolean,
  ) {}

  get location(): string {
    return this.context.location;
  }

  /** The transaction open in this async context on this handle, if any. */
  #current(): PgTransaction | undefined {
    const tx = this.#open.getStore();
    return tx && !tx.done ? tx : undefined;
  }

  async #read(sql: string, params: readonly SqlValue[], arrays = false): Promise<QueryResult> {
    const tx = this.#current();
    if (tx) return tx.query(sql, params, arrays);
    return execute(this.pool, this.context, sql, params, undefined, arrays);
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.#read(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.#read(sql, params)).rows[0] as T | undefined;
  }

  async values(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return (await this.#read(sql, params, true)).rows as unknown as unknown[][];
  }

  // A write outside a transaction is a transaction of its own, under the writers' lock, as
  // an autocommit write in SQLite takes its write lock.
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#write((tx) => tx.run(sql, params));
  }

  async insert(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#write((tx) => tx.insert(sql, params));
  }

  async runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    return this.#write((tx) => tx.runMany(sql, rows));
  }

  async #write<T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> {
    const tx = this.#current();
    if (tx) return work(tx);
    this.#refuseReadOnly();
    return this.#transact(work);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    this.#refuseReadOnly();
    try {
      return await this.#transact(work);
    } catch (error) {
      // As in the SQLite adapter: a constraint core did not expect is rows another process
      // wrote between core's checks and this transaction.
      if (error instanceof StoreConstraintError) {
        throw new SsoError(
          'CONFLICT',
          `the store refused the change (${error.message}): another command may have made the same change meanwhile; nothing was changed`,
          { hint: 'look at what is there now, then run the command again if it is still needed' },
        );
      }
      throw error;
    }
  }

  #refuseReadOnly(): void {
    if (this.readOnly) {
      throw new SsoError(
        'STORE_ERROR',
        `the credential store at ${this.location} was opened for reading only; nothing was changed`,
      );
    }
    if (this.#closed) throw new Error('the store handle is closed');
  }

  async #connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw storeError(error, this.context);
    }
  }

  async snapshot<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the store handle is closed');
    return this.#transact(work, SNAPSHOT_BEGIN);
  }

  async clockMs(q: Queryable): Promise<number> {
    // clock_timestamp(), not now(): now() is the transaction's start, and a lease is taken later.
    const row = await q.get<{ ms: string }>(
      'SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS bigint) AS ms',
    );
    return Number(row?.ms);
  }

  async idHighWater(q: Queryable, table: string): Promise<number> {
    // Sequences are not transactional: this is what the sequence has handed out by now.
    const row = await q.get<{ v: number | null }>(
      `SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(?, 'id') AS regclass)) AS v`,
      [table],
    );
    return Number(row?.v ?? 0);
  }

  async raiseIdHighWater(tx: Queryable, table: string, atLeast: number): Promise<void> {
    if (atLeast <= (await this.idHighWater(tx, table))) return;
    await tx.get(`SELECT setval(CAST(pg_get_serial_sequence(?, 'id') AS regclass), CAST(? AS BIGINT))`, [
      table,
      atLeast,
    ]);
  }

  /** Runs `work` in one transaction that holds the writers' lock (or, given SNAPSHOT_BEGIN, a read-only snapshot). */
  async #transact<T>(work: (tx: PgTransaction) => Promise<T>, begin = WRITER_BEGIN): Promise<T> {
    if (this.#current()) {
      // One transaction per async context, as SQLite allows one per connection: a nested
      // call would wait for the lock its own caller holds.
      throw new Error('store.transaction() called while another transaction is open');
    }
    const client = await this.#connect();
    const tx = new PgTransaction(client, this.context);
    const onError = (error: Error) => {
      tx.lost ??= error;
    };
    client.on('error', onError);
    let broken = false;
    try {
      await tx.simple(begin);
      const result = await this.#open.run(tx, () => work(tx));
      tx.committing = true;
      await tx.simple('COMMIT');
      return result;
    } catch (error) {
      if (!tx.committing || !isConnectionLoss(error)) broken = !(await rollback(client));
      else broken = true;
      throw storeError(error, this.context, tx.phase);
    } finally {
      tx.done = true;
      client.removeListener('error', onError);
      client.release(broken || tx.lost !== null ? true : undefined);
    }
  }

  /** What the database holds: its tables in the store's schema, and how many elsewhere. */
  async inspect(q: Queryable): Promise<{ schema: string | null; ours: string[]; elsewhere: number }> {
    const row = await q.get<{ schema: string | null; ours: string[] | null; elsewhere: number }>(
      `SELECT current_schema() AS schema,
         (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')) AS ours,
         (SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
             AND n.nspname IS DISTINCT FROM current_schema()
             AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%') AS elsewhere`,
    );
    return { schema: row?.schema ?? null, ours: row?.ours ?? [], elsewhere: row?.elsewhere ?? 0 };
  }

  /** Only init makes a store: anything else refuses a database that is not one. */
  async assertSsokitStore(): Promise<void> {
    const { schema, ours, elsewhere } = await this.inspect(this);
    if (schema === null) throw noSchema(this.context);
    if (SSOKIT_TABLES.every((name) => ours.includes(name))) return;
    const others = ours.length + elsewhere;
    throw notAnSsokitStore(
      this.context,
      others ? `it holds ${others} table(s) of something else` : 'it is an empty database',
      others === 0,
    );
  }

  /** The version recorded in the store. */
  async foundSchemaVersion(q: Queryable = this): Promise<number> {
    return (await q.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
  }

  /** Makes the store in an empty database: the check and the first migration in one transaction. */
  async create(): Promise<void> {
    await this.#transact(async (tx) => {
      const { schema, ours, elsewhere } = await this.inspect(tx);
      if (schema === null) throw noSchema(this.context);
      if (SSOKIT_TABLES.every((name) => ours.includes(name))) {
        throw new SsoError('STORE_EXISTS', `a credential store already exists at ${this.location}`, {
          hint: remedy`point this node at it with ${command('join', option('db', 'URL'))}, or choose another database`,
        });
      }
      if (ours.length + elsewhere > 0) {
        throw notAnSsokitStore(this.context, `it holds ${ours.length + elsewhere} table(s) of something else`, false);
      }
      await tx.simple(SCHEMA_MIGRATIONS_DDL);
      await applyMigration(tx, MIGRATIONS[0]!);
    });
    await this.migrate();
  }

  async migrate(): Promise<void> {
    let version = await this.foundSchemaVersion();
    if (version > LATEST_SCHEMA_VERSION) {
      throw newerSchemaError(this.location, version, LATEST_SCHEMA_VERSION);
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      await this.#transact(async (tx) => {
        // Another process may have migrated while we waited for the writers' lock.
        if ((await this.foundSchemaVersion(tx)) >= migration.version) return;
        await applyMigration(tx, migration);
      });
    }
    version = await this.foundSchemaVersion();
    this.schemaVersion = version;
  }

  async integrityProblems(): Promise<string[]> {
    const problems: string[] = [];
    const constraints = await this.all<{ child: string; parent: string; columns: string[]; validated: number }>(
      `SELECT ch.relname::text AS child, pa.relname::text AS parent, c.convalidated AS validated,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_constraint c
       JOIN pg_class ch ON ch.oid = c.conrelid
       JOIN pg_class pa ON pa.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
       WHERE c.contype = 'f' AND n.nspname = current_schema()`,
    );
    const tables = new Set((await this.inspect(this)).ours);
    for (const ref of REFERENCES) {
      if (!tables.has(ref.table) || !tables.has(ref.parent)) {
        problems.push(`the table ${tables.has(ref.table) ? ref.parent : ref.table} is missing`);
        continue;
      }
      const found = constraints.find(
        (c) => c.child === ref.table && c.parent === ref.parent && c.columns.join() === ref.columns.join(),
      );
      const name = `${ref.table} (${ref.columns.join(', ')}) → ${ref.parent}`;
      if (!found) problems.push(`the foreign key ${name} is missing`);
      else if (!found.validated) problems.push(`the foreign key ${name} is not validated`);
      const notNull = ref.columns.map((col) => `c.${col} IS NOT NULL`).join(' AND ');
      const match = ref.columns.map((col, i) => `p.${ref.parentColumns[i]} = c.${col}`).join(' AND ');
      const orphans = await this.values(
        `SELECT COUNT(*) OVER (), ${ref.key.map((k) => `c.${k}`).join(', ')} FROM ${ref.table} c
         WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${ref.parent} p WHERE ${match})
         ORDER BY ${ref.key.map((k) => `c.${k}`).join(', ')} LIMIT 5`,
      );
      if (orphans.length) {
        const total = Number(orphans[0]![0]);
        const keys = orphans.map((row) => row.slice(1).join('/'));
        problems.push(
          `${total} row(s) of ${ref.table} name a missing ${ref.parent} row (${ref.key.join('/')} ${keys.join(', ')}${total > keys.length ? ', …' : ''})`,
        );
      }
    }
    problems.push(...(await this.amcheckProblems()));
    return problems;
  }

  /**
   * What amcheck finds, where the extension is installed and this role may run it: each
   * B-tree index of the store checked against itself and its table, and each table's heap.
   */
  async amcheckProblems(): Promise<string[]> {
    const installed = await this.get<{ version: string }>(
      "SELECT extversion AS version FROM pg_extension WHERE extname = 'amcheck'",
    );
    if (!installed) return [];
    const schema = await this.get<{ nsp: string }>(
      "SELECT n.nspname::text AS nsp FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'",
    );
    const nsp = `"${(schema?.nsp ?? 'public').replace(/"/g, '""')}"`;
    const problems: string[] = [];
    const indexes = await this.all<{ name: string; oid: number }>(
      `SELECT ic.relname::text AS name, ic.oid::bigint AS oid FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_am am ON am.oid = ic.relam
        WHERE n.nspname = current_schema() AND am.amname = 'btree' ORDER BY ic.relname`,
    );
    for (const index of indexes) {
      try {
        await this.get(`SELECT ${nsp}.bt_index_check(CAST(? AS bigint)::oid, true)`, [index.oid]);
      } catch (error) {
        if (isPermissionError(error)) return problems; // installed, but not for this role
        problems.push(`amcheck finds the index ${index.name} damaged: ${(error as Error).message}`);
      }
    }
    const heapCheck = await this.get(
      `SELECT 1 AS yes FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname = 'verify_heapam' AND n.nspname = ?`,
      [schema?.nsp ?? 'public'],
    );
    if (!heapCheck) return problems;
    for (const table of (await this.inspect(this)).ours) {
      try {
        const found = await this.all<{ blkno: number; msg: string }>(
          `SELECT blkno, msg FROM ${nsp}.verify_heapam(CAST(? AS regclass), on_error_stop => false) LIMIT 5`,
          [`"${table.replace(/"/g, '""')}"`],
        );
        for (const f of found) problems.push(`amcheck finds the table ${table} damaged (block ${f.blkno}): ${f.msg}`);
      } catch (error) {
        if (isPermissionError(error)) return problems;
        problems.push(`amcheck cannot read the table ${table}: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

function isPermissionError(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === '42501' || /permission denied/i.test((error as Error).message ?? '');
}

async function applyMigration(tx: PgTransaction, migration: (typeof MIGRATIONS)[number]): Promise<void> {
  for (const statement of migration.statements) await tx.simple(statement);
  await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
    migration.version,
    migration.name,
    new Date().toISOString(),
  ]);
}

/** Returns false when the connection could not even roll back (it is then discarded). */
async function rollback(client: PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

function notAnSsokitStore(context: ErrorContext, why: string, empty: boolean): SsoError {
  return new SsoError(
    'STORE_ERROR',
    `${context.location} is not an ssokit credential store (${why}); nothing was changed`,
    {
      hint: empty
        ? remedy`make the store in it with ${command('init', option('db', 'URL'))}, or give the store made by init with ${option('db', 'URL')}`
        : remedy`give the store made by ${command('init')} with ${option('db', 'URL')}, or make a new one in an empty database with ${command('init')}`,
    },
  );
}

function noSchema(context: ErrorContext): SsoError {
  return new SsoError(
    'STORE_ERROR',
    `the role "${context.user}" has no schema to use in the database "${context.database}" (its search_path names none that exists)`,
    { hint: "set the role's search_path to the store's schema, or create the schema" },
  );
}

/**
 * The password source: the one given, else libpq's conventions (PGPASSWORD, then the
 * password file) looked up here, so node-postgres' deprecated password-file lookup (which
 * prints a warning) never runs.
 */
function passwordSource(connection: PostgresConnection): string | (() => Promise<string>) {
  const given = connection.password;
  if (typeof given === 'string') return given;
  return async () => {
    if (typeof given === 'function') return given();
    if (process.env.PGPASSWORD !== undefined) return process.env.PGPASSWORD;
    const lookup = requireCjs('pgpass') as (
      info: { host: string; port: number; database: string; user: string },
      found: (password: string | undefined) => void,
    ) => void;
    const target = connectionTarget(connection);
    // undefined: no password; the server says so if it wants one.
    return new Promise<string>((resolve) => lookup(target, (password) => resolve(password as string)));
  };
}

export async function openPostgresStore(
  connection: PostgresConnection,
  options: OpenStoreOptions,
  /** The display form to name the store by (a password-free URL); built from `connection` when absent. */
  display?: string,
): Promise<Store> {
  const target = connectionTarget(connection);
  const connectTimeoutMs = connection.connectionTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const context: ErrorContext = {
    location: display ?? describeConnection(connection),
    server: target.host.startsWith('/') ? `${target.host} (port ${target.port})` : `${target.host}:${target.port}`,
    user: target.user,
    database: target.database,
    connectTimeoutMs,
    password: typeof connection.password === 'string' ? connection.password : undefined,
  };
  const config: PgModule.PoolConfig = {
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    password: passwordSource(connection),
    ssl: connection.ssl ?? false,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: connection.application_name ?? 'ssokit',
    // Waits for the writers' lock (and any other lock) end after the busy timeout, as SQLite's do.
    lock_timeout: Math.max(1, options.busyTimeoutMs),
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    keepAlive: true,
    // Queries are written without waiting for the previous answer (runMany's batches); one
    // at a time everywhere else, as core awaits each.
    pipeline: true,
    max: connection.max ?? 10,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    types: TYPES,
    Client: ClosingClient as unknown as PgModule.PoolConfig['Client'],
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
  const pool = new pg.Pool(config);
  // A connection the server closed while it sat idle in the pool: the pool drops it, and
  // the next query opens another. Without a listener the process would exit.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, context, options.readOnly === true);
  try {
    if (options.create) {
      await store.create();
    } else {
      await store.assertSsokitStore();
      if (options.readOnly) store.schemaVersion = await store.foundSchemaVersion();
      else await store.migrate();
    }
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
