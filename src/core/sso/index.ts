/**
 * Single sign-on state: sign on, resolve, invalidate and reap, for the business systems of
 * a node (one group), kept in memory or, with failover, in the store.
 */

export { DEFAULT_LIST_LIMIT, invalidateEntry, listEntries, reapEntries, showEntry, storeRuntime } from './admin.js';
export { MemoryState } from './memory-state.js';
export {
  type EntryView,
  type GroupMember,
  type Resolution,
  type SessionView,
  SsoRuntime,
} from './runtime.js';
export type { AppSession, EntryFilter, SsoEntry, SsoState } from './state.js';
export { StoreState } from './store-state.js';
export { entryId, tokenHash } from './tokens.js';
