/**
 * The PostgreSQL suite: the store adapter on a real server (scripts/with-postgres), each
 * figure against a raw pg floor measured in the same run on the same rows: credentials
 * import against `COPY … FROM STDIN`, lookups against the same SELECTs issued directly,
 * rotation at 1,000 and 100,000 credentials, re-encryption against the same reads and
 * updates issued directly. Every measurement gets a fresh database.
 *
 * SSOKIT_BENCH_PG_SCALES=10000,100000 (credentials, comma-separated) limits the scale rows
 * and SSOKIT_BENCH_PG_IMPORT_UP_TO=100000 the sizes the import is run at, while working on
 * the bench; the figures in docs/performance.md are from the defaults.
 */

import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createApplications } from '../src/core/manage/apps.js';
import { importCredentials } from '../src/core/manage/credentials-import.js';
import type { LookupRequest } from '../src/core/manage/lookup.js';
import { lookupCredentials } from '../src/core/manage/lookup.js';
import { credentialOwner, sealValues } from '../src/core/secret/credential-codec.js';
import { DataKeyRing } from '../src/core/secret/data-keys.js';
import { loadMasterKeyring } from '../src/core/secret/keyring.js';
import { reencryptStore } from '../src/core/secret/reencrypt.js';
import { rotateSecret } from '../src/core/secret/rotate.js';
import type { StoreContext } from '../src/core/shared/context.js';
import { nacl } from '../src/crypto/nacl.js';
import { BATCH_SIZE } from '../src/defaults.js';
import { openStore } from '../src/store/open-store.js';
import { readApplicationsXml } from '../src/xml/applications-xml.js';
import { parseXml } from '../src/xml/xml-document.js';
import { fmt, type SuiteResult, type Table, timeMs } from './harness.js';
import {
  type BenchDatabase,
  copyBytea,
  copyFrom,
  copyText,
  freshDatabase,
  type PgClient,
  rawClient,
} from './pg-raw.js';
import { countingContext, describeTrips, type RoundTrips, storeMs } from './round-trips.js';
import { appsXml, BENCH_PASSWORD, benchDeps, credentialLines, newBenchSystem, reopenBench } from './seed.js';

const APPS = 100;
const DEFAULT_SCALES = [10_000, 100_000, 1_000_000];
/** Lookups per run at every scale: 100 users of each of the 100 applications. */
const LOOKUPS_PER_APP = 100;
const LOOKUP_BATCH = 1000;
const LOOKUP_RUNS = 11;
const ROTATIONS = 31;

/** Credentials import through core is measured up to this size (SSOKIT_BENCH_PG_IMPORT_UP_TO). */
function importLimit(): number {
  return Number(process.env.SSOKIT_BENCH_PG_IMPORT_UP_TO ?? 1_000_000);
}

function scales(): number[] {
  const text = process.env.SSOKIT_BENCH_PG_SCALES;
  if (!text) return DEFAULT_SCALES;
  return text.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0 || n % (APPS * LOOKUPS_PER_APP) !== 0)
      throw new Error(`SSOKIT_BENCH_PG_SCALES: ${s} is not a multiple of ${APPS * LOOKUPS_PER_APP}`);
    return n;
  });
}

const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface PgSystem {
  db: BenchDatabase;
  ctx: StoreContext;
  name: string;
}

/** A system whose store is a new database, with its 100 applications made by the real -createapps. */
let systems = 0;

async function newPgSystem(dir: string, label: string): Promise<PgSystem> {
  const name = `${label}_${++systems}`; // a home of its own each time
  const db = await freshDatabase(label);
  const ctx = await newBenchSystem(dir, name, db.url);
  await createApplications(ctx, 'bench.xml', readApplicationsXml(parseXml(Buffer.from(appsXml(APPS)), 'bench.xml')));
  return { db, ctx, name };
}

async function closeSystem(system: PgSystem): Promise<void> {
  await system.ctx.store.close();
  await system.db.drop();
}

