import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Create a new, empty store (the file must not exist yet). */
  create?: boolean;
  busyTimeoutMs: number;
}

/**
 * Opens the store at `location` and brings its schema up to date. The adapter is loaded
 * on demand so commands that never touch the store do not pay for the native module.
 */
export async function openStore(location: string, options: OpenStoreOptions): Promise<Store> {
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  return openSqliteStore(location, options);
}
