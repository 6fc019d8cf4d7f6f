/**
 * The master secret server lease: of the nodes that answer to the store's `secretServer`
 * name (a cluster name) and hold the secret, one is active — it holds this row, renewed
 * every few seconds, valid until a time on the store's clock, never a node's own (the
 * nodes' clocks may disagree; the store's is one). The others are standby and take the row
 * only once it has lapsed. Taking it over is audited.
 */

import type { Queryable, Store } from '../../store/store.js';
import type { AuditActor } from '../shared/index.js';
import { recordAudit } from '../shared/index.js';

export interface Lease {
  /** The secretServer name the lease is for. */
  name: string;
  holder: string;
  /** Goes up by one at every change of holder. */
  term: number;
  acquiredAtMs: number;
  expiresAtMs: number;
  /** The store's clock when the lease was read. */
  storeNowMs: number;
}

interface LeaseRow {
  holder: string;
  term: number;
  acquired_at_ms: number;
  expires_at_ms: number;
}

const key = (name: string) => name.toLowerCase();

function fromRow(name: string, row: LeaseRow, storeNowMs: number): Lease {
  return {
    name,
    holder: row.holder,
    term: Number(row.term),
    acquiredAtMs: Number(row.acquired_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
    storeNowMs,
  };
}

async function readRow(q: Queryable, name: string): Promise<LeaseRow | undefined> {
  return q.get<LeaseRow>(
    'SELECT holder, term, acquired_at_ms, expires_at_ms FROM secret_server_leases WHERE name_key = ?',
    [key(name)],
  );
}

/** The lease for `name` as the store has it now, or null when no node ever held it. */
export async function readLease(store: Store, name: string): Promise<Lease | null> {
  const row = await readRow(store, name);
  return row ? fromRow(name, row, await store.clockMs(store)) : null;
}

/** A lease someone holds now, by the store's clock. */
export function leaseIsLive(lease: Lease | null): lease is Lease {
  return lease !== null && lease.expiresAtMs > lease.storeNowMs;
}

export interface LeaseAttempt {
  held: boolean;
  /** This attempt took the lease from another node (or took it first). */
  tookOver: boolean;
  lease: Lease;
}

/**
 * Renews the lease when `node` holds it, takes it when it has lapsed (or never existed),
 * and otherwise leaves it to its holder; in one transaction, under the store's write lock,
 * so two nodes cannot both take it.
 */
export async function tryLease(
  store: Store,
  name: string,
  node: string,
  leaseMs: number,
  actor: AuditActor,
): Promise<LeaseAttempt> {
  return store.transaction(async (tx) => {
    const now = await store.clockMs(tx);
    const row = await readRow(tx, name);
    const expires = now + leaseMs;
    if (!row) {
      await tx.run(
        'INSERT INTO secret_server_leases (name_key, holder, term, acquired_at_ms, expires_at_ms) VALUES (?, ?, 1, ?, ?)',
        [key(name), node, now, expires],
      );
      await recordAudit(tx, actor, {
        operation: 'secret-server-lease',
        target: name,
        result: 'success: active, term 1',
      });
      return {
        held: true,
        tookOver: true,
        lease: fromRow(name, { holder: node, term: 1, acquired_at_ms: now, expires_at_ms: expires }, now),
      };
    }
    const mine = row.holder.toLowerCase() === node.toLowerCase();
    if (!mine && Number(row.expires_at_ms) > now)
      return { held: false, tookOver: false, lease: fromRow(name, row, now) };
    const term = mine ? Number(row.term) : Number(row.term) + 1;
    const acquired = mine ? Number(row.acquired_at_ms) : now;
    await tx.run(
      'UPDATE secret_server_leases SET holder = ?, term = ?, acquired_at_ms = ?, expires_at_ms = ? WHERE name_key = ?',
      [node, term, acquired, expires, key(name)],
    );
    if (!mine) {
      await recordAudit(tx, actor, {
        operation: 'secret-server-lease',
        target: name,
        result: `success: active, term ${term}, taken over from ${row.holder}`,
      });
    }
    return {
      held: true,
      tookOver: !mine,
      lease: fromRow(name, { holder: node, term, acquired_at_ms: acquired, expires_at_ms: expires }, now),
    };
  });
}

/** A clean stop gives the lease up at once, so a standby need not wait for it to lapse. */
export async function releaseLease(store: Store, name: string, node: string): Promise<void> {
  await store.transaction(async (tx) => {
    const now = await store.clockMs(tx);
    await tx.run(
      'UPDATE secret_server_leases SET expires_at_ms = ? WHERE name_key = ? AND holder = ? AND expires_at_ms > ?',
      [now, key(name), node, now],
    );
  });
}
