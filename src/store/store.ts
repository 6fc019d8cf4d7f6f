/**
 * The store boundary. Core reaches the credential store only through these interfaces;
 * the SQLite adapter (store/sqlite/) is the only module that knows better-sqlite3, and a
 * PostgreSQL adapter must be able to implement the same contract without core changing.
 *
 * Contract for SQL passed through it:
 * - `?` placeholders; values are strings, numbers, bigints, byte arrays or null;
 * - booleans are stored as 0/1 integers, times as ISO-8601 UTC text;
 * - no dialect-specific syntax (upserts, RETURNING, AUTOINCREMENT) outside adapters:
 *   `insert` returns the new row's id, and schema DDL lives with each adapter.
 */

export type SqlValue = string | number | bigint | Uint8Array | null;
export type Row = Record<string, unknown>;

export interface Queryable {
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Rows as arrays of column values, in select-list order (cheaper than objects for hot paths). */
  values(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  /** Runs a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs an INSERT into a table with an integer `id` key; returns the new id. */
  insert(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs one statement once per parameter row (bulk work); returns rows changed. */
  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number>;
}

export interface Store extends Queryable {
  readonly kind: 'sqlite';
  /** Where the store lives, for messages (a file path for SQLite). */
  readonly location: string;
  /**
   * Runs `work` in one write transaction: all of it commits or none of it does. Waits for
   * writers in other processes up to the busy timeout. One transaction at a time per
   * store handle; `work` uses `tx` for its queries.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** The schema version the store is at after migrations ran (as found, when read-only). */
  readonly schemaVersion: number;
  /** The schema version this ssokit writes. */
  readonly latestSchemaVersion: number;
  /**
   * What the database engine itself finds wrong (page-level damage, rows whose parent is
   * missing), one sentence each; empty when sound. Reads only.
   */
  integrityProblems(): Promise<string[]>;
  /**
   * Writes a consistent copy of the whole store to `destination` (an empty file this
   * process made), while others go on reading and writing: SQLite's online backup.
   */
  backup(destination: string): Promise<void>;
  close(): Promise<void>;
}

/** A constraint the store refused (a duplicate key, a missing parent row). */
export class StoreConstraintError extends Error {
  constructor(
    readonly constraint: 'unique' | 'foreign_key' | 'check' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'StoreConstraintError';
  }
}
