/**
 * The single sign-on reaper under 1,000,000 entries in the store (sso-failover-enabled
 * state), on the engine of test/helpers/system.ts: SQLite, and PostgreSQL in the second
 * run of `npm test`. A tenth of the entries expired, the rest live, some of them at the very
 * edge of their window; StoreState.reap(now) must remove exactly the expired ones and their
 * sessions, and keep every live one with its sessions — timed-out application sessions too,
 * since a timeout is not a sign-out.
 *
 * SSOKIT_REAPER_ENTRIES scales the run (default 1,000,000, the figure CI runs on SQLite).
 */

import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { StoreState } from '../../src/core/sso/store-state.js';
import { insertRows } from '../../src/store/bulk-insert.js';
import type { SqlValue, Store } from '../../src/store/store.js';
import { newSystem, TEST_ENGINE, type TestSystem } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

// Well under a minute on SQLite; PostgreSQL's second run may take longer.
jest.setTimeout(240_000);

const ENTRIES = Number(process.env.SSOKIT_REAPER_ENTRIES ?? 1_000_000);
const CHUNK = 50_000;
const NOW = 1_700_000_000_000;
const MAX_INACTIVE_MS = 300_000;
const SESSION_TIMEOUT_MS = 1_800_000;

const ENTRY_COLUMNS = [
  'hash',
  'bizsys',
  'principal',
  'auth_type',
  'created_at_ms',
  'last_access_ms',
  'max_inactive_ms',
  'expires_at_ms',
] as const;
const SESSION_COLUMNS = ['hash', 'bizsys', 'session_id', 'created_at_ms', 'last_access_ms', 'timeout_ms'] as const;

type Kind = 'expired' | 'expired-edge' | 'live' | 'live-edge' | 'live-at-expiry';

/**
 * Entry i: one in ten expired (of those, one in a hundred by a single millisecond), the rest
 * live; of the live, one in a thousand last used exactly max-inactive ago (expires now: still
 * live) and one in a thousand a millisecond later.
 */
function kindOf(i: number): Kind {
  if (i % 1000 === 0) return 'expired-edge';
  if (i % 10 === 0) return 'expired';
  if (i % 1000 === 1) return 'live-at-expiry';
  if (i % 1000 === 11) return 'live-edge';
  return 'live';
}

function lastAccessOf(i: number): number {
  switch (kindOf(i)) {
    case 'expired-edge':
      return NOW - MAX_INACTIVE_MS - 1;
    case 'expired':
      return NOW - MAX_INACTIVE_MS - 1 - (i % 86_400_000);
    case 'live-at-expiry':
      return NOW - MAX_INACTIVE_MS;
    case 'live-edge':
      return NOW - MAX_INACTIVE_MS + 1;
    default:
      // Well inside the window: expires a second or more from now.
      return NOW - (i % (MAX_INACTIVE_MS - 2000));
  }
}

/** Sessions of entry i: shop always; news for every fourth (its own session timed out for some). */
const sessionsOf = (i: number) => (i % 4 === 0 ? 2 : 1);

/**
 * Entry i's hash: i in its first four bytes, then random bytes (one draw for them all).
 * Seeded in key order, so the bulk insert appends to the primary key's B-tree rather than
 * spilling the page cache a million random pages wide; the expired tenth is still spread
 * over the whole table.
 */
const HASHES = randomBytes(32 * ENTRIES);
function hashOf(i: number): Buffer {
  const hash = HASHES.subarray(32 * i, 32 * i + 32);
  hash.writeUInt32BE(i, 0);
  return hash;
}

async function seedEntries(store: Store, entries: number): Promise<void> {
  for (let from = 0; from < entries; from += CHUNK) {
    const to = Math.min(entries, from + CHUNK);
    const entryRows: SqlValue[][] = [];
    const sessionRows: SqlValue[][] = [];
    for (let i = from; i < to; i++) {
      const hash = hashOf(i);
      const last = lastAccessOf(i);
      const created = last - 60_000;
      entryRows.push([
        hash,
        'shop',
        `CORP\\user${i % 5000}`,
        'FORM',
        created,
        last,
        MAX_INACTIVE_MS,
        last + MAX_INACTIVE_MS,
      ]);
      sessionRows.push([hash, 'shop', `s-${i}`, created, last, SESSION_TIMEOUT_MS]);
      if (sessionsOf(i) === 2) {
        // Timed out in news for some (the entry itself may still live): not the reaper's to end.
        const newsLast = i % 8 === 0 ? last - SESSION_TIMEOUT_MS - 1 : last;
        sessionRows.push([hash, 'news', `n-${i}`, created, newsLast, SESSION_TIMEOUT_MS]);
      }
    }
    await store.transaction(async (tx) => {
      await insertRows(tx, 'sso_entries', ENTRY_COLUMNS, entryRows);
      await insertRows(tx, 'sso_sessions', SESSION_COLUMNS, sessionRows);
    });
  }
}