async function analyze(db: BenchDatabase): Promise<void> {
  // What autovacuum would do shortly after a bulk load; the same for ssokit and the floor.
  const client = await rawClient(db.name);
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

export async function postgresSuite(dir: string, repoRoot: string): Promise<SuiteResult> {
  const loadAtStart = loadavg()[0]!;
  const roundTripUs = await roundTripMicros();
  const importRows: string[][] = [];
  const lookupRows: string[][] = [];
  const importShares: { credentials: number; ms: number; floorMs: number; share: number; trips: RoundTrips }[] = [];
  const lookupShares: number[] = [];
  const growth: { credentials: number; floorMs: number; importMs?: number; lookupMs: number; lookupFloorMs: number }[] =
    [];
  const list = scales();
  const importUpTo = importLimit();
  let lookupTrips: LookupTrips | null = null;
  let kept: PgSystem | null = null;
  let lastRate = 0;
  for (const credentials of list) {
    // Alternated runs (COPY, then the import), medians of three below a million; one run at
    // a million, where a pair takes minutes. The last COPY store is kept for the lookups.
    const runs = credentials < 1_000_000 ? 3 : 1;
    const floorTimes: number[] = [];
    const importTimes: number[] = [];
    let floor: { ms: number; system: PgSystem } | null = null;
    let counted: RoundTrips | null = null;
    for (let run = 0; run < runs; run++) {
      if (floor) await closeSystem(floor.system);
      floor = await copyFloor(dir, credentials);
      floorTimes.push(floor.ms);
      console.log(`postgres: COPY ${fmt.int(credentials)}: ${fmt.ms(floor.ms)}`);
      if (credentials > importUpTo) continue;
      const ours = await newPgSystem(dir, `import_${credentials}`);
      const counting = countingContext(ours.ctx);
      const text = credentialLines(APPS, credentials / APPS);
      importTimes.push(await timeMs(() => importCredentials(counting.ctx, 'bench.jsonl', text)));
      counted = counting.trips;
      console.log(`postgres: import ${fmt.int(credentials)}: ${fmt.ms(importTimes[importTimes.length - 1]!)}`);
      if (credentials === 100_000 && run === runs - 1 && !kept) kept = ours;
      else await closeSystem(ours);
    }
    if (!floor) throw new Error('no COPY run');
    const floorMs = mid(floorTimes);
    const floorCells = [fmt.int(credentials), fmt.ms(floorMs), fmt.rate((credentials / floorMs) * 1000)];
    const scaleRow: (typeof growth)[number] = { credentials, floorMs, lookupMs: 0, lookupFloorMs: 0 };
    growth.push(scaleRow);
    if (counted) {
      const importMs = mid(importTimes);
      scaleRow.importMs = importMs;
      const share = floorMs / importMs;
      importShares.push({ credentials, ms: importMs, floorMs, share, trips: counted });
      lastRate = (credentials / importMs) * 1000;
      const tripsPer1000 = (counted.count / credentials) * 1000;
      importRows.push([...floorCells, fmt.ms(importMs), fmt.rate(lastRate), tripsPer1000.toFixed(1), fmt.pct(share)]);
    } else {
      const minutes = credentials / lastRate / 60;
      importRows.push([...floorCells, lastRate ? `not run (≈ ${minutes.toFixed(0)} min here)` : 'not run', '', '', '']);
    }

    await analyze(floor.system.db);
    const lookups = await lookupRun(floor.system, credentials);
    lookupTrips = lookups.trips;
    const share = lookups.floorMs / lookups.oursMs;
    lookupShares.push(share);
    scaleRow.lookupMs = lookups.oursMs;
    scaleRow.lookupFloorMs = lookups.floorMs;
    lookupRows.push([
      fmt.int(credentials),
      fmt.int(lookups.count),
      fmt.ms(lookups.floorMs),
      fmt.rate((lookups.count / lookups.floorMs) * 1000),
      fmt.ms(lookups.oursMs),
      fmt.rate((lookups.count / lookups.oursMs) * 1000),
      fmt.pct(share),
    ]);
    console.log(
      `postgres: lookups at ${fmt.int(credentials)}: floor ${fmt.ms(lookups.floorMs)}, ssokit ${fmt.ms(lookups.oursMs)}`,
    );
    await closeSystem(floor.system);
  }
  if (!kept) {
    kept = await newPgSystem(dir, 'import_100000');
    await importCredentials(kept.ctx, 'bench.jsonl', credentialLines(APPS, 100_000 / APPS));
  }
  const largest = list[list.length - 1]!;
  const lastImport = importShares[importShares.length - 1];
  const partial = largest === 1_000_000 ? '' : ` (SSOKIT_BENCH_PG_SCALES stopped this run at ${fmt.int(largest)})`;
  const importTable: Table = {
    title: 'Credentials import against a COPY floor',
    method:
      `ssokit: core \`importCredentials\` (what \`ssokit credentials import\` runs, in-process) of JSON Lines for ${APPS} ` +
      'applications, mappings created, one transaction, into a fresh store database. Floor: a fresh store database with the ' +
      'same applications and data keys, the same rows (the mappings with their ids, then the credentials sealed under the ' +
      'same data keys by the same codec) sent by two `COPY … FROM STDIN` (text format) in one transaction through pg; row ' +
      'building and sealing are timed in both. Alternated runs, medians of 3 up to 100,000; one run at 1,000,000 (its share ' +
      'moves by a few points from run to run). Round trips: what core awaits from the store per 1,000 credentials (each ' +
      'statement one, a transaction two, pipelined rows one per 500).',
    columns: [
      'credentials',
      'COPY floor',
      'floor rate',
      'ssokit import',
      'import rate',
      'round trips / 1,000',
      'share of floor',
    ],
    rows: importRows,
    checks: lastImport
      ? [
          {
            requirement: `import throughput ≥ 50% of the COPY floor at ${fmt.int(lastImport.credentials)} credentials${
              lastImport.credentials < 1_000_000 ? ' (the largest import measured)' : ''
            }`,
            measured: fmt.pct(lastImport.share),
            pass: lastImport.share >= 0.5,
          },
        ]
      : [],
    notes: [
      lastImport
        ? `A round trip to this server takes ${roundTripUs.toFixed(0)} µs here (median of 2,000 prepared ` +
          `\`SELECT $1\` on one connection). At ${fmt.int(lastImport.credentials)} credentials the import awaited ` +
          `${fmt.int(lastImport.trips.count)} round trips and spent ${fmt.ms(storeMs(lastImport.trips))} of its ` +
          `${fmt.ms(lastImport.ms)} waiting on the store (the most, per 1,000 credentials: ` +
          `${describeTrips(lastImport.trips, lastImport.credentials / 1000, 4)}); the rest is reading the file, checking ` +
          'and sealing. COPY sends every row without waiting for an answer.'
        : '',
      lastImport && lastImport.share < 0.5 ? importShortfall(lastImport) : '',
      growthNote(
        growth,
        'import',
        (g) => g.importMs,
        'the COPY floor',
        (g) => g.floorMs,
      ),
      largest > importUpTo
        ? `SSOKIT_BENCH_PG_IMPORT_UP_TO=${importUpTo} limited this run's imports; the estimates in the table are ` +
          'from the rate of the largest import measured.'
        : '',
    ].filter(Boolean),
  };
  const lookupTable: Table = {
    title: 'Credential lookup (GetCredentials) against its floor',
    method:
      `At each store size (the COPY floor's store: the same rows the import writes), ${fmt.int(APPS * LOOKUPS_PER_APP)} ` +
      `lookups (${LOOKUPS_PER_APP} users of each of the ${APPS} applications, spread over the store) in batches of ` +
      `${LOOKUP_BATCH}. ssokit: core \`lookupCredentials\` (one transaction per batch under the writers’ lock, role checks, ` +
      'every lookup written to the credential-lookup audit). Floor: the same SELECT statements (100 keys each, the text ' +
      'core sends) as one pg prepared statement, outside a transaction, each row opened with tweetnacl. The store is ' +
      `ANALYZEd first. Alternated runs after a warm-up, medians of ${LOOKUP_RUNS}.`,
    columns: ['credentials in store', 'lookups', 'floor', 'floor rate', 'lookupCredentials', 'rate', 'share of floor'],
    rows: lookupRows,
    checks: [
      {
        requirement: `lookup throughput ≥ 75% of the floor at ${fmt.int(largest)} credentials${partial}`,
        measured: fmt.pct(lookupShares[lookupShares.length - 1]!),
        pass: lookupShares[lookupShares.length - 1]! >= 0.75,
      },
    ],
    notes: lookupTrips
      ? [
          lookupNote({ ...lookupTrips, shortfall: lookupShares[lookupShares.length - 1]! < 0.75 }, roundTripUs),
          growthNote(
            growth,
            'time of the same lookups',
            (g) => g.lookupMs,
            'the floor',
            (g) => g.lookupFloorMs,
            false,
          ),
        ].filter(Boolean)
      : [],
  };
  const reencrypt = await reencryptTable(kept);
  const rotate = await rotateTable(dir, kept);
  await kept.db.drop();
  // Other work on the machine slows round trips most: say how busy it was, and what was measured.
  const load =
    `Measured on ${sourceVersion(repoRoot)}. Load average (1 min) at the start of the suite ${loadAtStart.toFixed(1)}, ` +
    `at its end ${loadavg()[0]!.toFixed(1)}, on ${cpus().length} CPUs.`;
  importTable.notes = [...(importTable.notes ?? []), load];
  return { suite: 'PostgreSQL', tables: [importTable, lookupTable, rotate, reencrypt] };
}

/**
 * How time grows from the smallest size to the largest: for work proportional to the rows
 * (`perRow`), against linear; for a fixed amount of work (the lookups), against flat.
 */
function growthNote<G extends { credentials: number }>(
  rows: G[],
  what: string,
  ours: (g: G) => number | undefined,
  floorName: string,
  floor: (g: G) => number,
  perRow = true,
): string {
  const measured = rows.filter((g) => ours(g) !== undefined);
  if (measured.length < 2) return '';
  const first = measured[0]!;
  const last = measured[measured.length - 1]!;
  const size = last.credentials / first.credentials;
  const grew = (f: (g: G) => number) => f(last) / f(first);
  const oursGrew = grew((g) => ours(g)!);
  const floorGrew = grew(floor);
  return (
    `From ${fmt.int(first.credentials)} to ${fmt.int(last.credentials)} credentials (×${fmt.int(size)}) the ${what} ` +
    `grew ×${oursGrew.toFixed(perRow ? 0 : 2)}, ${floorName} ×${floorGrew.toFixed(perRow ? 0 : 2)}` +
    (perRow
      ? `: per credential, ${fmt.ratio(oursGrew / size)} and ${fmt.ratio(floorGrew / size)} the cost at ${fmt.int(first.credentials)}.`
      : ` (the same ${fmt.int(APPS * LOOKUPS_PER_APP)} lookups at every size).`)
  );
}

/** Why the import is under its goal, from this run's figures. */
function importShortfall(i: { ms: number; floorMs: number; trips: RoundTrips }): string {
  const waiting = storeMs(i.trips);
  return (
    `Under the goal: waiting on the store alone took ${fmt.ms(waiting)}, ${fmt.pct(waiting / i.floorMs)} of the COPY ` +
    `floor's whole ${fmt.ms(i.floorMs)} (100-row INSERTs cost the server more than COPY's stream of the same rows), and ` +
    `the import's own ${fmt.ms(i.ms - waiting)} (parsing, checks, sealing) runs between its writes, where the floor ` +
    'builds and seals its rows while the server takes in the ones before.'
  );
}

function lookupNote(t: LookupTrips, roundTripUs: number): string {
  const perBatch = (ms: number) => fmt.ms(ms / t.batches);
  let selectMs = 0;
  for (const [sql, entry] of t.trips.bySql) if (sql.startsWith('SELECT m.id, m.local_key')) selectMs += entry.ms;
  return (
    `Per batch of ${LOOKUP_BATCH} lookups (${LOOKUP_BATCH / LOOKUPS_PER_APP} applications), in the warm-up runs: the ` +
    `floor took ${perBatch(t.warmFloorMs)}, ${LOOKUP_BATCH / 100} round trips (its SELECTs); lookupCredentials took ` +
    `${perBatch(t.countedMs)}, ${t.trips.count / t.batches} round trips (${roundTripUs.toFixed(0)} µs each here) ` +
    `and ${perBatch(storeMs(t.trips))} waiting on the store: ${describeTrips(t.trips, t.batches, 10)}. What is ` +
    'left is its own work: role checks, opening and decoding each credential, the answers.' +
    (t.shortfall
      ? ` Under the goal: the SELECTs the floor sends too took ${perBatch(selectMs)} of lookupCredentials' batch; ` +
        `the ${t.trips.count / t.batches - LOOKUP_BATCH / 100 - 2} statements it sends besides them and its ` +
        `transaction took ${perBatch(storeMs(t.trips) - selectMs)}, its own work ${perBatch(t.countedMs - storeMs(t.trips))}.`
      : '')
  );
}

/** The commit the figures are of, and whether src/ had changes not committed yet. */
function sourceVersion(repoRoot: string): string {
  try {
    const git = (args: string[]) =>
      execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const head = git(['rev-parse', '--short', 'HEAD']).trim();
    const dirty = git(['status', '--porcelain', '--', 'src']).trim() !== '';
    return `commit ${head}${dirty ? ' with changes to src/ not committed yet' : ''}`;
  } catch {
    return 'a tree outside git';
  }
}

/** Microseconds per round trip: the median of 2,000 prepared one-row statements on one connection. */
async function roundTripMicros(): Promise<number> {
  const client = await rawClient();
  try {
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const start = process.hrtime.bigint();
      await client.query({ name: 'round_trip', text: 'SELECT $1::int AS x', values: [i] });
      times.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
    return mid(times);
  } finally {
    await client.end();
  }
}

/**
 * The COPY floor for `credentials` rows, on a fresh store database: its milliseconds, and
 * the store it filled (open, for the lookups).
 */
async function copyFloor(dir: string, credentials: number): Promise<{ ms: number; system: PgSystem }> {
  const system = await newPgSystem(dir, `copy_${credentials}`);
  const { ctx, db } = system;
  const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'bench'));
  const apps = await ctx.store.all<{ id: number; name: string }>('SELECT id, name FROM applications');
  const byName = new Map(apps.map((a) => [a.name, a.id]));
  const keys: { appId: number; keyId: number; key: Uint8Array }[] = [];
  for (let a = 0; a < APPS; a++) {
    const appId = byName.get(`BenchApp${a}`)!;
    const key = await ring.activeFor(ctx.store, appId);
    keys.push({ appId, keyId: key.id, key: key.key });
  }
  await ctx.store.close();
  const perApp = credentials / APPS;
  const rng = benchDeps().rng;
  const client = await rawClient(db.name);
  const ROWS_PER_CHUNK = 2000;
  function* mappingChunks(now: string): Generator<Buffer> {
    let lines: string[] = [];
    for (let a = 0; a < APPS; a++) {
      const { appId } = keys[a]!;
      for (let u = 0; u < perApp; u++) {
        const id = a * perApp + u + 1;
        const user = `CORP\\imported${u}`;
        const key = copyText(user.toLowerCase());
        const external = `I${a}-${u}`;
        lines.push(
          `${id}\t${appId}\t${copyText(user)}\t${key}\t${key}\t${external}\t${external.toLowerCase()}\t1\t${now}\t${now}\n`,
        );
        if (lines.length === ROWS_PER_CHUNK) {
          yield Buffer.from(lines.join(''));
          lines = [];
        }
      }
    }
    if (lines.length) yield Buffer.from(lines.join(''));
  }
  function* credentialChunks(now: string): Generator<Buffer> {
    let lines: string[] = [];
    for (let a = 0; a < APPS; a++) {
      const { keyId, key } = keys[a]!;
      for (let u = 0; u < perApp; u++) {
        const id = a * perApp + u + 1;
        const sealed = sealValues(key, credentialOwner(id), [`I${a}-${u}`, `pw-${a}-${u}`], rng);
        lines.push(`${id}\t${keyId}\t${copyBytea(sealed)}\t${now}\n`);
        if (lines.length === ROWS_PER_CHUNK) {
          yield Buffer.from(lines.join(''));
          lines = [];
        }
      }
    }
    if (lines.length) yield Buffer.from(lines.join(''));
  }
  try {
    const ms = await timeMs(async () => {
      const now = new Date().toISOString();
      await client.query('BEGIN');
      const mapped = await copyFrom(
        client,
        'COPY mappings (id, app_id, local_user, local_key, local_unique, external_user, external_key, enabled, created_at, updated_at) FROM STDIN',
        mappingChunks(now),
      );
      const sealed = await copyFrom(
        client,
        'COPY credentials (mapping_id, data_key_id, ciphertext, updated_at) FROM STDIN',
        credentialChunks(now),
      );
      await client.query(`SELECT setval(pg_get_serial_sequence('mappings', 'id'), $1)`, [credentials]);
      await client.query('COMMIT');
      if (mapped !== credentials || sealed !== credentials) throw new Error(`COPY floor: ${mapped}/${sealed} rows`);
    });
    await client.end();
    // The floor's rows are real credentials: they open through ssokit.
    const reopened = { ...system, ctx: await reopenBench(dir, system.name) };
    const last = credentials / APPS - 1;
    const probe = await lookupCredentials(
      reopened.ctx,
      [
        { user: 'CORP\\imported0', app: 'BenchApp0' },
        { user: `CORP\\imported${last}`, app: `BenchApp${APPS - 1}` },
      ],
      { reveal: true },
    );
    if (probe[0]?.fields[1]?.value !== 'pw-0-0' || probe[1]?.fields[1]?.value !== `pw-${APPS - 1}-${last}`)
      throw new Error('COPY floor: its rows do not open through ssokit');
    return { ms, system: reopened };
  } catch (error) {
    await client.end().catch(() => undefined);
    await db.drop();
    throw error;
  }
}

