/**
 * Single sign-on groups, as Sun's application server has them: the business systems of a
 * node with sso-enabled are one group. A user signs on once, at any of them (sign on:
 * principal → single sign-on id); the others then give them a session of their own with
 * no new sign-on (resolve). A timeout is not a sign-out: an application whose session timed
 * out gives a new session, still without a new sign-on, and the others go on. An
 * invalidation is a sign-out: the entry and every session of the group end, and the next
 * request anywhere signs on again. The entry itself ends after the signed-on system's
 * sso-max-inactive-seconds without a request to any application of the group.
 */

import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';
import type { AppSession, EntryFilter, SsoEntry, SsoState } from './state.js';
import { entryId, newSessionId, newToken, tokenHash } from './tokens.js';

/** The settings of a business system that single sign-on follows. */
export interface GroupMember {
  name: string;
  ssoEnabled: boolean;
  maxInactiveSeconds: number;
  reapIntervalSeconds: number;
  failoverEnabled: boolean;
  sessionTimeoutSeconds: number;
}

export interface SessionView {
  bizsys: string;
  sessionId: string;
  /** A session begun by this request: the first of this application, or one after a timeout. */
  isNew: boolean;
}

export type Resolution =
  | { signedOn: false; reason: 'unknown' | 'expired' | 'sso-disabled' }
  | { signedOn: true; id: string; principal: string; authType: string; session: SessionView };

export interface EntryView {
  id: string;
  bizsys: string;
  principal: string;
  authType: string;
  where: 'store' | 'memory';
  createdAt: string;
  lastAccess: string;
  expiresAt: string;
  sessions: { bizsys: string; createdAt: string; lastAccess: string; timedOut: boolean }[];
}

export class SsoRuntime {
  constructor(
    private readonly memory: SsoState,
    private readonly store: SsoState | null,
    private readonly member: (bizsys: string) => GroupMember | null,
    private readonly now: () => number = Date.now,
  ) {}

