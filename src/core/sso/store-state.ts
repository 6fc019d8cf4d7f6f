/**
 * Single sign-on state in the store (sso-failover-enabled), shared by the business servers
 * of a business system. Creations and invalidations are written at once — a sign-out on one
 * server must hold on the next — while the touches of each request are gathered and
 * written together every FLUSH_MS, and read back through the ones still waiting.
 */

import type { Queryable, Store } from '../../store/store.js';
import type { AppSession, EntryFilter, SsoEntry, SsoState } from './state.js';

export const FLUSH_MS = 200;

interface EntryRow {
  hash: Uint8Array;
  bizsys: string;
  principal: string;
  auth_type: string;
  created_at_ms: number;
  last_access_ms: number;
  max_inactive_ms: number;
}

interface SessionRow {
  hash: Uint8Array;
  bizsys: string;
  session_id: string;
  created_at_ms: number;
  last_access_ms: number;
  timeout_ms: number;
}

const ENTRY_COLUMNS = 'hash, bizsys, principal, auth_type, created_at_ms, last_access_ms, max_inactive_ms';
const SESSION_COLUMNS = 'hash, bizsys, session_id, created_at_ms, last_access_ms, timeout_ms';

const key = (hash: Uint8Array) => Buffer.from(hash).toString('hex');

function entryFrom(row: EntryRow): SsoEntry {
  return {
    hash: Buffer.from(row.hash),
    bizsys: row.bizsys,
    principal: row.principal,
    authType: row.auth_type,
    createdAtMs: Number(row.created_at_ms),
    lastAccessMs: Number(row.last_access_ms),
    maxInactiveMs: Number(row.max_inactive_ms),
  };
}

function sessionFrom(row: SessionRow): AppSession {
  return {
    hash: Buffer.from(row.hash),
    bizsys: row.bizsys,
    sessionId: row.session_id,
    createdAtMs: Number(row.created_at_ms),
    lastAccessMs: Number(row.last_access_ms),
    timeoutMs: Number(row.timeout_ms),
  };
}

export class StoreState implements SsoState {
  readonly where = 'store' as const;
  /** Touches not yet written: entry → when; entry/bizsys → when. */
  #entryTouches = new Map<string, { hash: Buffer; at: number }>();
  #sessionTouches = new Map<string, { hash: Buffer; bizsys: string; at: number }>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {}

