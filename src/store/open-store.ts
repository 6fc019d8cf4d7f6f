import type { PostgresConnection } from './postgres/connection.js';
import type { Store } from './store.js';

export type { PostgresConnection } from './postgres/connection.js';

export interface OpenStoreOptions {
  /** Create a new, empty store (the file must not exist yet). */
  create?: boolean;
  busyTimeoutMs: number;
  /**
   * Open without writing anything (ssokit check): no journal-mode change, no migration;
   * `schemaVersion` is what the file holds.
   */
  readOnly?: boolean;
}

/**
 * Opens the store at `location` and brings its schema up to date (unless read-only). The adapter is loaded
 * on demand so commands that never touch the store do not pay for the native module.
 */
export async function openStore(location: string, options: OpenStoreOptions): Promise<Store> {
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  return openSqliteStore(location, options);
}

/**
 * Opens the PostgreSQL store `connection` reaches, as `openStore` opens a file: the
 * database must hold an ssokit store, or be empty with `create` (init). The adapter, and
 * pg with it, is loaded only here, so SQLite commands never pay for it. `display` names
 * the store in messages (a URL without its password); by default it is built from
 * `connection`.
 */
export async function openPostgresStore(
  connection: PostgresConnection,
  options: OpenStoreOptions,
  display?: string,
): Promise<Store> {
  const adapter = await import('./postgres/postgres-store.js');
  return adapter.openPostgresStore(connection, options, display);
}

/**
 * Puts the store at `replacement` in the place of the one at `location`, only while no
 * other process has it open (STORE_BUSY otherwise), in one rename.
 */
export async function replaceStore(location: string, replacement: string): Promise<void> {
  const { replaceSqliteStore } = await import('./sqlite/sqlite-store.js');
  return replaceSqliteStore(location, replacement);
}
