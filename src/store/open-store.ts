import type { Store } from './store.js';

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
 * Puts the store at `replacement` in the place of the one at `location`, only while no
 * other process has it open (STORE_BUSY otherwise), in one rename.
 */
export async function replaceStore(location: string, replacement: string): Promise<void> {
  const { replaceSqliteStore } = await import('./sqlite/sqlite-store.js');
  return replaceSqliteStore(location, replacement);
}
