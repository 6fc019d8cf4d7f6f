/** The master secret suite: rotation cost, re-encryption against its floor, cold start. */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { DataKeyRing } from '../src/core/secret/data-keys.js';
import { loadMasterKeyring } from '../src/core/secret/keyring.js';
import { reencryptStore } from '../src/core/secret/reencrypt.js';
import { rotateSecret } from '../src/core/secret/rotate.js';
import { nacl } from '../src/crypto/nacl.js';
import { BATCH_SIZE } from '../src/defaults.js';
import { openStore } from '../src/store/open-store.js';
import { fmt, median, type SuiteResult, type Table, timeMs } from './harness.js';
import { BENCH_PASSWORD, newBenchSystem, seedCredentials } from './seed.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

export async function secretSuite(dir: string, repoRoot: string): Promise<SuiteResult> {
  return {
    suite: 'master secret',
    tables: [await rotateTable(dir), await reencryptTable(dir), await coldStartTable(dir, repoRoot)],
  };
}

async function rotateTable(dir: string): Promise<Table> {
  const rows: string[][] = [];
  const medians: number[] = [];
  for (const credentials of [1_000, 100_000]) {
    const ctx = await newBenchSystem(dir, `rotate${credentials}`);
    await seedCredentials(ctx, 100, credentials);
    let n = 0;
    const ms = await median(9, () =>
      timeMs(() =>
        rotateSecret(ctx, {
          path: join(dir, `rot-${credentials}-${n++}.bak`),
          password: BENCH_PASSWORD,
          reminder: '',
          overwrite: true,
        }),
      ),
    );
    medians.push(ms);
    rows.push([fmt.int(credentials), '100', fmt.ms(ms)]);
    await ctx.store.close();
  }
  const ratio = medians[1]! / medians[0]!;
  return {
    title: 'Master secret rotation (ssokit secret rotate)',
    method:
      'Median of 9 rotations, each writing its backup (scrypt at its 2^10 floor so the store work shows) and re-wrapping every data key in one transaction.',
    columns: ['credentials', 'applications', 'rotate (median)'],
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

async function reencryptTable(dir: string): Promise<Table> {
  const credentials = 100_000;
  const ctx = await newBenchSystem(dir, 'reencrypt');
  await seedCredentials(ctx, 100, credentials);
  const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'bench'));
  const keys = new Map<number, Uint8Array>();
  for (const row of await ctx.store.all<{ id: number }>('SELECT id FROM data_keys'))
    keys.set(row.id, (await ring.byId(ctx.store, row.id)).key);
  await ctx.store.close();
  const pristine = join(dir, 'reencrypt-pristine.sqlite');
  copyFileSync(ctx.node.store, pristine);

  // The floor: the same rows opened and sealed with tweetnacl and updated with one
  // prepared statement in one transaction, on a copy of the same store, same pragmas. The
  // update writes what any re-encryption must: the new ciphertext and the key it names.
  const floorMs = await median(3, () => {
    const copy = join(dir, `floor-${randomBytes(4).toString('hex')}.sqlite`);
    copyFileSync(pristine, copy);
    const db = new Database(copy);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const newKey = randomBytes(32);
    // New key rows to point at, as a re-encryption creates (the foreign key is checked).
    const newKeyId = new Map<number, number>();
    const addKey = db.prepare(
      "INSERT INTO data_keys (app_id, state, master_secret_id, wrapped, created_at) SELECT app_id, 'retiring', master_secret_id, wrapped, created_at FROM data_keys WHERE id = ?",
    );
    for (const id of keys.keys()) newKeyId.set(id, Number(addKey.run(id).lastInsertRowid));
    const rows = db.prepare('SELECT mapping_id, data_key_id, ciphertext FROM credentials').all() as {
      mapping_id: number;
      data_key_id: number;
      ciphertext: Buffer;
    }[];
    const update = db.prepare('UPDATE credentials SET ciphertext = ?, data_key_id = ? WHERE mapping_id = ?');
    const start = process.hrtime.bigint();
    db.transaction(() => {
      for (const row of rows) {
        const plain = nacl.secretbox.open(
          row.ciphertext.subarray(24),
          row.ciphertext.subarray(0, 24),
          keys.get(row.data_key_id)!,
        );
        if (!plain) throw new Error('floor: a row did not open');
        const nonce = randomBytes(24);
        update.run(
          Buffer.concat([nonce, nacl.secretbox(plain, nonce, newKey)]),
          newKeyId.get(row.data_key_id)!,
          row.mapping_id,
        );
      }
    })();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    db.close();
    return ms;
  });

  const oursMs = await median(3, async () => {
    copyFileSync(pristine, ctx.node.store);
    const store = await openStore(ctx.node.store, { busyTimeoutMs: 5000 });
    const ms = await timeMs(() => reencryptStore({ ...ctx, store }));
    await store.close();
    return ms;
  });
  const share = floorMs / oursMs;
  return {
    title: 'Re-encryption (ssokit secret reencrypt) against its floor',
    method:
      `${fmt.int(credentials)} credentials over 100 applications. Floor: select the rows, tweetnacl open + secretbox, ` +
      'one prepared UPDATE per row, one transaction. ssokit: the real command (new data keys, owner-bound plaintexts, ' +
      `batches of ${fmt.int(BATCH_SIZE)} rows, each committed with synchronous=FULL). Medians of 3.`,
    columns: ['', 'time', 'throughput'],
    rows: [
      ['raw floor', fmt.ms(floorMs), fmt.rate((credentials / floorMs) * 1000)],
      ['ssokit secret reencrypt', fmt.ms(oursMs), fmt.rate((credentials / oursMs) * 1000)],
    ],
    checks: [{ requirement: 'reencrypt throughput ≥ 90% of the floor', measured: fmt.pct(share), pass: share >= 0.9 }],
  };
}

