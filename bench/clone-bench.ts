/**
 * The ssocloneaz suite: exporting and importing a 1 GB environment, side by side with
 * `tar -c DIR | age -r KEY` and its reverse on the same tree (Debian's age, installed here
 * as a comparator only), with the peak memory of each ssokit run.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemRng } from '../src/crypto/random.js';
import { fmt, type SuiteResult, type Table } from './harness.js';
import { BENCH_PASSWORD, newBenchSystem } from './seed.js';

const FILES = 16;
const FILE_BYTES = 64 * 1024 * 1024;

export async function cloneSuite(dir: string, repoRoot: string): Promise<SuiteResult> {
  ensureAge();
  const ctx = await newBenchSystem(dir, 'source');
  await ctx.store.close();
  const home = ctx.paths.root;
  const files = join(home, 'bizsys', 'big', 'files');
  mkdirSync(files, { recursive: true, mode: 0o700 });
  for (let i = 0; i < FILES; i++)
    writeFileSync(join(files, `content-${i}.bin`), randomBlock(FILE_BYTES), { mode: 0o600 });
  // The business system's definition references the files already in place.
  const definition = {
    format: 'ssokit-bizsys/v1',
    name: 'big',
    publicUrl: 'https://big.example.com:443',
    protectedPaths: ['/'],
    authServerUrl: '',
    ssl: true,
    session: { ssoEnabled: true, maxInactiveSeconds: 300, reapIntervalSeconds: 60, failoverEnabled: false },
    files: readdirSync(files).map((name) => ({ role: 'message', name })),
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(home, 'bizsys', 'big', 'bizsys.json'), JSON.stringify(definition), { mode: 0o600 });
  const passwordFile = join(dir, 'pw');
  writeFileSync(passwordFile, `${BENCH_PASSWORD}\n`, { mode: 0o600 });
  execFileSync('age-keygen', ['-o', join(dir, 'age.key')], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', join(dir, 'age.key')], { encoding: 'utf8' }).trim();

  const runs = 6;
  const ours = { export: [] as Run[], import: [] as Run[] };
  const age = { export: [] as Run[], import: [] as Run[] };
  for (let i = 0; i < runs; i++) {
    // Alternated, and each side first every other round, so neither always inherits the
    // other's disk state.
    const ssokitRound = () => {
      const bundle = join(dir, 'env.bundle');
      rmSync(bundle, { force: true });
      ours.export.push(
        timed(process.execPath, [
          join(repoRoot, 'bin/ssocloneaz.js'),
          '-p',
          bundle,
          '--home',
          home,
          '--password-file',
          passwordFile,
        ]),
      );
      const dest = join(dir, `dest-${i}`);
      ours.import.push(
        timed(process.execPath, [
          join(repoRoot, 'bin/ssocloneaz.js'),
          '-c',
          bundle,
          '--home',
          dest,
          '--node-name',
          'web2',
          '--password-file',
          passwordFile,
          '--delete-bundle',
        ]),
      );
      rmSync(dest, { recursive: true, force: true });
    };
    const ageRound = () => {
      const sealed = join(dir, 'env.tar.age');
      age.export.push(timed('sh', ['-c', `tar -c -C "${home}" bizsys | age -r ${recipient} > "${sealed}"`]));
      const ageDest = join(dir, `age-dest-${i}`);
      mkdirSync(ageDest);
      age.import.push(timed('sh', ['-c', `age -d -i "${join(dir, 'age.key')}" "${sealed}" | tar -x -C "${ageDest}"`]));
      rmSync(ageDest, { recursive: true, force: true });
      rmSync(sealed, { force: true });
    };
    if (i % 2 === 0) {
      ssokitRound();
      ageRound();
    } else {
      ageRound();
      ssokitRound();
    }
  }
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const wall = (list: Run[]) => mid(list.map((r) => r.ms));
  const rss = (list: Run[]) => Math.max(...list.map((r) => r.maxRssBytes));
  const exportRatio = wall(ours.export) / wall(age.export);
  const importRatio = wall(ours.import) / wall(age.import);
  const gb = FILES * FILE_BYTES;
  const table: Table = {
    title: `Environment bundles: ${fmt.mb(gb)} of files`,
    method:
      `${FILES} files of ${fmt.mb(FILE_BYTES)} in one business system. ssokit: the built binary (ssocloneaz -p / -c, ` +
      'production scrypt cost, SHA-256 manifest hashed on a worker thread, ChaCha20-Poly1305 STREAM, import checked in a staging folder ' +
      'and moved into place). ' +
      `age ${ageVersion()}: tar -c | age -r and age -d | tar -x on the same tree. Medians of ${runs} alternated runs; ` +
      'peak RSS from /usr/bin/time -v (the largest of the runs).',
    columns: ['', 'ssokit', 'tar + age', 'ratio', 'ssokit peak RSS'],
    rows: [
      ['export', fmt.ms(wall(ours.export)), fmt.ms(wall(age.export)), fmt.ratio(exportRatio), fmt.mb(rss(ours.export))],
      ['import', fmt.ms(wall(ours.import)), fmt.ms(wall(age.import)), fmt.ratio(importRatio), fmt.mb(rss(ours.import))],
    ],
    checks: [
      { requirement: 'export ≤ 1.2× tar | age', measured: fmt.ratio(exportRatio), pass: exportRatio <= 1.2 },
      { requirement: 'import ≤ 1.2× age -d | tar', measured: fmt.ratio(importRatio), pass: importRatio <= 1.2 },
      {
        requirement: 'export peak RSS ≤ 150 MB',
        measured: fmt.mb(rss(ours.export)),
        pass: rss(ours.export) <= 150 * 2 ** 20,
      },
      {
        requirement: 'import peak RSS ≤ 150 MB',
        measured: fmt.mb(rss(ours.import)),
        pass: rss(ours.import) <= 150 * 2 ** 20,
      },
    ],
  };
  return { suite: 'ssocloneaz', tables: [table] };
}

interface Run {
  ms: number;
  maxRssBytes: number;
}

/**
 * Runs a command under /usr/bin/time -v: wall time, and the peak resident memory it reports.
 * Dirty pages are flushed first, so no run pays for the one before it.
 */
function timed(command: string, args: string[]): Run {
  spawnSync('sync');
  const start = process.hrtime.bigint();
  // Production scrypt cost (2^16, 64 MiB): its time and memory belong in the figures.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.SSOKIT_KDF_LOG2N;
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  return { ms, maxRssBytes: kb ? Number(kb[1]) * 1024 : 0 };
}

/** The comparator and /usr/bin/time, from Debian's packages, when they are missing. */
function ensureAge(): void {
  const missing = ['age', 'age-keygen', '/usr/bin/time'].some(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  if (!missing) return;
  const install = (args: string[]) => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;
  if (
    !install(['install', '-y', '-qq', 'age', 'time']) &&
    !(install(['update', '-qq']) && install(['install', '-y', '-qq', 'age', 'time']))
  ) {
    throw new Error('the clone bench needs age and /usr/bin/time (apt-get install age time)');
  }
}

function ageVersion(): string {
  return execFileSync('age', ['--version'], { encoding: 'utf8' }).trim();
}

/** Incompressible content, quickly: one random 1 MiB block repeated with a counter. */
function randomBlock(size: number): Buffer {
  const block = Buffer.from(systemRng(1 << 20));
  const out = Buffer.allocUnsafe(size);
  for (let at = 0, i = 0; at < size; at += block.length, i++) {
    block.writeUInt32BE(i, 0);
    block.copy(out, at);
  }
  return out;
}
