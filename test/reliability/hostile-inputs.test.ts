// The hostile input corpus (fixtures/hostile/corpus.json and the generated families below):
// each input is refused with a clear error and its documented status, no stack trace, and
// the node — home files and store content — exactly as it was.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, ftruncateSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { parseBackup } from '../../src/crypto/secret-backup-format.js';
import { parseBundleHeader } from '../../src/crypto/bundle-format.js';
import { SsoError } from '../../src/errors.js';
import { parseVector } from '../../fixtures/vectors/secret-backup-vectors.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { manifestFor, tarOf, writeCraftedBundle } from '../helpers/bundles.js';
import { testEnv } from '../helpers/fast-deps.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const HOSTILE = join(REPO_ROOT, 'fixtures', 'hostile');
const PASSWORD = 'hostile-password-1';

let dir: ReturnType<typeof tempDir>;
let home: string;
let bundle: Buffer;
let backup: Buffer;

function run(argv: string[]): { status: number; stdout: string; stderr: string } {
  const [tool, ...args] = argv;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', `${tool}.js`), ...args], { cwd: dir.path, env: testEnv(), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Every file of the home by hash (SQLite's -wal and -shm aside), and the store's rows. */
function snapshot(): { files: Record<string, string>; rows: string; audit: { result: string }[] } {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(home, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !/-(wal|shm)$/.test(path)) files[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  const db = new Database(join(home, 'ssodb.sqlite'), { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit', 'sqlite_sequence') ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw(true).all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).join('\n');
    return { files, rows, audit: db.prepare('SELECT result FROM audit ORDER BY id').all() as { result: string }[] };
  } finally {
    db.close();
  }
}

/**
 * Refused: the status, the words, no stack trace, and nothing changed. A refused command
 * may add one audit record of its failure (the audit is where refusals are kept), nothing more.
 */
function expectRefused(argv: string[], status: number, says: string): void {
  const before = snapshot();
  const result = run(argv);
  const label = `${argv.join(' ')} → ${result.status}: ${result.stderr}`;
  expect([label, result.status]).toEqual([label, status]);
  expect(result.stderr).toContain(says);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const after = snapshot();
  expect(after.rows).toEqual(before.rows);
  const added = after.audit.slice(before.audit.length);
  expect(added.length).toBeLessThanOrEqual(1);
  for (const record of added) expect(record.result).toMatch(/^failure/);
  // With no audit record the store file is byte for byte as it was; with one, all but it is.
  expect(withoutStore(after.files, added.length > 0)).toEqual(withoutStore(before.files, added.length > 0));
}

function withoutStore(files: Record<string, string>, drop: boolean): Record<string, string> {
  return drop ? Object.fromEntries(Object.entries(files).filter(([path]) => !path.endsWith('ssodb.sqlite'))) : files;
}

beforeAll(() => {
  dir = tempDir();
  home = join(dir.path, 'home');
  writeFileSync(join(dir.path, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(join(dir.path, 'wrong-pw'), 'not-the-password\n', { mode: 0o600 });
  writeFileSync(join(dir.path, 'apps.xml'), appXml([{ name: 'Payroll' }, { name: 'Settings', flags: 'configStoreApp="yes"', fields: '' }]));
  writeFileSync(join(dir.path, 'httpd.conf'), 'Listen 443\n');
  const setup = [
    ['ssokit', '--home', home, '--node-name', 'alpha', 'init', '--backup', 'alpha.bak', '--reminder', 'r', '--password-file', 'pw'],
    ['ssokit', '--home', home, 'app', 'create', 'apps.xml'],
    ['ssokit', '--home', home, 'bizsys', 'add', 'shop', '--public-url', 'https://shop.example.com', '--file', 'web-config=httpd.conf'],
    ['ssocloneaz', '-p', '-f', 'env.bundle', '--home', home, '--password-file', 'pw'],
  ];
  for (const argv of setup) {
    const result = run(argv);
    if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
  }
  bundle = readFileSync(join(dir.path, 'env.bundle'));
  backup = readFileSync(join(dir.path, 'alpha.bak'));
}, 60_000);
afterAll(() => dir.cleanup());

interface CorpusCase {
  file?: string;
  run: string[];
  status: number;
  says: string;
}

const corpus = JSON.parse(readFileSync(join(HOSTILE, 'corpus.json'), 'utf8')) as { cases: CorpusCase[] };

test.each(corpus.cases.map((c) => [c.file ?? c.run.slice(0, 4).join(' '), c] as const))('corpus: %s', (_name, c) => {
  const argv = c.run.map((a) => a.replace('{FILE}', join(HOSTILE, c.file ?? '')).replace('{HOME}', home).replace('{PW}', 'pw'));
  expectRefused(argv, c.status, c.says);
});

test('XML nested 10,000 deep, and a 200 MB file (refused by its size, unread)', () => {
  const deep = join(dir.path, 'deep.xml');
  writeFileSync(deep, `<?xml version="1.0"?>\n<SSO>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</SSO>\n`);
  expectRefused(['ssomanage', '-createapps', deep, '--home', home], 6, 'elements may nest at most 32 deep');
  const huge = join(dir.path, 'huge.xml');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 200 * 2 ** 20);
  closeSync(fd);
  expectRefused(['ssomanage', '-createapps', huge, '--home', home], 6, 'XML input is limited to 64 MiB');
});

describe('secret backups', () => {
  test('truncated at every offset of its header: every prefix is refused by the reader as an SsoError', () => {
    const headerEnd = backup.indexOf('\npayload: ') + 10;
    for (let n = 0; n < headerEnd; n++) {
      expect(() => parseBackup(backup.subarray(0, n))).toThrow(SsoError);
    }
  });

  test.each([0, 10, 30, 60, 120, 200])('truncated to %i bytes, through restore and verify', (n) => {
    writeFileSync(join(dir.path, 'cut.bak'), backup.subarray(0, n), { mode: 0o600 });
    expectRefused(['ssoconfig', '-restoreSecret', 'cut.bak', '--home', home, '--password-file', 'pw'], 24, 'ERROR: 0xC0002A1A');
    expectRefused(['ssokit', '--home', home, 'secret', 'verify', 'cut.bak', '--password-file', 'pw'], 24, 'ssokit: error:');
  });

  // One flipped byte at 16 sampled places (a fixed stride over the file): never accepted. A
  // flip in the header's secret id is refused before the password (42: not this store's secret).
  test.each(Array.from({ length: 16 }, (_, i) => i))('one flipped byte, sample %i', (i) => {
    const at = Math.floor(((i + 0.5) * backup.length) / 16);
    const flipped = Buffer.from(backup);
    flipped[at]! ^= 0x04;
    writeFileSync(join(dir.path, 'flip.bak'), flipped, { mode: 0o600 });
    const before = snapshot();
    const result = run(['ssoconfig', '-restoreSecret', 'flip.bak', '--home', home, '--password-file', 'pw']);
    expect([at, result.status, result.stderr, [20, 21, 22, 23, 24, 42, 43].includes(result.status)]).toEqual([at, result.status, result.stderr, true]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const after = snapshot();
    expect(after.rows).toEqual(before.rows);
    expect(withoutStore(after.files, true)).toEqual(withoutStore(before.files, true));
  });

  test.each([
    ['kdf-over-cap', 23],
    ['unknown-version', 22],
  ])('the %s vector, through restore', (name, status) => {
    const { body } = parseVector(readFileSync(join(REPO_ROOT, 'fixtures/vectors/secret-backup', `${name}.vector`)));
    writeFileSync(join(dir.path, `${name}.bak`), body, { mode: 0o600 });
    expectRefused(['ssoconfig', '-restoreSecret', `${name}.bak`, '--home', home, '--password-file', 'pw'], status, 'ERROR: 0xC0002A1A');
  });
});

describe('environment bundles', () => {
  const fresh = () => join(dir.path, 'fresh-node');
  /** A bundle import into a fresh node must leave no node and no staging folder behind. */
  function expectImportRefused(file: string, statuses: number[]): void {
    const before = snapshot();
    const result = run(['ssocloneaz', '-c', '-f', file, '--home', fresh(), '--node-name', 'web2', '--password-file', 'pw', '--keep-bundle']);
    expect([file, statuses.includes(result.status)]).toEqual([file, true]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir.path).filter((n) => n.startsWith('fresh-node') || n.startsWith('.fresh-node'))).toEqual([]);
    expect(snapshot().files).toEqual(before.files);
  }

  test('truncated at every offset of its header: every prefix is refused by the reader as an SsoError', () => {
    const { payloadOffset } = parseBundleHeader(bundle);
    for (let n = 0; n < payloadOffset; n++) {
      const parse = () => parseBundleHeader(bundle.subarray(0, n));
      expect(parse).toThrow(SsoError);
    }
  });

  test('truncated in its header and in its payload, through import', () => {
    const { payloadOffset } = parseBundleHeader(bundle);
    for (const n of [0, 20, Math.floor(payloadOffset / 2), payloadOffset, payloadOffset + 100, bundle.length - 1]) {
      writeFileSync(join(dir.path, 'cut.bundle'), bundle.subarray(0, n), { mode: 0o600 });
      expectImportRefused('cut.bundle', [21, 22, 24]);
    }
  });

  test('one flipped byte at 12 sampled places, through import', () => {
    for (let i = 0; i < 12; i++) {
      const at = Math.floor(((i + 0.5) * bundle.length) / 12);
      const flipped = Buffer.from(bundle);
      flipped[at]! ^= 0x10;
      writeFileSync(join(dir.path, 'flip.bundle'), flipped, { mode: 0o600 });
      expectImportRefused('flip.bundle', [20, 21, 22, 23, 24, 60, 61, 62, 63]);
    }
  });

  test.each([
    ['an absolute path', { path: '/tmp/ssokit-hostile-escape', body: Buffer.from('x') }],
    ['a path with ..', { path: 'bizsys/../../escape', body: Buffer.from('x') }],
    ['a symbolic link escaping', { path: 'bizsys/shop/files/s', type: 'SymbolicLink' as const, linkpath: '/etc/shadow' }],
    ['a hard link escaping', { path: 'bizsys/shop/files/h', type: 'Link' as const, linkpath: '/etc/shadow' }],
    ['a device file', { path: 'bizsys/shop/files/d', type: 'BlockDevice' as const }],
    ['a FIFO', { path: 'bizsys/shop/files/f', type: 'FIFO' as const }],
    ['a name over the limit', { path: `bizsys/shop/files/${'x'.repeat(4000)}`, body: Buffer.from('x') }],
  ])('a tar entry with %s', async (_what, entry) => {
    await writeCraftedBundle(join(dir.path, 'hostile.bundle'), PASSWORD, manifestFor([]), tarOf([entry]));
    expectImportRefused('hostile.bundle', [66]);
  });
});
