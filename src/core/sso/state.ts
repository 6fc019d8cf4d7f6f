/**
 * Where single sign-on state lives. With a business system's `sso-failover-enabled`, in the
 * store, shared by every business server of that system, so a user stays signed on when
 * the server they used fails; otherwise in the service's memory only, and lost with it.
 * Both keep the same two things: the sign-on entry, and each application's session of it.
 */

export interface SsoEntry {
  /** SHA-256 of the single sign-on id. */
  hash: Buffer;
  /** The business system the user signed on through; its settings govern the entry. */
  bizsys: string;
  principal: string;
  authType: string;
  createdAtMs: number;
  lastAccessMs: number;
  maxInactiveMs: number;
}

export interface AppSession {
  hash: Buffer;
  /** The business system (application) this session is of. */
  bizsys: string;
  sessionId: string;
  createdAtMs: number;
  lastAccessMs: number;
  timeoutMs: number;
}

export interface EntryFilter {
  bizsys?: string | undefined;
  principal?: string | undefined;
}

export interface SsoState {
  readonly where: 'store' | 'memory';
  entry(hash: Buffer): Promise<SsoEntry | null>;
  session(hash: Buffer, bizsys: string): Promise<AppSession | null>;
  /** The entry and its session at `bizsys` in one read (a resolve's): null without the entry. */
  entryWithSession(hash: Buffer, bizsys: string): Promise<{ entry: SsoEntry; session: AppSession | null } | null>;
  sessions(hash: Buffer): Promise<AppSession[]>;
  /** A new entry and its first application session, together. */
  create(entry: SsoEntry, session: AppSession): Promise<void>;
  /** A new (or renewed) application session of an entry that is live. */
  putSession(session: AppSession): Promise<void>;
  /** Access to the entry and to one of its sessions; may be written a moment later. */
  touch(hash: Buffer, bizsys: string, nowMs: number): void;
  /** The entry and all its application sessions; whether there was one. */
  invalidate(hash: Buffer): Promise<boolean>;
  entries(filter: EntryFilter, limit: number): Promise<SsoEntry[]>;
  /** The entry whose hash begins with these 8 bytes (an administrator's entry id). */
  entryById(prefix: Buffer): Promise<SsoEntry | null>;
  /** Removes the entries not used within their max inactive time, and their sessions; how many. */
  reap(nowMs: number): Promise<number>;
  /** Writes what waits (the touches). */
  flush(): Promise<void>;
}