/** ssokit's round trips in a counted run of the lookups (the warm-up), with that run's times. */
interface LookupTrips {
  /** Set when the lookups are under their goal. */
  shortfall?: boolean;
  batches: number;
  trips: RoundTrips;
  countedMs: number;
  warmFloorMs: number;
}

/** The statement core's lookup sends, with pg's placeholders. */
const FLOOR_LOOKUP_SQL = `SELECT m.id, m.local_key, m.local_user, m.external_user, m.enabled, c.data_key_id, c.ciphertext
  FROM mappings m LEFT JOIN credentials c ON c.mapping_id = m.id
  WHERE m.app_id = $1 AND m.local_key IN (${Array.from({ length: 100 }, (_, i) => `$${i + 2}`).join(', ')})`;

async function lookupRun(
  system: PgSystem,
  credentials: number,
): Promise<{ count: number; floorMs: number; oursMs: number; trips: LookupTrips }> {
  const { ctx, db } = system;
  const perApp = credentials / APPS;
  const stride = perApp / LOOKUPS_PER_APP;
  const requests: LookupRequest[] = [];
  for (let a = 0; a < APPS; a++)
    for (let k = 0; k < LOOKUPS_PER_APP; k++)
      requests.push({ user: `CORP\\imported${k * stride}`, app: `BenchApp${a}` });
  const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'bench'));
  const keys = new Map<string, Uint8Array>();
  for (const { id } of await ctx.store.all<{ id: number }>('SELECT id FROM data_keys'))
    keys.set(String(id), (await ring.byId(ctx.store, id)).key);
  const appIds = new Map(
    (await ctx.store.all<{ id: number; name: string }>('SELECT id, name FROM applications')).map((a) => [a.name, a.id]),
  );
  // The floor's statements, batch by batch: an application's keys, 100 to a statement.
  const batches: (string | number)[][][] = [];
  for (let i = 0; i < requests.length; i += LOOKUP_BATCH) {
    const byApp = new Map<string, string[]>();
    for (const r of requests.slice(i, i + LOOKUP_BATCH)) {
      const list = byApp.get(r.app) ?? [];
      list.push(r.user.toLowerCase());
      byApp.set(r.app, list);
    }
    const statements: (string | number)[][] = [];
    for (const [app, list] of byApp)
      for (let j = 0; j < list.length; j += 100) {
        const chunk = list.slice(j, j + 100);
        while (chunk.length < 100) chunk.push(chunk[chunk.length - 1]!);
        statements.push([appIds.get(app)!, ...chunk]);
      }
    batches.push(statements);
  }
  const client: PgClient = await rawClient(db.name);
  const floorRun = () =>
    timeMs(async () => {
      let opened = 0;
      for (const statements of batches)
        for (const values of statements) {
          const result = await client.query({ name: 'floor_lookup', text: FLOOR_LOOKUP_SQL, values, rowMode: 'array' });
          for (const row of result.rows as unknown[][]) {
            const ciphertext = row[6] as Buffer;
            if (!nacl.secretbox.open(ciphertext.subarray(24), ciphertext.subarray(0, 24), keys.get(String(row[5]))!))
              throw new Error('lookup floor: a row did not open');
            opened++;
          }
        }
      if (opened !== requests.length) throw new Error(`lookup floor: ${opened} rows for ${requests.length} lookups`);
    });
  const oursRun = (on = ctx) =>
    timeMs(async () => {
      for (let i = 0; i < requests.length; i += LOOKUP_BATCH)
        await lookupCredentials(on, requests.slice(i, i + LOOKUP_BATCH), { reveal: true });
    });
  // A warm-up of each (statements prepared, pages cached; ssokit's round trips counted),
  // then alternated runs.
  const warmFloorMs = await floorRun();
  const counted = countingContext(ctx);
  const countedMs = await oursRun(counted.ctx);
  const floorTimes: number[] = [];
  const oursTimes: number[] = [];
  for (let i = 0; i < LOOKUP_RUNS; i++) {
    floorTimes.push(await floorRun());
    oursTimes.push(await oursRun());
  }
  await client.end();
  return {
    count: requests.length,
    floorMs: mid(floorTimes),
    oursMs: mid(oursTimes),
    trips: {
      batches: requests.length / LOOKUP_BATCH,
      trips: counted.trips,
      countedMs,
      warmFloorMs,
    },
  };
}