  async entry(hash: Buffer): Promise<SsoEntry | null> {
    const row = await this.store.get<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM sso_entries WHERE hash = ?`, [hash]);
    if (!row) return null;
    const entry = entryFrom(row);
    const touched = this.#entryTouches.get(key(hash));
    if (touched && touched.at > entry.lastAccessMs) entry.lastAccessMs = touched.at;
    return entry;
  }

  async session(hash: Buffer, bizsys: string): Promise<AppSession | null> {
    const row = await this.store.get<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sso_sessions WHERE hash = ? AND bizsys = ?`,
      [hash, bizsys],
    );
    if (!row) return null;
    const session = sessionFrom(row);
    const touched = this.#sessionTouches.get(`${key(hash)} ${bizsys}`);
    if (touched && touched.at > session.lastAccessMs) session.lastAccessMs = touched.at;
    return session;
  }

  async entryWithSession(
    hash: Buffer,
    bizsys: string,
  ): Promise<{ entry: SsoEntry; session: AppSession | null } | null> {
    const row = await this.store.get<
      EntryRow & { session_id: string | null; s_created: number; s_access: number; s_timeout: number }
    >(
      `SELECT e.hash, e.bizsys, e.principal, e.auth_type, e.created_at_ms, e.last_access_ms, e.max_inactive_ms,
         s.session_id, s.created_at_ms AS s_created, s.last_access_ms AS s_access, s.timeout_ms AS s_timeout
       FROM sso_entries e LEFT JOIN sso_sessions s ON s.hash = e.hash AND s.bizsys = ?
       WHERE e.hash = ?`,
      [bizsys, hash],
    );
    if (!row) return null;
    const entry = entryFrom(row);
    const touched = this.#entryTouches.get(key(hash));
    if (touched && touched.at > entry.lastAccessMs) entry.lastAccessMs = touched.at;
    if (row.session_id === null) return { entry, session: null };
    const session = sessionFrom({
      hash: row.hash,
      bizsys,
      session_id: row.session_id,
      created_at_ms: row.s_created,
      last_access_ms: row.s_access,
      timeout_ms: row.s_timeout,
    });
    const sessionTouched = this.#sessionTouches.get(`${key(hash)} ${bizsys}`);
    if (sessionTouched && sessionTouched.at > session.lastAccessMs) session.lastAccessMs = sessionTouched.at;
    return { entry, session };
  }

  async sessions(hash: Buffer): Promise<AppSession[]> {
    return (
      await this.store.all<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sso_sessions WHERE hash = ? ORDER BY bizsys`, [
        hash,
      ])
    ).map(sessionFrom);
  }

  async create(entry: SsoEntry, session: AppSession): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.run(`INSERT INTO sso_entries (${ENTRY_COLUMNS}, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
        entry.hash,
        entry.bizsys,
        entry.principal,
        entry.authType,
        entry.createdAtMs,
        entry.lastAccessMs,
        entry.maxInactiveMs,
        entry.lastAccessMs + entry.maxInactiveMs,
      ]);
      await insertSession(tx, session);
    });
  }

  async putSession(session: AppSession): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM sso_sessions WHERE hash = ? AND bizsys = ?', [session.hash, session.bizsys]);
      // Only while the entry lives: a sign-out elsewhere in the meantime wins.
      const live = await tx.get('SELECT 1 AS live FROM sso_entries WHERE hash = ?', [session.hash]);
      if (live) await insertSession(tx, session);
    });
  }

  touch(hash: Buffer, bizsys: string, nowMs: number): void {
    this.#entryTouches.set(key(hash), { hash, at: nowMs });
    this.#sessionTouches.set(`${key(hash)} ${bizsys}`, { hash, bizsys, at: nowMs });
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async invalidate(hash: Buffer): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM sso_sessions WHERE hash = ?', [hash]);
      return (await tx.run('DELETE FROM sso_entries WHERE hash = ?', [hash])) > 0;
    });
  }

  async entries(filter: EntryFilter, limit: number): Promise<SsoEntry[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.bizsys) {
      where.push('bizsys = ?');
      params.push(filter.bizsys);
    }
    if (filter.principal) {
      where.push('principal = ?');
      params.push(filter.principal);
    }
    const rows = await this.store.all<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM sso_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at_ms LIMIT ?`,
      [...params, limit],
    );
    return rows.map(entryFrom);
  }

  async entryById(prefix: Buffer): Promise<SsoEntry | null> {
    const row = await this.store.get<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM sso_entries WHERE substr(hash, 1, 8) = ?`,
      [prefix],
    );
    return row ? entryFrom(row) : null;
  }

  async reap(nowMs: number): Promise<number> {
    await this.flush();
    return this.store.transaction(async (tx) => {
      await tx.run(
        'DELETE FROM sso_sessions WHERE hash IN (SELECT hash FROM sso_entries WHERE expires_at_ms < CAST(? AS BIGINT))',
        [nowMs],
      );
      return tx.run('DELETE FROM sso_entries WHERE expires_at_ms < CAST(? AS BIGINT)', [nowMs]);
    });
  }

  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const entries = [...this.#entryTouches.values()];
    const sessions = [...this.#sessionTouches.values()];
    this.#entryTouches = new Map();
    this.#sessionTouches = new Map();
    if (entries.length === 0 && sessions.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() =>
      this.store
        .transaction(async (tx) => {
          await tx.runMany(
            'UPDATE sso_entries SET last_access_ms = ?, expires_at_ms = CAST(? AS BIGINT) + max_inactive_ms WHERE hash = ? AND last_access_ms < ?',
            entries.map((e) => [e.at, e.at, e.hash, e.at]),
          );
          await tx.runMany(
            'UPDATE sso_sessions SET last_access_ms = ? WHERE hash = ? AND bizsys = ? AND last_access_ms < ?',
            sessions.map((s) => [s.at, s.hash, s.bizsys, s.at]),
          );
        })
        .catch(() => undefined),
    );
    return this.#flushing;
  }
}

async function insertSession(tx: Queryable, session: AppSession): Promise<void> {
  await tx.run(`INSERT INTO sso_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`, [
    session.hash,
    session.bizsys,
    session.sessionId,
    session.createdAtMs,
    session.lastAccessMs,
    session.timeoutMs,
  ]);
}
