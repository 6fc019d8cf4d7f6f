/**
 * The single sign-on suite: resolves (SsoClient.ssoResolve) through a real `ssokit service
 * run` from 8 connections with a few requests in flight each, for a business system with
 * its state in the store (sso-failover-enabled=true) and one with it in the service's
 * memory, on SQLite and on PostgreSQL (SSOKIT_TEST_PG_URL; scripts/with-postgres), each
 * against its floor measured in the same run: SsoRuntime.resolve in the bench process on the
 * same store. Then the reaper's cost at 1,000,000 entries (the same mix as
 * test/reliability/sso-reaper.test.ts: a tenth expired), on SQLite, and on PostgreSQL.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadNode, openNodeStore } from '../src/core/shared/context.js';
import { type GroupMember, MemoryState, SsoRuntime, StoreState } from '../src/core/sso/index.js';
import { homePaths } from '../src/node/home.js';
import { currentCaller } from '../src/node/os-identity.js';
import { SsoClient } from '../src/service/client.js';
import { insertRows } from '../src/store/bulk-insert.js';
import type { SqlValue, Store } from '../src/store/store.js';
import { fmt, type SuiteResult, type Table } from './harness.js';
import { freshDatabase, SuiteUnavailable } from './pg-raw.js';
import { benchDeps } from './seed.js';

const CLIENTS = 8;
const IN_FLIGHT = 4;
const TOKENS = 1000;
const WARM_MS = 300;
const WINDOW_MS = 2000;
const GOAL = 10_000;
const REAP_ENTRIES = Number(process.env.SSOKIT_BENCH_REAP_ENTRIES ?? 1_000_000);

type Engine = 'SQLite' | 'PostgreSQL';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SSOKIT_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  return { ...env, SSOKIT_KDF_LOG2N: '10', SSOKIT_TEST_WEAK_KDF: 'files-written-now-are-weak', NO_COLOR: '1' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  home: string;
  store: string;
  drop: () => Promise<void>;
}

async function newNode(dir: string, repoRoot: string, engine: Engine): Promise<Node> {
  const root = join(dir, engine.toLowerCase());
  mkdirSync(root, { recursive: true });
  const db = engine === 'PostgreSQL' ? await freshDatabase('sso') : null;
  const home = join(root, 'biz');
  const store = db ? db.url : join(root, 'ssodb.sqlite');
  const password = join(root, 'password');
  writeFileSync(password, 'bench-password-1\n', { mode: 0o600 });
  const cli = (args: string[]) => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'ssokit.js'), '--home', home, ...args], {
      env: cliEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`${engine}: ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
  };
  cli(['init', '--node-name', 'biz', '--db', store, '--password-file', password, '--reminder', 'r', '--yes']);
  cli(['bizsys', 'add', 'shopf', '--public-url', 'https://shopf.example.com', '--sso-failover-enabled', 'true']);
  cli(['bizsys', 'add', 'shopm', '--public-url', 'https://shopm.example.com']);
  return { home, store, drop: async () => db?.drop() };
}

async function startService(repoRoot: string, home: string): Promise<ChildProcess> {
  const logPath = join(home, '..', 'service.log');
  writeFileSync(logPath, '');
  const out = openSync(logPath, 'a');
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'ssokit.js'), '--home', home, 'service', 'run', '--listen', '127.0.0.1:0'],
    { env: cliEnv(), stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const deadline = Date.now() + 20_000;
  while (!readFileSync(logPath, 'utf8').includes('"event":"service started"')) {
    if (child.exitCode !== null)
      throw new Error(`the service exited ${child.exitCode}: ${readFileSync(logPath, 'utf8')}`);
    if (Date.now() > deadline) throw new Error('the service did not start within 20 s');
    await sleep(50);
  }
  return child;
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Run {
  rate: number;
  p50: number;
  p99: number;
}

/** `lanes` loops resolving tokens round-robin for WARM_MS, then WINDOW_MS measured. */
async function drive(lanes: ((token: string) => Promise<unknown>)[], tokens: string[]): Promise<Run> {
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let next = 0;
  const loop = async (resolve: (token: string) => Promise<unknown>) => {
    while (!stop) {
      const token = tokens[next++ % tokens.length]!;
      const started = performance.now();
      await resolve(token);
      if (measuring) latencies.push(performance.now() - started);
      // An in-memory floor never waits on I/O: let the timers run now and then.
      if (next % 256 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  const running = lanes.map(loop);
  await sleep(WARM_MS);
  measuring = true;
  const started = performance.now();
  await sleep(WINDOW_MS);
  measuring = false;
  const ms = performance.now() - started;
  stop = true;
  await Promise.all(running);
  latencies.sort((a, b) => a - b);
  return { rate: (latencies.length / ms) * 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

interface ResolveFigures {
  engine: Engine;
  where: 'store' | 'memory';
  service: Run;
  floor: Run;
}

async function resolveRuns(node: Node, repoRoot: string, engine: Engine): Promise<ResolveFigures[]> {
  const figures: ResolveFigures[] = [];
  const service = await startService(repoRoot, node.home);
  const clients = Array.from({ length: CLIENTS }, () => new SsoClient({ socket: homePaths(node.home).serviceSocket }));
  const ctx = await openNodeStore(
    await loadNode({ paths: homePaths(node.home), deps: benchDeps(), caller: currentCaller() }),
  );
  try {
    const member = (name: string): GroupMember | null =>
      name === 'shopf' || name === 'shopm'
        ? {
            name,
            ssoEnabled: true,
            maxInactiveSeconds: 3600,
            reapIntervalSeconds: 60,
            failoverEnabled: name === 'shopf',
            sessionTimeoutSeconds: 1800,
          }
        : null;
    const runtime = new SsoRuntime(new MemoryState(), new StoreState(ctx.store), member);
    for (const [bizsys, where] of [
      ['shopf', 'store'],
      ['shopm', 'memory'],
    ] as const) {
      const tokens: string[] = [];
      for (let i = 0; i < TOKENS; i++) tokens.push((await clients[0]!.ssoSignOn(bizsys, `CORP\\user${i}`)).token);
      const lanes = clients.flatMap((c) =>
        Array.from({ length: IN_FLIGHT }, () => async (token: string) => {
          const resolved = await c.ssoResolve(token, bizsys);
          if (!resolved.signedOn) throw new Error(`${engine} ${bizsys}: not signed on`);
        }),
      );
      const viaService = await drive(lanes, tokens);
      // The floor: the same resolve in this process on the same store (memory: its own memory).
      const floorTokens: string[] = [];
      for (let i = 0; i < TOKENS; i++) floorTokens.push((await runtime.signOn(bizsys, `CORP\\user${i}`, 'FORM')).token);
      const floorLanes = Array.from({ length: CLIENTS * IN_FLIGHT }, () => async (token: string) => {
        const resolved = await runtime.resolve(token, bizsys);
        if (!resolved.signedOn) throw new Error(`${engine} ${bizsys} floor: not signed on`);
      });
      const floor = await drive(floorLanes, floorTokens);
      figures.push({ engine, where, service: viaService, floor });
    }
    await runtime.flush();
  } finally {
    for (const c of clients) c.close();
    await ctx.store.close();
    await stopService(service);
  }
  return figures;
}

// ---- the reaper ----------------------------------------------------------------------------

const NOW = 1_700_000_000_000;
const MAX_INACTIVE_MS = 300_000;

/** The reliability test's mix: one in ten expired, the rest live; a fourth with two sessions. */
async function reapRun(
  node: Node,
  engine: Engine,
): Promise<{ engine: Engine; insertMs: number; reapMs: number; removed: number }> {
  const ctx = await openNodeStore(
    await loadNode({ paths: homePaths(node.home), deps: benchDeps(), caller: currentCaller() }),
  );
  const store: Store = ctx.store;
  try {
    const chunk = 50_000;
    const insertStarted = performance.now();
    for (let from = 0; from < REAP_ENTRIES; from += chunk) {
      const to = Math.min(REAP_ENTRIES, from + chunk);
      const hashes = randomBytes(32 * (to - from));
      const entries: SqlValue[][] = [];
      const sessions: SqlValue[][] = [];
      for (let i = from; i < to; i++) {
        const hash = hashes.subarray(32 * (i - from), 32 * (i - from) + 32);
        hash.writeUInt32BE(i, 0);
        const last = i % 10 === 0 ? NOW - MAX_INACTIVE_MS - 1 - (i % 86_400_000) : NOW - (i % (MAX_INACTIVE_MS - 2000));
        entries.push([
          hash,
          'shopf',
          `CORP\\user${i % 5000}`,
          'FORM',
          last,
          last,
          MAX_INACTIVE_MS,
          last + MAX_INACTIVE_MS,
        ]);
        sessions.push([hash, 'shopf', `s-${i}`, last, last, 1_800_000]);
        if (i % 4 === 0) sessions.push([hash, 'shopm', `n-${i}`, last, last, 1_800_000]);
      }
      await store.transaction(async (tx) => {
        await insertRows(
          tx,
          'sso_entries',
          [
            'hash',
            'bizsys',
            'principal',
            'auth_type',
            'created_at_ms',
            'last_access_ms',
            'max_inactive_ms',
            'expires_at_ms',
          ],
          entries,
        );
        await insertRows(
          tx,
          'sso_sessions',
          ['hash', 'bizsys', 'session_id', 'created_at_ms', 'last_access_ms', 'timeout_ms'],
          sessions,
        );
      });
    }
    const insertMs = performance.now() - insertStarted;
    const reapStarted = performance.now();
    const removed = await new StoreState(store).reap(NOW);
    return { engine, insertMs, reapMs: performance.now() - reapStarted, removed };
  } finally {
    await store.close();
  }
}

// ---- the suite -----------------------------------------------------------------------------

export async function ssoSuite(dir: string, repoRoot: string): Promise<SuiteResult> {
  const engines: Engine[] = ['SQLite'];
  let pgMissing = '';
  if (process.env.SSOKIT_TEST_PG_URL) engines.push('PostgreSQL');
  else pgMissing = process.env.SSOKIT_TEST_PG_UNAVAILABLE ?? 'SSOKIT_TEST_PG_URL is not set';
  const resolves: ResolveFigures[] = [];
  const reaps: Awaited<ReturnType<typeof reapRun>>[] = [];
  for (const engine of engines) {
    let node: Node;
    try {
      node = await newNode(dir, repoRoot, engine);
    } catch (error) {
      if (error instanceof SuiteUnavailable) {
        pgMissing = error.message;
        continue;
      }
      throw error;
    }
    try {
      resolves.push(...(await resolveRuns(node, repoRoot, engine)));
      reaps.push(await reapRun(node, engine));
    } finally {
      await node.drop();
    }
  }
  const resolveTable: Table = {
    title: 'Resolves through the service against the in-process floor',
    method: `SsoClient.ssoResolve on a real \`ssokit service run\` from ${CLIENTS} connections, ${IN_FLIGHT} requests in flight each, over ${TOKENS} signed-on tokens, ${WINDOW_MS} ms after ${WARM_MS} ms of warm-up; the floor is SsoRuntime.resolve in the bench process on the same store with as many callers in flight. "store": a business system with sso-failover-enabled=true (state in sso_entries/sso_sessions, touches written every 200 ms); "memory": without.`,
    columns: ['engine', 'state', 'service', 'p50', 'p99', 'floor', 'floor p50', 'floor p99', 'service / floor'],
    rows: resolves.map((r) => [
      r.engine,
      r.where,
      fmt.rate(r.service.rate),
      fmt.ms(r.service.p50),
      fmt.ms(r.service.p99),
      fmt.rate(r.floor.rate),
      fmt.ms(r.floor.p50),
      fmt.ms(r.floor.p99),
      fmt.ratio(r.service.rate / r.floor.rate),
    ]),
    checks: resolves.map((r) => ({
      requirement: `${r.engine}, state in ${r.where}: ≥ ${fmt.rate(GOAL)} resolves through the service`,
      measured: fmt.rate(r.service.rate),
      pass: r.service.rate >= GOAL,
    })),
    notes: [
      ...(resolves.some((r) => r.where === 'store' && r.service.rate < GOAL)
        ? [
            "With the state in the store a resolve is one read (the entry with this application's session: StoreState.entryWithSession, a LEFT JOIN) and, for a new session, one write; the touches are written together every 200 ms. On PostgreSQL each read is a network round trip, and the in-process floor itself is under the goal. On SQLite the service's own cost (JSON over the socket, one answer a request) takes the rest of the floor.",
          ]
        : []),
      ...(pgMissing ? [`PostgreSQL not measured: ${pgMissing}.`] : []),
    ],
  };
  const reapTable: Table = {
    title: `The reaper at ${fmt.int(REAP_ENTRIES)} entries`,
    method: `The mix of test/reliability/sso-reaper.test.ts, inserted by this suite in its own run (not the test's figures): ${fmt.int(REAP_ENTRIES)} entries in sso_entries with ${fmt.int(REAP_ENTRIES * 1.25)} sessions, bulk-inserted (bulk-insert.ts, 50,000 entries a transaction, in key order), a tenth expired; then one StoreState.reap(now), which deletes the expired entries' sessions and the entries in one transaction.`,
    columns: ['engine', 'insert', 'insert rate', 'reap', 'entries removed'],
    rows: reaps.map((r) => [
      r.engine,
      fmt.ms(r.insertMs),
      `${fmt.rate((REAP_ENTRIES * 2.25) / (r.insertMs / 1000))} rows`,
      fmt.ms(r.reapMs),
      fmt.int(r.removed),
    ]),
    checks: reaps.map((r) => ({
      requirement: `${r.engine}: the reap removes exactly the expired tenth`,
      measured: fmt.int(r.removed),
      pass: r.removed === Math.ceil(REAP_ENTRIES / 10),
    })),
  };
  return { suite: 'Single sign-on', tables: [resolveTable, reapTable] };
}
