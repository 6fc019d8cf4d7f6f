/** The ssomanage suite: bulk creation from XML, credential import, listing, lookups against their floor. */

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { type LookupRequest, lookupCredentials } from '../src/core/manage/lookup.js';
import { DataKeyRing } from '../src/core/secret/data-keys.js';
import { loadMasterKeyring } from '../src/core/secret/keyring.js';
import { nacl } from '../src/crypto/nacl.js';
import { fmt, median, type SuiteResult, type Table, timeMs } from './harness.js';
import { appsXml, credentialLines, mappingsXml, newBenchSystem } from './seed.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

export async function manageSuite(dir: string, repoRoot: string): Promise<SuiteResult> {
  const ctx = await newBenchSystem(dir, 'manage');
  const home = ctx.paths.root;
  await ctx.store.close();
  const cli = (tool: string, args: string[], stdout: 'ignore' | 'pipe' = 'ignore') => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [join(repoRoot, 'bin', `${tool}.js`), ...args, '--home', home], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', stdout, 'pipe'],
      maxBuffer: 1 << 30,
    });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };

  // 1,000 applications and 100,000 mappings (100 each), from XML files, through ssomanage.
  const appsFile = join(dir, 'apps.xml');
  writeFileSync(appsFile, appsXml(1000));
  const mappingsFile = join(dir, 'mappings.xml');
  writeFileSync(mappingsFile, mappingsXml(1000, 100));
  const appsMs = cli('ssomanage', ['-createapps', appsFile]);
  const mappingsMs = cli('ssomanage', ['-createmappings', mappingsFile]);
  const mappingRate = (100_000 / mappingsMs) * 1000;

  // 100,000 credentials for new users of those applications, through ssokit credentials import.
  const importFile = join(dir, 'credentials.jsonl');
  writeFileSync(importFile, credentialLines(1000, 100));
  const importMs = cli('ssokit', ['credentials', 'import', importFile]);
  const importRate = (100_000 / importMs) * 1000;

  // One application with 100,000 mappings, listed.
  writeFileSync(join(dir, 'big.xml'), appsXml(1, 'Big'));
  cli('ssomanage', ['-createapps', join(dir, 'big.xml')]);
  writeFileSync(join(dir, 'big-mappings.xml'), mappingsXml(1, 100_000, 'Big'));
  cli('ssomanage', ['-createmappings', join(dir, 'big-mappings.xml')]);
  const listMs = await median(3, () => cli('ssomanage', ['-listmappings', 'Big0'], 'pipe'));

  const bulk: Table = {
    title: 'Bulk work through the commands',
    method: 'Each a run of the built binary on the same store (synchronous=FULL), start-up included.',
    columns: ['command', 'work', 'time', 'rate'],
    rows: [
      [
        'ssomanage -createapps',
        '1,000 applications (a data key each)',
        fmt.ms(appsMs),
        fmt.rate((1000 / appsMs) * 1000),
      ],
      [
        'ssomanage -createmappings',
        '100,000 mappings over 1,000 applications',
        fmt.ms(mappingsMs),
        fmt.rate(mappingRate),
      ],
      ['ssokit credentials import', '100,000 credentials, mappings created', fmt.ms(importMs), fmt.rate(importRate)],
      ['ssomanage -listmappings <app>', 'an application with 100,000 mappings (median of 3)', fmt.ms(listMs), ''],
    ],
    checks: [
      { requirement: 'mappings from XML ≥ 20,000/s', measured: fmt.rate(mappingRate), pass: mappingRate >= 20_000 },
      { requirement: 'credentials import ≥ 50,000/s', measured: fmt.rate(importRate), pass: importRate >= 50_000 },
      { requirement: '-listmappings over 100,000 mappings < 1 s', measured: fmt.ms(listMs), pass: listMs < 1000 },
    ],
  };
  return { suite: 'ssomanage', tables: [bulk, await lookupTable(dir, 'manage')] };
}

async function lookupTable(dir: string, name: string): Promise<Table> {
  const { reopenBench } = await import('./seed.js');
  const ctx = await reopenBench(dir, name);
  const requests: LookupRequest[] = [];
  for (let a = 0; a < 1000; a++)
    for (let u = 0; u < 100; u++) requests.push({ user: `CORP\\imported${u}`, app: `BenchApp${a}` });
  const batch = 1000;
  const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'bench'));
  const keys = new Map<number, Uint8Array>();
  for (const { id } of await ctx.store.all<{ id: number }>('SELECT id FROM data_keys'))
    keys.set(id, (await ring.byId(ctx.store, id)).key);
  const ids = (
    await ctx.store.all<{ app_id: number; local_key: string }>(
      "SELECT app_id, local_key FROM mappings WHERE local_key LIKE 'corp\\imported%'",
    )
  ).map((r) => [r.app_id, r.local_key] as const);
  // The floor: a point read of each credential row by its key and a secretbox open, nothing else.
  const db = new Database(ctx.node.store, { readonly: true });
  const read = db.prepare(
    'SELECT c.data_key_id, c.ciphertext FROM mappings m JOIN credentials c ON c.mapping_id = m.id WHERE m.app_id = ? AND m.local_key = ?',
  );
  const floorRun = () =>
    timeMs(() => {
      for (const [appId, key] of ids) {
        const row = read.get(appId, key) as { data_key_id: number; ciphertext: Buffer };
        if (
          !nacl.secretbox.open(row.ciphertext.subarray(24), row.ciphertext.subarray(0, 24), keys.get(row.data_key_id)!)
        )
          throw new Error('floor');
      }
    });
  const oursRun = () =>
    timeMs(async () => {
      for (let i = 0; i < requests.length; i += batch)
        await lookupCredentials(ctx, requests.slice(i, i + batch), { reveal: true });
    });
  // Alternated, so both see the same machine load; medians of 5.
  const floorTimes: number[] = [];
  const oursTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    floorTimes.push(await floorRun());
    oursTimes.push(await oursRun());
  }
  db.close();
  await ctx.store.close();
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const floorMs = mid(floorTimes);
  const oursMs = mid(oursTimes);
  const share = floorMs / oursMs;
  return {
    title: 'Credential lookup (GetCredentials) against its floor',
    method:
      `${fmt.int(requests.length)} lookups in-process, in batches of ${batch} (one transaction each, every lookup written to the ` +
      'credential-lookup audit). Floor: the same rows read by one prepared point query each and opened with tweetnacl. Alternated runs, medians of 5.',
    columns: ['', 'time', 'throughput'],
    rows: [
      ['raw floor', fmt.ms(floorMs), fmt.rate((ids.length / floorMs) * 1000)],
      ['lookupCredentials', fmt.ms(oursMs), fmt.rate((requests.length / oursMs) * 1000)],
    ],
    checks: [{ requirement: 'lookup throughput ≥ 90% of the floor', measured: fmt.pct(share), pass: share >= 0.9 }],
  };
}
