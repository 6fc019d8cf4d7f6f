import { jest } from '@jest/globals';
import { readLease, releaseLease, tryLease } from '../../src/core/nodes/index.js';
import { listAudit } from '../../src/core/shared/index.js';
import { newSystem } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(60_000);

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('one holder at a time; a lapsed lease is taken over with a new term, and audited', async () => {
  const { ctx } = await newSystem(dir.path);
  const store = ctx.store;
  const actor = { deps: ctx.deps, caller: ctx.caller, node: ctx.node };
  const first = await tryLease(store, 'MSS_CLUSTER', 'mss1', 400, actor);
  expect(first).toMatchObject({ held: true, tookOver: true, lease: { holder: 'mss1', term: 1 } });
  const standby = await tryLease(store, 'mss_cluster', 'mss2', 400, actor);
  expect(standby).toMatchObject({ held: false, lease: { holder: 'mss1', term: 1 } });
  const renewed = await tryLease(store, 'MSS_CLUSTER', 'mss1', 400, actor);
  expect(renewed).toMatchObject({ held: true, tookOver: false, lease: { term: 1 } });
  expect(renewed.lease.expiresAtMs).toBeGreaterThanOrEqual(first.lease.expiresAtMs);
  await sleep(500);
  const taken = await tryLease(store, 'MSS_CLUSTER', 'mss2', 400, actor);
  expect(taken).toMatchObject({ held: true, tookOver: true, lease: { holder: 'mss2', term: 2 } });
  // The old holder comes back: it is standby now.
  expect(await tryLease(store, 'MSS_CLUSTER', 'mss1', 400, actor)).toMatchObject({ held: false });
  const audit = await listAudit(store, { kind: 'operations', limit: 10 });
  expect(audit.filter((a) => a.operation === 'secret-server-lease').map((a) => a.result)).toEqual([
    'success: active, term 1',
    'success: active, term 2, taken over from mss1',
  ]);
  await store.close();
});

test('the expiry is on the store clock, and a release hands the lease on at once', async () => {
  const { ctx } = await newSystem(dir.path);
  const store = ctx.store;
  const actor = { deps: ctx.deps, caller: ctx.caller, node: ctx.node };
  const before = Date.now();
  const { lease } = await tryLease(store, 'MSS_CLUSTER', 'mss1', 10_000, actor);
  expect(Math.abs(lease.storeNowMs - before)).toBeLessThan(5_000);
  expect(lease.expiresAtMs - lease.storeNowMs).toBe(10_000);
  await releaseLease(store, 'MSS_CLUSTER', 'mss1');
  const released = await readLease(store, 'MSS_CLUSTER');
  expect(released!.expiresAtMs).toBeLessThanOrEqual(released!.storeNowMs);
  expect(await tryLease(store, 'MSS_CLUSTER', 'mss2', 10_000, actor)).toMatchObject({ held: true, lease: { term: 2 } });
  await store.close();
});