  #stateOf(member: GroupMember): SsoState {
    if (member.failoverEnabled) {
      if (!this.store)
        throw new SsoError('NOT_CONFIGURED', 'single sign-on failover needs the store, and this runtime has none');
      return this.store;
    }
    return this.memory;
  }

  #member(bizsys: string): GroupMember {
    const member = this.member(bizsys);
    if (!member) {
      throw new SsoError('NOT_FOUND', `no business system named "${bizsys}" on this node`, {
        hint: remedy`see ${command('bizsys list')}`,
      });
    }
    return member;
  }

  /** Signs a principal on through `bizsys`: the new single sign-on id (the cookie's value). */
  async signOn(
    bizsys: string,
    principal: string,
    authType: string,
  ): Promise<{ token: string; id: string; session: SessionView }> {
    const member = this.#member(bizsys);
    if (!member.ssoEnabled) {
      throw new SsoError('DISABLED', `single sign-on is off for "${bizsys}" (bizsys.${bizsys}.sso-enabled=false)`);
    }
    const token = newToken();
    const hash = tokenHash(token)!;
    const now = this.now();
    const entry: SsoEntry = {
      hash,
      bizsys,
      principal,
      authType,
      createdAtMs: now,
      lastAccessMs: now,
      maxInactiveMs: member.maxInactiveSeconds * 1000,
    };
    const session = newSession(hash, member, now);
    await this.#stateOf(member).create(entry, session);
    return { token, id: entryId(hash), session: { bizsys, sessionId: session.sessionId, isNew: true } };
  }

  /** The entry and its session for `bizsys` (made now when it has none, or its last timed out). */
  async resolve(token: string, bizsys: string): Promise<Resolution> {
    const member = this.#member(bizsys);
    if (!member.ssoEnabled) return { signedOn: false, reason: 'sso-disabled' };
    const hash = tokenHash(token);
    if (!hash) return { signedOn: false, reason: 'unknown' };
    // One read: the entry with this application's session (memory first, then the store).
    let state: SsoState = this.memory;
    let found = await this.memory.entryWithSession(hash, bizsys);
    if (!found && this.store) {
      state = this.store;
      found = await this.store.entryWithSession(hash, bizsys);
    }
    if (!found) return { signedOn: false, reason: 'unknown' };
    const { entry } = found;
    const now = this.now();
    if (now - entry.lastAccessMs > entry.maxInactiveMs) {
      await state.invalidate(hash);
      return { signedOn: false, reason: 'expired' };
    }
    let session = found.session;
    let isNew = false;
    if (!session || now - session.lastAccessMs > session.timeoutMs) {
      session = newSession(hash, member, now);
      await state.putSession(session);
      isNew = true;
    } else {
      state.touch(hash, bizsys, now);
    }
    if (isNew) state.touch(hash, bizsys, now);
    return {
      signedOn: true,
      id: entryId(hash),
      principal: entry.principal,
      authType: entry.authType,
      session: { bizsys, sessionId: session.sessionId, isNew },
    };
  }

  /** Signs out: the entry and every session of the group; whether there was one. */
  async invalidate(token: string): Promise<boolean> {
    const hash = tokenHash(token);
    const found = hash ? await this.#find(hash) : null;
    return found ? found.state.invalidate(found.entry.hash) : false;
  }

  /** An administrator's view, by entry id (the hash's first 16 hex digits). */
  async list(filter: EntryFilter, limit = 1000): Promise<EntryView[]> {
    const entries = [
      ...(await this.memory.entries(filter, limit)),
      ...((await this.store?.entries(filter, limit)) ?? []),
    ];
    return Promise.all(entries.slice(0, limit).map((e) => this.#view(e)));
  }

  async show(id: string): Promise<EntryView | null> {
    const entry = await this.#byId(id);
    return entry ? this.#view(entry) : null;
  }

  async invalidateById(id: string): Promise<EntryView | null> {
    const entry = await this.#byId(id);
    if (!entry) return null;
    const view = await this.#view(entry);
    await (view.where === 'store' ? this.store! : this.memory).invalidate(entry.hash);
    return view;
  }

  /** Removes every entry past its max inactive time; how many, in memory and in the store. */
  async reap(): Promise<{ memory: number; store: number }> {
    const now = this.now();
    return { memory: await this.memory.reap(now), store: (await this.store?.reap(now)) ?? 0 };
  }

  async flush(): Promise<void> {
    await this.store?.flush();
  }

  async #find(hash: Buffer): Promise<{ entry: SsoEntry; state: SsoState } | null> {
    const inMemory = await this.memory.entry(hash);
    if (inMemory) return { entry: inMemory, state: this.memory };
    const inStore = (await this.store?.entry(hash)) ?? null;
    return inStore && this.store ? { entry: inStore, state: this.store } : null;
  }

  async #byId(id: string): Promise<SsoEntry | null> {
    if (!/^[0-9a-f]{16}$/.test(id)) {
      throw new SsoError('USAGE', `"${id.slice(0, 40)}" is not an entry id (16 hex digits, as ssokit sso list shows)`);
    }
    const prefix = Buffer.from(id, 'hex');
    return (await this.memory.entryById(prefix)) ?? (await this.store?.entryById(prefix)) ?? null;
  }

  async #view(entry: SsoEntry): Promise<EntryView> {
    const where = (await this.memory.entry(entry.hash)) ? 'memory' : 'store';
    const state = where === 'memory' ? this.memory : this.store!;
    const now = this.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: entryId(entry.hash),
      bizsys: entry.bizsys,
      principal: entry.principal,
      authType: entry.authType,
      where,
      createdAt: iso(entry.createdAtMs),
      lastAccess: iso(entry.lastAccessMs),
      expiresAt: iso(entry.lastAccessMs + entry.maxInactiveMs),
      sessions: (await state.sessions(entry.hash)).map((s) => ({
        bizsys: s.bizsys,
        createdAt: iso(s.createdAtMs),
        lastAccess: iso(s.lastAccessMs),
        timedOut: now - s.lastAccessMs > s.timeoutMs,
      })),
    };
  }
}

function newSession(hash: Buffer, member: GroupMember, now: number): AppSession {
  return {
    hash,
    bizsys: member.name,
    sessionId: newSessionId(),
    createdAtMs: now,
    lastAccessMs: now,
    timeoutMs: member.sessionTimeoutSeconds * 1000,
  };
}
