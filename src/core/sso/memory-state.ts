/** Single sign-on state in the service's memory: lost with the service, as GlassFish's is without failover. */

import type { AppSession, EntryFilter, SsoEntry, SsoState } from './state.js';

const key = (hash: Buffer) => hash.toString('hex');

export class MemoryState implements SsoState {
  readonly where = 'memory' as const;
  readonly #entries = new Map<string, SsoEntry>();
  readonly #sessions = new Map<string, Map<string, AppSession>>();

  async entry(hash: Buffer): Promise<SsoEntry | null> {
    return this.#entries.get(key(hash)) ?? null;
  }

  async session(hash: Buffer, bizsys: string): Promise<AppSession | null> {
    return this.#sessions.get(key(hash))?.get(bizsys) ?? null;
  }

  async entryWithSession(
    hash: Buffer,
    bizsys: string,
  ): Promise<{ entry: SsoEntry; session: AppSession | null } | null> {
    const entry = this.#entries.get(key(hash));
    return entry ? { entry, session: this.#sessions.get(key(hash))?.get(bizsys) ?? null } : null;
  }

  async sessions(hash: Buffer): Promise<AppSession[]> {
    return [...(this.#sessions.get(key(hash))?.values() ?? [])];
  }

  async create(entry: SsoEntry, session: AppSession): Promise<void> {
    this.#entries.set(key(entry.hash), { ...entry });
    this.#sessions.set(key(entry.hash), new Map([[session.bizsys, { ...session }]]));
  }

  async putSession(session: AppSession): Promise<void> {
    const sessions = this.#sessions.get(key(session.hash));
    if (sessions) sessions.set(session.bizsys, { ...session });
  }

  touch(hash: Buffer, bizsys: string, nowMs: number): void {
    const entry = this.#entries.get(key(hash));
    if (entry) entry.lastAccessMs = nowMs;
    const session = this.#sessions.get(key(hash))?.get(bizsys);
    if (session) session.lastAccessMs = nowMs;
  }

  async invalidate(hash: Buffer): Promise<boolean> {
    this.#sessions.delete(key(hash));
    return this.#entries.delete(key(hash));
  }

  async entries(filter: EntryFilter, limit: number): Promise<SsoEntry[]> {
    const out: SsoEntry[] = [];
    for (const entry of this.#entries.values()) {
      if (out.length >= limit) break;
      if (filter.bizsys && entry.bizsys !== filter.bizsys) continue;
      if (filter.principal && entry.principal !== filter.principal) continue;
      out.push({ ...entry });
    }
    return out;
  }

  async entryById(prefix: Buffer): Promise<SsoEntry | null> {
    for (const entry of this.#entries.values()) if (entry.hash.subarray(0, 8).equals(prefix)) return { ...entry };
    return null;
  }

  async reap(nowMs: number): Promise<number> {
    let removed = 0;
    for (const [id, entry] of this.#entries) {
      if (nowMs - entry.lastAccessMs <= entry.maxInactiveMs) continue;
      this.#entries.delete(id);
      this.#sessions.delete(id);
      removed++;
    }
    return removed;
  }

  async flush(): Promise<void> {}
}
