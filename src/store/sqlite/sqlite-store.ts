/**
 * The SQLite adapter: the only module that imports better-sqlite3.
 *
 * better-sqlite3 is synchronous; the Store contract is asynchronous so a networked
 * backend can implement it too. Each call here finishes synchronously and returns a
 * settled promise, so the boundary costs one microtask per call; bulk work goes through
 * `runMany` so it costs one per batch.
 */

import { closeSync, constants, existsSync, fchmodSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { SsoError } from '../../errors.js';
import { command, option, remedy } from '../../remedy.js';
import type { OpenStoreOptions } from '../open-store.js';
import { newerSchemaError, type Queryable, type SqlValue, type Store, StoreConstraintError } from '../store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';

// Required rather than imported: CommonJS imported from ES modules has its exports scanned
// at every start, which the cold-start budget cannot afford.
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
type Db = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

export async function openSqliteStore(location: string, options: OpenStoreOptions): Promise<Store> {
  if (options.create) {
    createPrivateFile(location);
    return openWritable(location, options, { fresh: true });
  }
  if (!existsSync(location)) {
    throw new SsoError('FILE_NOT_FOUND', `there is no credential store at ${location}`, {
      hint: remedy`check the path given with ${option('db')}, SSOKIT_DB or in node.json`,
    });
  }
  // check opens read-only unless the caller owns the file (then a plain connection reads,
  // and removes the -wal and -shm files it made when it closes, as the owner's would).
  if (options.readOnly && !ownedByCaller(location)) return openReadOnly(location, options);
  try {
    return await openWritable(location, options, { fresh: false });
  } catch (error) {
    // A store this user may only read, or one on a read-only file system: reads still work.
    if (isReadOnlyRefusal(error)) return openReadOnly(location, options);
    throw error;
  }
}

async function openWritable(
  location: string,
  options: OpenStoreOptions,
  { fresh }: { fresh: boolean },
): Promise<Store> {
  let db: Db;
  try {
    db = new Database(location, { fileMustExist: true, timeout: options.busyTimeoutMs });
  } catch (error) {
    throw storeError(error, location);
  }
  const store = new SqliteStore(db, location);
  try {
    // Only init makes a store: nothing else may migrate, switch the journal mode of, or
    // write to a file that another application (or nobody) made.
    if (!fresh) await assertSsokitStore(store, location);
    if (options.readOnly) {
      store.schemaVersion = await store.foundSchemaVersion();
      return store;
    }
    store.call(() => {
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk before we act on it (a rotation prunes old secret files
      // only after its commit), so a power cut cannot leave the store behind the files.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    });
    await store.migrate();
    return store;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Read-only: no journal-mode change, no migration, nothing created. A WAL store is read
 * through its -shm file when it has one (a writer is at work, or left it). Without one,
 * and where this user may not make one (or must not: a -shm owned by someone else breaks
 * the owner), the committed file is read into memory and opened there: with no -wal file
 * beside it, it holds every committed change. That is exact on a read-only file system,
 * and elsewhere exact as of the moment it was read.
 */
async function openReadOnly(location: string, options: OpenStoreOptions): Promise<Store> {
  let db: Db;
  try {
    if (existsSync(`${location}-shm`)) {
      db = new Database(location, { fileMustExist: true, readonly: true, timeout: options.busyTimeoutMs });
    } else if (!existsSync(`${location}-wal`)) {
      db = new Database(committedImage(location), { readonly: true });
    } else {
      throw new SsoError(
        'STORE_ERROR',
        `the credential store at ${location} has a -wal file and no -shm file, and this user cannot open it to recover`,
        { hint: "run any ssokit command as the store's owner once, on a file system it can write" },
      );
    }
    db.pragma('foreign_keys = ON');
  } catch (error) {
    throw storeError(error, location);
  }
  const store = new SqliteStore(db, location, true);
  try {
    await assertSsokitStore(store, location);
    store.schemaVersion = await store.foundSchemaVersion();
  } catch (error) {
    db.close();
    throw error;
  }
  if (!options.readOnly && store.schemaVersion < LATEST_SCHEMA_VERSION) {
    db.close();
    throw new SsoError(
      'STORE_SCHEMA',
      `the store at ${location} has schema version ${store.schemaVersion} and this user cannot upgrade it to ${LATEST_SCHEMA_VERSION}`,
      { hint: "run any ssokit command as the store's owner once, to upgrade it" },
    );
  }
  return store;
}

/** The largest store read into memory to be opened read-only. */
const MAX_IMAGE_BYTES = 2 ** 31;

/**
 * The store file's bytes, marked as a rollback-journal database (the file format's bytes
 * 18 and 19: 1 is the legacy journal, 2 is WAL), so SQLite opens the copy in memory.
 */
function committedImage(location: string): Buffer {
  const { size } = statSync(location);
  if (size > MAX_IMAGE_BYTES) {
    throw new SsoError(
      'STORE_ERROR',
      `the credential store at ${location} is too large to read without its -shm file`,
      {
        hint: "run the command as the store's owner, on a file system it can write",
      },
    );
  }
  const image = readFileSync(location);
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  return image;
}

/**
 * The swap of `db restore`. Leaving WAL mode needs the only connection to the file, so it
 * proves no other process has the store open; the exclusive lock then keeps everyone out
 * until the rename has put the replacement in its place.
 */
export async function replaceSqliteStore(location: string, replacement: string): Promise<void> {
  let db: Db;
  try {
    db = new Database(location, { fileMustExist: true, timeout: 0 });
  } catch (error) {
    throw storeError(error, location);
  }
  try {
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw new Error('SQLITE_BUSY');
      db.exec('BEGIN EXCLUSIVE');
    } catch {
      throw new SsoError('STORE_BUSY', `the credential store at ${location} is in use; nothing was replaced`, {
        hint: 'stop every ssokit command and service that uses it, on every node, then restore again',
      });
    }
    renameSync(replacement, location);
    db.exec('ROLLBACK');
  } finally {
    db.close();
  }
}

/** The tables every ssokit store has from its first migration on. */
const SSOKIT_TABLES = ['schema_migrations', 'global_info', 'master_secrets'];

async function assertSsokitStore(store: SqliteStore, location: string): Promise<void> {
  let names: string[];
  try {
    const rows = await store.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
    names = rows.map((r) => r.name);
  } catch (error) {
    const refused = storeError(error, location);
    if (refused instanceof SsoError && refused.code === 'STORE_ERROR' && /not a usable/.test(refused.message)) {
      throw notAnSsokitStore(location, 'it is not an SQLite database');
    }
    throw refused;
  }
  const missing = SSOKIT_TABLES.filter((name) => !names.includes(name));
  if (missing.length) {
    throw notAnSsokitStore(
      location,
      names.length ? `it holds ${names.length} table(s) of something else` : 'it is an empty database',
    );
  }
}

function notAnSsokitStore(location: string, why: string): SsoError {
  return new SsoError('STORE_ERROR', `${location} is not an ssokit credential store (${why}); nothing was changed`, {
    hint: remedy`give the store made by ${command('init')} with ${option('db', 'PATH')}, or make a new one with ${command('init')}`,
  });
}

function ownedByCaller(location: string): boolean {
  try {
    return process.getuid === undefined || statSync(location).uid === process.getuid();
  } catch {
    return false;
  }
}

function isReadOnlyRefusal(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code ?? '';
  return /^SQLITE_(READONLY|CANTOPEN|PERM)/.test(code) || code === 'EROFS' || code === 'EACCES';
}

/** The file is created 0600 before SQLite opens it; SQLite gives -wal and -shm the same mode. */
function createPrivateFile(location: string): void {
  let fd: number;
  try {
    fd = openSync(location, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SsoError('STORE_EXISTS', `a credential store already exists at ${location}`, {
        hint: remedy`point this node at it with ${command('join', option('db', 'PATH'))}, or choose another path`,
      });
    }
    throw new SsoError('IO_ERROR', `cannot create the credential store at ${location}: ${(error as Error).message}`);
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

class SqliteQueries implements Queryable {
  readonly #statements = new Map<string, Statement>();

  constructor(
    protected readonly db: Db,
    readonly location: string,
  ) {}

  readonly #rawStatements = new Map<string, Statement>();

  /** A statement returning rows as arrays (better-sqlite3's raw mode). */
  protected prepareRaw(sql: string): Statement {
    let statement = this.#rawStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql).raw(true);
      this.#rawStatements.set(sql, statement);
    }
    return statement;
  }

  protected prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  // Parameters are bound as one array (better-sqlite3 accepts that), and each method has its
  // own try/catch rather than a shared closure: these run once per row in bulk work.
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      return this.prepare(sql).all(params) as T[];
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  async values(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    try {
      return this.prepareRaw(sql).all(params) as unknown[][];
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    try {
      return this.prepare(sql).get(params) as T | undefined;
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      return this.prepare(sql).run(params).changes;
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  async insert(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      return Number(this.prepare(sql).run(params).lastInsertRowid);
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  async runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    try {
      const statement = this.prepare(sql);
      let changes = 0;
      for (const row of rows) changes += statement.run(row).changes;
      return changes;
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  call<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeError(error, this.location);
    }
  }
}

class SqliteStore extends SqliteQueries implements Store {
  readonly kind = 'sqlite' as const;
  readonly latestSchemaVersion = LATEST_SCHEMA_VERSION;
  schemaVersion = 0;
  #inTransaction = false;

  constructor(
    db: Db,
    location: string,
    /** Opened for reading only: this user may not write the file, or its file system is read-only. */
    readonly readOnly = false,
  ) {
    super(db, location);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    if (this.readOnly) {
      throw new SsoError(
        'FILE_PERMISSIONS',
        `cannot change the credential store at ${this.location}: this OS user may only read it, or its file system is read-only; nothing was changed`,
        { hint: "run the command as the store's owner, on a file system it can write" },
      );
    }
    if (this.#inTransaction) {
      // One connection, one transaction: a nested or overlapping call is a programming error.
      throw new Error('store.transaction() called while another transaction is open');
    }
    this.call(() => this.db.exec('BEGIN IMMEDIATE'));
    this.#inTransaction = true;
    try {
      const result = await work(this);
      this.call(() => this.db.exec('COMMIT'));
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      // A constraint core did not expect: rows another process wrote between core's checks
      // and this transaction. The user gets a sentence, not an internal error.
      if (error instanceof StoreConstraintError) {
        throw new SsoError(
          'CONFLICT',
          `the store refused the change (${error.message}): another command may have made the same change meanwhile; nothing was changed`,
          {
            hint: 'look at what is there now, then run the command again if it is still needed',
          },
        );
      }
      throw error;
    } finally {
      this.#inTransaction = false;
    }
  }

  async snapshot<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new Error('store.snapshot() called while a transaction is open');
    // A deferred BEGIN: the first read fixes the snapshot (WAL keeps it while writers commit).
    this.call(() => this.db.exec('BEGIN'));
    this.#inTransaction = true;
    try {
      const result = await work(this);
      this.call(() => this.db.exec('COMMIT'));
      return result;
    } finally {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.#inTransaction = false;
    }
  }

  async clockMs(q: Queryable): Promise<number> {
    // unixepoch('subsec') is seconds with milliseconds; a SQLite file has one machine's clock.
    const row = await q.get<{ ms: number }>("SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS ms");
    return Number(row?.ms);
  }

  async idHighWater(q: Queryable, table: string): Promise<number> {
    // AUTOINCREMENT keeps its high-water mark in sqlite_sequence (made by the first such table).
    const row = await q.get<{ seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?', [table]);
    return Number(row?.seq ?? 0);
  }

  async raiseIdHighWater(tx: Queryable, table: string, atLeast: number): Promise<void> {
    if (atLeast <= (await this.idHighWater(tx, table))) return;
    const changed = await tx.run('UPDATE sqlite_sequence SET seq = ? WHERE name = ?', [atLeast, table]);
    if (changed === 0) await tx.run('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [table, atLeast]);
  }

  async migrate(): Promise<void> {
    this.call(() =>
      this.db.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version INTEGER PRIMARY KEY,
           name TEXT NOT NULL,
           applied_at TEXT NOT NULL
         )`,
      ),
    );
    const current = async (q: Queryable) =>
      (await q.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
    let version = await current(this);
    if (version > LATEST_SCHEMA_VERSION) {
      throw newerSchemaError(this.location, version, LATEST_SCHEMA_VERSION);
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      await this.transaction(async (tx) => {
        // Another process may have migrated while we waited for the write lock.
        if ((await current(tx)) >= migration.version) return;
        for (const statement of migration.statements) this.call(() => this.db.exec(statement));
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      });
    }
    version = await current(this);
    this.schemaVersion = version;
  }

  /** The version recorded in the file (0 for a file no ssokit has migrated). */
  async foundSchemaVersion(): Promise<number> {
    const table = await this.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (!table) return 0;
    return (await this.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
  }

  async backup(destination: string): Promise<void> {
    try {
      await this.db.backup(destination);
    } catch (error) {
      throw storeError(error, this.location);
    }
  }

  async integrityProblems(): Promise<string[]> {
    const integrity = this.call(
      () => this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[],
    );
    const problems = integrity.map((row) => row.integrity_check).filter((text) => text !== 'ok');
    const orphans = this.call(
      () => this.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[],
    );
    const byTable = new Map<string, { parent: string; rows: number[] }>();
    for (const orphan of orphans) {
      const entry = byTable.get(orphan.table) ?? { parent: orphan.parent, rows: [] };
      entry.rows.push(orphan.rowid);
      byTable.set(orphan.table, entry);
    }
    for (const [table, { parent, rows }] of byTable) {
      problems.push(
        `${rows.length} row(s) of ${table} name a missing ${parent} row (rowid ${rows.slice(0, 5).join(', ')}${rows.length > 5 ? ', …' : ''})`,
      );
    }
    return problems;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function storeError(error: unknown, location: string): Error {
  if (error instanceof SsoError || error instanceof StoreConstraintError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    const kind =
      code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
        ? 'unique'
        : code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
          ? 'foreign_key'
          : code === 'SQLITE_CONSTRAINT_CHECK'
            ? 'check'
            : 'other';
    return new StoreConstraintError(kind, message);
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return new SsoError('STORE_BUSY', `the credential store at ${location} stayed busy: another command holds it`, {
      hint: 'try again when the other ssokit command has finished',
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new SsoError('STORE_ERROR', `the file at ${location} is not a usable credential store (${code})`, {
      hint: remedy`restore the store from a database backup; ${command('check')} reports what it can read`,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new SsoError(
      'FILE_PERMISSIONS',
      `cannot change the credential store at ${location}: this OS user may only read it, or its file system is read-only (${code})`,
      { hint: "run the command as the store's owner, on a file system it can write", cause: error },
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new SsoError('STORE_ERROR', `cannot open the credential store at ${location} (${code})`, {
      hint: 'check the file and folder permissions for this OS user',
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_')) {
    return new SsoError('STORE_ERROR', `the credential store failed: ${message} (${code})`, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}