const count = async (store: Store, sql: string, params: SqlValue[] = []) =>
  Number((await store.get<{ n: number | string }>(sql, params))!.n);

describe(`the single sign-on reaper under ${ENTRIES.toLocaleString('en-US')} entries (${TEST_ENGINE})`, () => {
  let dir: ReturnType<typeof tempDir>;
  let sys: TestSystem;

  beforeAll(async () => {
    dir = tempDir();
    sys = await newSystem(dir.path, 'reaper');
  });
  afterAll(async () => {
    await sys?.ctx.store.close();
    dir?.cleanup();
  });

  test('removes exactly the expired entries and their sessions; keeps every live one', async () => {
    const store = sys.ctx.store;
    let expected = { expired: 0, live: 0, liveSessions: 0, expiredSessions: 0, edge: 0, atExpiry: 0 };
    for (let i = 0; i < ENTRIES; i++) {
      const kind = kindOf(i);
      if (kind.startsWith('expired')) {
        expected = {
          ...expected,
          expired: expected.expired + 1,
          expiredSessions: expected.expiredSessions + sessionsOf(i),
        };
      } else {
        expected.live++;
        expected.liveSessions += sessionsOf(i);
        if (kind !== 'live') expected.edge++;
        if (kind === 'live-at-expiry') expected.atExpiry++;
      }
    }

    const insertStarted = performance.now();
    await seedEntries(store, ENTRIES);
    const insertMs = performance.now() - insertStarted;
    expect(await count(store, 'SELECT count(*) AS n FROM sso_entries')).toBe(ENTRIES);
    expect(await count(store, 'SELECT count(*) AS n FROM sso_sessions')).toBe(
      expected.liveSessions + expected.expiredSessions,
    );

    const state = new StoreState(store);
    const reapStarted = performance.now();
    const removed = await state.reap(NOW);
    const reapMs = performance.now() - reapStarted;
    const rows = ENTRIES + expected.liveSessions + expected.expiredSessions;
    console.log(
      `sso reaper (${TEST_ENGINE}): inserted ${ENTRIES.toLocaleString('en-US')} entries + ${(expected.liveSessions + expected.expiredSessions).toLocaleString('en-US')} sessions in ${Math.round(insertMs)} ms (${Math.round(rows / (insertMs / 1000)).toLocaleString('en-US')} rows/s); reap removed ${removed.toLocaleString('en-US')} entries + ${expected.expiredSessions.toLocaleString('en-US')} sessions in ${Math.round(reapMs)} ms`,
    );

    expect(removed).toBe(expected.expired);
    expect(await count(store, 'SELECT count(*) AS n FROM sso_entries')).toBe(expected.live);
    expect(
      await count(store, 'SELECT count(*) AS n FROM sso_entries WHERE expires_at_ms < CAST(? AS BIGINT)', [NOW]),
    ).toBe(0);
    expect(await count(store, 'SELECT count(*) AS n FROM sso_sessions')).toBe(expected.liveSessions);
    expect(
      await count(
        store,
        'SELECT count(*) AS n FROM sso_sessions s WHERE NOT EXISTS (SELECT 1 FROM sso_entries e WHERE e.hash = s.hash)',
      ),
    ).toBe(0);
    // Every edge entry is still there: those expiring now, and a millisecond later.
    expect(
      await count(
        store,
        'SELECT count(*) AS n FROM sso_entries WHERE expires_at_ms IN (CAST(? AS BIGINT), CAST(? AS BIGINT))',
        [NOW, NOW + 1],
      ),
    ).toBe(expected.edge);

    // A sample, entry by entry, through the state itself.
    const step = Math.max(1, Math.floor(ENTRIES / 400));
    const sample = new Set<number>();
    for (let i = 0; i < ENTRIES; i += step) sample.add(i);
    for (let i = 0; i < ENTRIES && sample.size < 800; i += 1000) {
      for (const j of [i, i + 1, i + 4, i + 11, i + 12]) sample.add(j);
    }
    for (const i of sample) {
      if (i >= ENTRIES) continue;
      const hash = hashOf(i);
      const entry = await state.entry(hash);
      const sessions = await state.sessions(hash);
      if (kindOf(i).startsWith('expired')) {
        expect({ i, entry, sessions: sessions.length }).toEqual({ i, entry: null, sessions: 0 });
      } else {
        expect({ i, lastAccessMs: entry?.lastAccessMs, sessions: sessions.map((s) => s.sessionId) }).toEqual({
          i,
          lastAccessMs: lastAccessOf(i),
          sessions: sessionsOf(i) === 2 ? [`n-${i}`, `s-${i}`] : [`s-${i}`],
        });
      }
    }

    // A second reap at the same moment finds nothing; a millisecond later, the entries at expiry go.
    expect(await state.reap(NOW)).toBe(0);
    expect(await state.reap(NOW + 1)).toBe(expected.atExpiry);
  });
});
