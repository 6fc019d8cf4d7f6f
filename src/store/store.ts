/**
 * The store boundary. Core reaches the credential store only through these interfaces;
 * the SQLite adapter (store/sqlite/) is the only module that knows better-sqlite3, and the
 * PostgreSQL adapter (store/postgres/) the only one that knows pg. Both pass one contract
 * suite (test/store-contract/).
 *
 * Contract for SQL passed through it:
 * - `?` placeholders; values are strings, numbers, bigints, byte arrays or null; rows
 *   come back with integers as numbers and bytes as Buffers (Uint8Array);
 * - booleans are stored as 0/1 integers, times as ISO-8601 UTC text; text compares and
 *   orders byte by byte (SQLite's BINARY; the "C" collation in PostgreSQL);
 * - no dialect-specific syntax (upserts, RETURNING, AUTOINCREMENT, INSERT OR …) outside
 *   adapters: `insert` returns the new row's id, and schema DDL lives with each adapter;
 * - a parameter whose type only its context gives (`~?`, `? + ?`) is cast:
 *   `CAST(? AS BIGINT)`. PostgreSQL cannot infer it; SQLite does not mind.
 *
 * Transactions (the guarantee core builds on):
 * - one writer at a time per store, across every process and machine that uses it: a
 *   transaction takes the store's write lock before its first statement (SQLite's BEGIN
 *   IMMEDIATE; in PostgreSQL a transaction-scoped advisory lock, under READ COMMITTED),
 *   and waits for it up to the busy timeout (then STORE_BUSY). So each transaction sees
 *   everything the writers before it committed, and acts before the writers after it: a
 *   data key wrapped inside a transaction is wrapped under the master secret that
 *   transaction read, and rotations (and the pruning of secret files) queue;
 * - reads outside a transaction take no lock and never wait for writers; each sees what
 *   was committed when it ran;
 * - a write outside a transaction (`store.run`) is a transaction of its own;
 * - within one async call chain, one transaction at a time: calling
 *   `store.transaction()` inside another on the same handle is a programming error and
 *   throws. Transactions started from separate call chains on one handle either run
 *   concurrently (PostgreSQL: a pool, for a service sharing one handle across requests)
 *   or are refused with that error (SQLite: one connection); they never interleave
 *   within one transaction;
 * - a failure inside a transaction rolls it all back: a command fails with a sentence
 *   and nothing is half-done (a connection lost during COMMIT is the one case where the
 *   outcome is unknown, and the sentence says so).
 */

import { SsoError } from '../errors.js';

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
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store lives, for messages: a file path, or a URL without its password. */
  readonly location: string;
  /**
   * Runs `work` in one write transaction: all of it commits or none of it does. Takes the
   * store's write lock first, waiting for other writers up to the busy timeout (see the
   * guarantee above); `work` uses `tx` for its queries. Not nested within one call chain.
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
   * Runs `work` on one consistent snapshot: every read in it sees the store as it was at
   * its first read, while writers go on (SQLite: a read transaction under WAL; PostgreSQL:
   * REPEATABLE READ, READ ONLY). Reads only; not inside a transaction on the same handle.
   */
  snapshot<T>(work: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * The store's clock, in ms since the epoch: one clock for every node that shares the
   * store, where the nodes' own clocks may disagree (the master secret server lease).
   */
  clockMs(q: Queryable): Promise<number>;
  /** The highest id `table` (one with an identity key `id`) has handed out; ids are never reused. */
  idHighWater(q: Queryable, table: string): Promise<number>;
  /** Makes `table` hand out ids above `atLeast` from now on (db copy keeps the ids it copies). */
  raiseIdHighWater(tx: Queryable, table: string, atLeast: number): Promise<void>;
  /**
   * Writes a consistent copy of the whole store to `destination` (an empty file this
   * process made), while others go on reading and writing: SQLite's online backup. Only
   * an engine with a native file copy has it; core copies other stores row by row.
   */
  backup?(destination: string): Promise<void>;
  close(): Promise<void>;
}

/** A store whose schema a newer ssokit wrote: refused before anything is written. */
export function newerSchemaError(location: string, found: number, latest: number): SsoError {
  return new SsoError(
    'STORE_SCHEMA',
    `the store at ${location} has schema version ${found}, newer than this ssokit knows (${latest})`,
    { hint: 'upgrade ssokit on this node to the release the other nodes run' },
  );
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