async function rotateTable(dir: string, large: PgSystem): Promise<Table> {
  const small = await newPgSystem(dir, 'rotate_1000');
  await importCredentials(small.ctx, 'bench.jsonl', credentialLines(APPS, 1000 / APPS));
  const largeCtx = await reopenBench(dir, large.name);
  // Alternated, so both stores see the same machine load.
  const stores = [
    { credentials: 1_000, ctx: small.ctx, times: [] as number[] },
    { credentials: 100_000, ctx: largeCtx, times: [] as number[] },
  ];
  let n = 0;
  for (let i = 0; i < ROTATIONS; i++) {
    // ABBA: neither store always goes first.
    for (const { credentials, ctx, times } of i % 2 ? [...stores].reverse() : stores) {
      times.push(
        await timeMs(() =>
          rotateSecret(ctx, {
            path: `${dir}/pg-rot-${credentials}-${n++}.bak`,
            password: BENCH_PASSWORD,
            reminder: '',
            overwrite: true,
          }),
        ),
      );
    }
  }
  const medians = stores.map((s) => mid(s.times));
  const quartiles = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${fmt.ms(sorted[Math.floor(sorted.length / 4)]!)} – ${fmt.ms(sorted[Math.floor((sorted.length * 3) / 4)]!)}`;
  };
  const rows = stores.map((s, i) => [fmt.int(s.credentials), String(APPS), fmt.ms(medians[i]!), quartiles(s.times)]);
  await largeCtx.store.close();
  await closeSystem(small);
  const ratio = medians[1]! / medians[0]!;
  return {
    title: 'Master secret rotation (ssokit secret rotate)',
    method:
      `Core \`rotateSecret\` on a PostgreSQL store: medians of ${ROTATIONS} rotations, alternated between the two stores, each writing its backup (scrypt at its 2^10 floor ` +
      'so the store work shows) and re-wrapping every data key in one transaction.',
    columns: ['credentials', 'applications', 'rotate (median)', 'middle half of the runs'],
    rows,
    checks: [
      {
        requirement: 'rotate at 100,000 / at 1,000 credentials ≤ 1.2×',
        measured: fmt.ratio(ratio),
        pass: ratio <= 1.2,
      },
    ],
  };
}

