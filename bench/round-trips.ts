/**
 * Counts and times what core awaits from a store: each statement is a round trip to a
 * networked server, a transaction adds two (BEGIN with the writers' lock, COMMIT), and
 * `runMany` costs one per window of rows the PostgreSQL adapter writes before reading
 * answers. The time of a statement is from the call to its answer (core awaits each).
 */

import type { StoreContext } from '../src/core/shared/context.js';
import type { Queryable, Store } from '../src/store/store.js';

/** postgres-store.ts's RUN_MANY_IN_FLIGHT. */
const PIPELINE_WINDOW = 500;

const TRANSACTION = 'BEGIN; SELECT pg_advisory_xact_lock(…) / COMMIT';

export interface RoundTrips {
  count: number;
  /** Round trips and milliseconds by statement (its text, shortened). */
  bySql: Map<string, { trips: number; ms: number }>;
}

function note(trips: RoundTrips, sql: string, n: number, ms: number): void {
  trips.count += n;
  const label = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
  const entry = trips.bySql.get(label) ?? { trips: 0, ms: 0 };
  entry.trips += n;
  entry.ms += ms;
  trips.bySql.set(label, entry);
}

/** Milliseconds in the store, all statements together. */
export function storeMs(trips: RoundTrips): number {
  let ms = 0;
  for (const entry of trips.bySql.values()) ms += entry.ms;
  return ms;
}

/**
 * The statements behind the round trips, the most time first, each as `text…` ×round
 * trips per unit, with its milliseconds per unit.
 */
export function describeTrips(trips: RoundTrips, units: number, top = 8): string {
  return [...trips.bySql]
    .filter(([, e]) => e.trips / units >= 0.005)
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([sql, e]) => {
      const per = e.trips / units;
      const ms = e.ms / units;
      return `\`${sql}${sql.length >= 60 ? '…' : ''}\` ×${Number.isInteger(per) ? per : per.toFixed(2)} (${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms)`;
    })
    .join(', ');
}

async function timed<R>(trips: RoundTrips, sql: string, n: number, call: () => Promise<R>): Promise<R> {
  const start = process.hrtime.bigint();
  try {
    return await call();
  } finally {
    note(trips, sql, n, Number(process.hrtime.bigint() - start) / 1e6);
  }
}

function counting<Q extends Queryable>(q: Q, trips: RoundTrips): Queryable {
  return {
    all: (sql, params) => timed(trips, sql, 1, () => q.all(sql, params)),
    get: (sql, params) => timed(trips, sql, 1, () => q.get(sql, params)),
    values: (sql, params) => timed(trips, sql, 1, () => q.values(sql, params)),
    run: (sql, params) => timed(trips, sql, 1, () => q.run(sql, params)),
    insert: (sql, params) => timed(trips, sql, 1, () => q.insert(sql, params)),
    runMany: (sql, rows) => timed(trips, sql, Math.ceil(rows.length / PIPELINE_WINDOW), () => q.runMany(sql, rows)),
  } as Queryable;
}

/** `ctx` with a store that counts and times its round trips into the returned counter. */
export function countingContext(ctx: StoreContext): { ctx: StoreContext; trips: RoundTrips } {
  const trips: RoundTrips = { count: 0, bySql: new Map() };
  const store = ctx.store;
  const wrapped: Store = Object.assign(Object.create(null) as object, {
    ...counting(store, trips),
    kind: store.kind,
    location: store.location,
    schemaVersion: store.schemaVersion,
    latestSchemaVersion: store.latestSchemaVersion,
    // BEGIN (with the wait for a pooled connection and the writers' lock) and COMMIT: the
    // transaction's time outside its work.
    transaction: async <T>(work: (tx: Queryable) => Promise<T>) => {
      const start = process.hrtime.bigint();
      let inside = 0n;
      try {
        return await store.transaction(async (tx) => {
          const began = process.hrtime.bigint();
          try {
            return await work(counting(tx, trips));
          } finally {
            inside = process.hrtime.bigint() - began;
          }
        });
      } finally {
        note(trips, TRANSACTION, 2, Number(process.hrtime.bigint() - start - inside) / 1e6);
      }
    },
    integrityProblems: () => store.integrityProblems(),
    snapshot: <T>(work: (q: Queryable) => Promise<T>) => store.snapshot(work),
    idHighWater: (q: Queryable, table: string) => store.idHighWater(q, table),
    raiseIdHighWater: (tx: Queryable, table: string, atLeast: number) => store.raiseIdHighWater(tx, table, atLeast),
    close: () => store.close(),
  }) as Store;
  return { ctx: { ...ctx, store: wrapped }, trips };
}
