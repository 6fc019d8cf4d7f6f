// Issue 11, items 4 and 7: no command writes to a file that is not already an ssokit store
// (only init makes one), and reads work on a store this user may only read, or on a
// read-only file system.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { type CliResult, runCli } from '../helpers/cli.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

let dir: ReturnType<typeof tempDir>;
const home = (name: string) => join(dir.path, name);
const pw = () => join(dir.path, 'pw');
const ssokit = (name: string, ...args: string[]) => runCli('ssokit', ['--home', home(name), ...args]);
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

function init(name: string): void {
  ok(
    ssokit(
      name,
      '--node-name',
      name,
      'init',
      '--backup',
      join(dir.path, `${name}.bak`),
      '--password-file',
      pw(),
      '--reminder',
      'r',
    ),
  );
}

/** Another application's database: one table, the default rollback journal. */
function foreignDatabase(path: string): void {
  const db = new Database(path);
  db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT); INSERT INTO orders (item) VALUES ('tea')");
  db.close();
}

/** The file and everything beside it, byte for byte. */
function snapshot(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => [entry.name, readFileSync(join(folder, entry.name)).toString('base64')]),
  );
}

beforeEach(() => {
  dir = tempDir();
  writeFileSync(pw(), 'bundle-password-1\n', { mode: 0o600 });
});
afterEach(() => dir.cleanup());

describe('a file that is not an ssokit store is never changed', () => {
  test.each([
    ['another application database', foreignDatabase],
    ['an empty file', (path: string) => writeFileSync(path, '')],
    ['a text file', (path: string) => writeFileSync(path, 'not a database at all\n'.repeat(100))],
  ])('%s given with --db: reads and writes are refused, and the file is as it was', (_what, make) => {
    init('alpha');
    const other = join(dir.path, 'other');
    mkdirSync(other);
    const file = join(other, 'app.db');
    make(file);
    const before = snapshot(other);
    for (const args of [
      ['db', 'show'],
      ['secret', 'status'],
      ['app', 'list'],
      ['db', 'enable-sso'],
    ]) {
      const result = ssokit('alpha', '--db', file, ...args);
      expect([result.status, result.stderr]).toEqual([
        31,
        expect.stringContaining('is not an ssokit credential store'),
      ]);
    }
    expect(snapshot(other)).toEqual(before);
  });

  test('a bundle whose store is now another application database is refused before anything moves', () => {
    init('web1');
    ok(
      runCli('ssocloneaz', ['-p', '-f', join(dir.path, 'env.bundle'), '--home', home('web1'), '--password-file', pw()]),
    );
    // The store the bundle names is replaced by another application's database.
    const store = join(home('web1'), 'ssodb.sqlite');
    for (const suffix of ['', '-wal', '-shm']) rmSync(store + suffix, { force: true });
    foreignDatabase(store);
    const before = snapshot(home('web1'));
    const refused = runCli('ssocloneaz', [
      '-c',
      '-f',
      join(dir.path, 'env.bundle'),
      '--home',
      home('web2'),
      '--node-name',
      'web2',
      '--password-file',
      pw(),
    ]);
    expect([refused.status, refused.stderr]).toEqual([
      31,
      expect.stringContaining('is not an ssokit credential store'),
    ]);
    expect(existsSync(home('web2'))).toBe(false);
    expect(readdirSync(dir.path).filter((n) => n.includes('.import-'))).toEqual([]);
    expect(snapshot(home('web1'))).toEqual(before);
    const db = new Database(store, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'orders' }]);
    db.close();
  });

  test('--db on an import names the store the new node joins instead of the one in the bundle', () => {
    init('web1');
    init('other');
    ok(
      runCli('ssocloneaz', ['-p', '-f', join(dir.path, 'env.bundle'), '--home', home('web1'), '--password-file', pw()]),
    );
    const otherStore = join(home('other'), 'ssodb.sqlite');
    const imported = ok(
      runCli('ssocloneaz', [
        '-c',
        '-f',
        join(dir.path, 'env.bundle'),
        '--home',
        home('web2'),
        '--node-name',
        'web2',
        '--db',
        otherStore,
        '--password-file',
        pw(),
        '--keep-bundle',
      ]),
    );
    expect(imported.stdout).toContain(`(store ${otherStore})`);
    expect(JSON.parse(readFileSync(join(home('web2'), 'node.json'), 'utf8')).store).toBe(otherStore);
  });

  test('ssokit check as the owner leaves no -wal or -shm file behind', () => {
    init('alpha');
    const files = () => readdirSync(home('alpha')).filter((n) => n.startsWith('ssodb'));
    expect(files()).toEqual(['ssodb.sqlite']);
    ok(ssokit('alpha', 'check'));
    expect(files()).toEqual(['ssodb.sqlite']);
  });
});

const isRoot = process.getuid?.() === 0;

describeNeeding(isRoot ? null : 'not running as root (a read-only bind mount needs root)', 'read-only store tests')(
  'a store on a read-only file system',
  () => {
    test('reads work, writes are refused with a sentence, and nothing is created', () => {
      init('alpha');
      const mount = (...args: string[]) => {
        const result = spawnSync('mount', args, { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`mount ${args.join(' ')}: ${result.stderr}`);
      };
      mount('--bind', home('alpha'), home('alpha'));
      try {
        mount('-o', 'remount,bind,ro', home('alpha'));
        const before = readdirSync(home('alpha')).sort();
        for (const args of [['secret', 'status'], ['db', 'show'], ['app', 'list'], ['check'], ['db', 'where']]) {
          const result = ssokit('alpha', ...args);
          expect([args.join(' '), result.status, result.stderr]).toEqual([args.join(' '), 0, '']);
        }
        const write = ssokit('alpha', 'db', 'disable-sso');
        expect([write.status, write.stderr]).toEqual([
          12,
          expect.stringContaining('this OS user may only read it, or its file system is read-only'),
        ]);
        expect(readdirSync(home('alpha')).sort()).toEqual(before);
      } finally {
        spawnSync('umount', [home('alpha')]);
      }
    });
  },
);