async function reencryptTable(system: PgSystem): Promise<Table> {
  const credentials = 100_000;
  const { ctx } = system;
  const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'bench'));
  const keys = new Map<string, Uint8Array>();
  for (const { id } of await ctx.store.all<{ id: number }>('SELECT id FROM data_keys'))
    keys.set(String(id), (await ring.byId(ctx.store, id)).key);
  // The pristine store is the template of every run's copy: nobody may be connected to it.
  await ctx.store.close();
  const WINDOW = 1000;

  // The floor: on a copy of the same store, new key rows to point at (as a re-encryption
  // makes; the foreign key is checked), then, timed: batches of BATCH_SIZE rows, each one
  // transaction: the rows read by key order, each opened and sealed under a new key with
  // tweetnacl, and the same UPDATE core sends, one prepared statement per row, pipelined
  // 1,000 at a time. `setBased` instead sends one UPDATE … FROM unnest(…) per batch: not
  // the goal's floor (other statements), shown for what the server can do.
  const floorRun = async (setBased: boolean) => {
    const copy = await freshDatabase('reencrypt_floor', system.db.name);
    const client = await rawClient(copy.name, { pipeline: true });
    try {
      const newKey = nacl.randomBytes(32);
      const newKeyId = new Map<string, string>();
      for (const id of keys.keys()) {
        const result = await client.query(
          `INSERT INTO data_keys (app_id, state, master_secret_id, wrapped, created_at)
           SELECT app_id, 'retiring', master_secret_id, wrapped, created_at FROM data_keys WHERE id = $1 RETURNING id`,
          [id],
        );
        newKeyId.set(id, String(result.rows[0].id));
      }
      let moved = 0;
      const ms = await timeMs(async () => {
        let after = '0';
        for (;;) {
          await client.query('BEGIN');
          const { rows } = await client.query<{ mapping_id: string; data_key_id: string; ciphertext: Buffer }>({
            name: 'floor_select',
            text: 'SELECT mapping_id, data_key_id, ciphertext FROM credentials WHERE mapping_id > $1 ORDER BY mapping_id LIMIT $2',
            values: [after, BATCH_SIZE],
          });
          const sealed = rows.map((row) => {
            const plain = nacl.secretbox.open(
              row.ciphertext.subarray(24),
              row.ciphertext.subarray(0, 24),
              keys.get(row.data_key_id)!,
            );
            if (!plain) throw new Error('reencrypt floor: a row did not open');
            const nonce = nacl.randomBytes(24);
            return Buffer.concat([nonce, nacl.secretbox(plain, nonce, newKey)]);
          });
          if (setBased && rows.length) {
            await client.query({
              name: 'floor_update_set',
              text: `UPDATE credentials c SET ciphertext = v.ciphertext, data_key_id = v.key_id
                     FROM unnest($1::bytea[], $2::bigint[], $3::bigint[]) AS v (ciphertext, key_id, mapping_id)
                     WHERE c.mapping_id = v.mapping_id`,
              values: [sealed, rows.map((r) => newKeyId.get(r.data_key_id)!), rows.map((r) => r.mapping_id)],
            });
          } else {
            for (let i = 0; i < rows.length; i += WINDOW) {
              await Promise.all(
                rows.slice(i, i + WINDOW).map((row, j) =>
                  client.query({
                    name: 'floor_update',
                    text: 'UPDATE credentials SET ciphertext = $1, data_key_id = $2 WHERE mapping_id = $3',
                    values: [sealed[i + j]!, newKeyId.get(row.data_key_id)!, row.mapping_id],
                  }),
                ),
              );
            }
          }
          await client.query('COMMIT');
          moved += rows.length;
          if (rows.length < BATCH_SIZE) break;
          after = rows[rows.length - 1]!.mapping_id;
        }
      });
      if (moved !== credentials) throw new Error(`reencrypt floor: ${moved} rows`);
      return ms;
    } finally {
      await client.end();
      await copy.drop();
    }
  };
  const oursRun = async () => {
    const copy = await freshDatabase('reencrypt', system.db.name);
    const store = await openStore(copy.url, { busyTimeoutMs: 5000 });
    try {
      let moved = 0;
      const ms = await timeMs(async () => {
        moved = (await reencryptStore({ ...ctx, store })).credentials;
      });
      if (moved !== credentials) throw new Error(`reencrypt: ${moved} credentials moved`);
      return ms;
    } finally {
      await store.close();
      await copy.drop();
    }
  };
  const floorTimes: number[] = [];
  const oursTimes: number[] = [];
  const setTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    floorTimes.push(await floorRun(false));
    oursTimes.push(await oursRun());
    setTimes.push(await floorRun(true));
  }
  const floorMs = mid(floorTimes);
  const oursMs = mid(oursTimes);
  const setMs = mid(setTimes);
  const share = floorMs / oursMs;
  return {
    title: 'Re-encryption (ssokit secret reencrypt) against its floor',
    method:
      `${fmt.int(credentials)} credentials over ${APPS} applications, each run on a fresh copy of the same store ` +
      `(CREATE DATABASE … TEMPLATE). Floor: batches of ${fmt.int(BATCH_SIZE)} rows, each one transaction: the rows read ` +
      'in key order, tweetnacl open + secretbox, the same UPDATE core sends as one prepared statement per row, pipelined ' +
      '1,000 rows at a time. ssokit: core `reencryptStore` (new data keys, owner-bound plaintexts, the same batches read ' +
      'through the data-key index, each a transaction under the writers’ lock, updates pipelined by the adapter). The ' +
      'set-based row sends one `UPDATE … FROM unnest(…)` per batch instead: other statements, so not the floor the goal ' +
      'is checked against, but what the server does with the same rows. Alternated runs, medians of 3.',
    columns: ['', 'time', 'throughput'],
    rows: [
      ['raw floor (an UPDATE per row, pipelined)', fmt.ms(floorMs), fmt.rate((credentials / floorMs) * 1000)],
      ['ssokit secret reencrypt', fmt.ms(oursMs), fmt.rate((credentials / oursMs) * 1000)],
      ['set-based, for comparison (an UPDATE per batch)', fmt.ms(setMs), fmt.rate((credentials / setMs) * 1000)],
    ],
    checks: [{ requirement: 'reencrypt throughput ≥ 75% of the floor', measured: fmt.pct(share), pass: share >= 0.75 }],
  };
}