/** The read commands a user waits for, each from a cold process, against `node -e 0`. */
async function coldStartTable(dir: string, repoRoot: string): Promise<Table> {
  const home = join(dir, 'rotate1000');
  const empty = join(dir, 'empty');
  await (await newBenchSystem(dir, 'empty')).store.close();
  const env = { ...process.env, NO_COLOR: '1' };
  const bin = (tool: string) => join(repoRoot, 'bin', `${tool}.js`);
  const commands: [label: string, args: string[]][] = [
    ['ssokit secret status', [bin('ssokit'), '--home', home, 'secret', 'status']],
    ['ssokit db show', [bin('ssokit'), '--home', home, 'db', 'show']],
    ['ssomanage -listapps', [bin('ssomanage'), '-listapps', '--home', home]],
    ['ssokit app show', [bin('ssokit'), '--home', home, 'app', 'show', 'BenchApp0']],
    ['ssokit credentials get', [bin('ssokit'), '--home', home, 'credentials', 'get', 'CORP\\imported0', 'BenchApp0']],
    ['ssokit check (empty store)', [bin('ssokit'), '--home', empty, 'check']],
  ];
  const run = (args: string[]) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0) throw new Error(`cold start run failed: ${args.join(' ')}\n${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const bare: number[] = [];
  const times = commands.map((): number[] => []);
  for (let i = 0; i < 21; i++) {
    // Alternated, so every command sees the same machine load as the bare start.
    bare.push(run(['-e', '0']));
    commands.forEach(([, args], c) => {
      times[c]!.push(run(args));
    });
  }
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const floor = mid(bare);
  return {
    title: 'Cold start of the read commands',
    method:
      'Medians of 21 alternated process runs, output discarded: each command on a store with 100 applications and 1,000 credentials (check: an empty store).',
    columns: ['command', 'wall time (median)', '× node -e 0'],
    rows: [
      ['node -e 0', fmt.ms(floor), '1.00×'],
      ...commands.map(([label], c) => [label, fmt.ms(mid(times[c]!)), fmt.ratio(mid(times[c]!) / floor)]),
    ],
    checks: commands.map(([label], c) => {
      const ratio = mid(times[c]!) / floor;
      return { requirement: `${label} ≤ 1.5× node -e 0`, measured: fmt.ratio(ratio), pass: ratio <= 1.5 };
    }),
  };
}
