import {
  type OpenStoreOptions,
  openPostgresStore,
  openStore,
  type PostgresConnection,
} from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

/** Where a store lives, as plain data (a worker thread opens its own handle from it). */
export type StoreAddress = { kind: 'sqlite'; path: string } | { kind: 'postgres'; connection: PostgresConnection };

export function openAt(address: StoreAddress, options: OpenStoreOptions): Promise<Store> {
  return address.kind === 'sqlite' ? openStore(address.path, options) : openPostgresStore(address.connection, options);
}
