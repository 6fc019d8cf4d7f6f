/**
 * A real node for the hostile input corpus, made by the built binaries (init, applications,
 * mappings, credentials, a business system, a bundle export), and a snapshot of everything
 * a refused input must leave alone: every entry under the home (and the folder a fresh
 * import would create a home in) by type, mode and SHA-256, and a logical dump of the store.
 */

import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { type CliResult, runCli } from './cli.js';
import { tempDir } from './temp-dir.js';
import { appXml, mappingXml } from './xml.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

export const HOSTILE_PASSWORD = 'hostile-password-1';

export interface HostileNode {
  /** The temp folder holding everything below. */
  dir: string;
  home: string;
  store: string;
  /** Inputs the cases read: password files, generated files. */
  inputs: string;
  /** An empty folder; `fresh` (inside it, not created) is the home a clone import targets. */
  freshParent: string;
  fresh: string;
  passwordFile: string;
  /** The node's own secret backup and an exported bundle, both with HOSTILE_PASSWORD. */
  backup: string;
  bundle: string;
  run(tool: string, args: string[]): CliResult;
  cleanup(): void;
}

export function makeHostileNode(): HostileNode {
  const temp = tempDir('ssokit-hostile-');
  const dir = temp.path;
  const inputs = join(dir, 'inputs');
  const freshParent = join(dir, 'fresh-parent');
  mkdirSync(inputs);
  mkdirSync(freshParent);
  const home = join(dir, 'node');
  const node: HostileNode = {
    dir,
    home,
    store: join(home, 'ssodb.sqlite'),
    inputs,
    freshParent,
    fresh: join(freshParent, 'web2'),
    passwordFile: join(inputs, 'pw'),
    backup: join(inputs, 'alpha.bak'),
    bundle: join(inputs, 'env.bundle'),
    run: (tool, args) => runCli(tool, args, { cwd: inputs }),
    cleanup: temp.cleanup,
  };
  writeFileSync(node.passwordFile, `${HOSTILE_PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(
    join(inputs, 'apps.xml'),
    appXml([{ name: 'Payroll' }, { name: 'Settings', flags: 'configStoreApp="yes"', fields: '' }]),
  );
  writeFileSync(join(inputs, 'maps.xml'), mappingXml([['CORP', 'alice', 'Payroll', 'A1']]));
  const creds = {
    user: 'CORP\\bob',
    app: 'Payroll',
    externalUser: 'B1',
    fields: { 'User ID': 'B1', Password: 'bob-secret' },
  };
  writeFileSync(join(inputs, 'creds.jsonl'), `${JSON.stringify(creds)}\n`);
  writeFileSync(join(inputs, 'httpd.conf'), 'Listen 443\n');
  const pw = ['--password-file', node.passwordFile];
  const steps: [string, string[]][] = [
    [
      'ssokit',
      ['--home', home, '--node-name', 'alpha', 'init', '--backup', node.backup, '--reminder', 'the usual', ...pw],
    ],
    ['ssomanage', ['-createapps', 'apps.xml', '--home', home]],
    ['ssomanage', ['-createmappings', 'maps.xml', '--home', home]],
    ['ssokit', ['--home', home, 'credentials', 'import', 'creds.jsonl']],
    [
      'ssokit',
      [
        '--home',
        home,
        'bizsys',
        'add',
        'shop',
        '--public-url',
        'https://shop.example.com',
        '--path',
        '/shop',
        '--file',
        'web-config=httpd.conf',
      ],
    ],
    ['ssocloneaz', ['-p', '-f', node.bundle, '--home', home, ...pw]],
  ];
  for (const [tool, args] of steps) {
    const result = node.run(tool, args);
    if (result.status !== 0)
      throw new Error(`setting up the hostile node: ${tool} ${args.join(' ')} → ${result.status}: ${result.stderr}`);
  }
  return node;
}

/** One entry of a folder tree: what a refused command must not create, remove or alter. */
export type TreeEntry = `dir ${string}` | `file ${string} ${string}` | `link ${string}` | `other ${string}`;

export function treeOf(root: string): Record<string, TreeEntry> {
  const entries: Record<string, TreeEntry> = {};
  if (!existsSync(root)) return entries;
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stat = lstatSync(full);
      const mode = (stat.mode & 0o7777).toString(8);
      const key = relative(root, full);
      if (stat.isDirectory()) {
        entries[key] = `dir ${mode}`;
        walk(full);
      } else if (stat.isFile())
        entries[key] = `file ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
      else if (stat.isSymbolicLink()) entries[key] = `link ${readlinkSync(full)}`;
      else entries[key] = `other ${mode}`;
    }
  };
  walk(root);
  return entries;
}

export type StoreDump = Record<string, unknown[][]>;

/**
 * Every table's rows, in rowid order, with the schema. Dumped from a copy of the store
 * (and its WAL, if one is left), so the dump cannot change the store it describes.
 */
export function dumpStore(store: string, scratch: string): StoreDump {
  const copy = join(scratch, 'dump.sqlite');
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(copy + suffix)) writeFileSync(copy + suffix, '');
  }
  copyFileSync(store, copy);
  if (existsSync(`${store}-wal`)) copyFileSync(`${store}-wal`, `${copy}-wal`);
  const db = new Database(copy, { readonly: true });
  try {
    const schema = db
      .prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name')
      .raw(true)
      .all() as unknown[][];
    const dump: StoreDump = { sqlite_master: schema };
    const tables = schema.filter((row) => row[0] === 'table').map((row) => String(row[1]));
    for (const table of tables) {
      const rows = db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw(true).all() as unknown[][];
      dump[table] = rows.map((row) =>
        row.map((value) => (Buffer.isBuffer(value) ? `hex:${value.toString('hex')}` : value)),
      );
    }
    return dump;
  } finally {
    db.close();
  }
}

export interface NodeSnapshot {
  home: Record<string, TreeEntry>;
  freshParent: Record<string, TreeEntry>;
  store: StoreDump;
}

export function snapshotNode(node: HostileNode): NodeSnapshot {
  const scratch = join(node.dir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  return { home: treeOf(node.home), freshParent: treeOf(node.freshParent), store: dumpStore(node.store, scratch) };
}

/** The store's own files under the home: they alone may differ when a failure was audited. */
const STORE_FILES = /^ssodb\.sqlite(-wal|-shm)?$/;

/**
 * What changed between two snapshots, as sentences (empty: nothing). A refused command may
 * add one row to the audit table recording its failure with `code` (docs/commands.md: failures
 * are audited); then, and only then, the store's file may differ. Nothing else may change.
 */
export function changesBetween(before: NodeSnapshot, after: NodeSnapshot, code: string): string[] {
  const changes: string[] = [];
  const auditBefore = before.store.audit ?? [];
  const auditAfter = after.store.audit ?? [];
  const added = auditAfter.slice(auditBefore.length);
  if (JSON.stringify(auditAfter.slice(0, auditBefore.length)) !== JSON.stringify(auditBefore))
    changes.push('audit rows were altered');
  if (added.length > 1) changes.push(`${added.length} audit rows were added`);
  for (const row of added) {
    const result = String(row[row.length - 1]);
    if (result !== `failure: ${code}`) changes.push(`an audit row says "${result}", not "failure: ${code}"`);
  }
  const audited = added.length > 0;
  // AUTOINCREMENT counts audit ids in sqlite_sequence: that one row follows the audit.
  const rowsOf = (dump: StoreDump, table: string) =>
    (dump[table] ?? []).filter((row) => !(audited && table === 'sqlite_sequence' && row[0] === 'audit'));
  for (const table of new Set([...Object.keys(before.store), ...Object.keys(after.store)])) {
    if (table === 'audit') continue;
    if (JSON.stringify(rowsOf(before.store, table)) !== JSON.stringify(rowsOf(after.store, table)))
      changes.push(`store table ${table} changed`);
  }
  changes.push(...treeChanges('home', before.home, after.home, (path) => audited && STORE_FILES.test(path)));
  changes.push(...treeChanges('fresh-parent', before.freshParent, after.freshParent, () => false));
  return changes;
}

function treeChanges(
  where: string,
  before: Record<string, TreeEntry>,
  after: Record<string, TreeEntry>,
  mayDiffer: (path: string) => boolean,
): string[] {
  const changes: string[] = [];
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[path] === after[path] || mayDiffer(path)) continue;
    if (before[path] === undefined) changes.push(`${where}/${path} was created`);
    else if (after[path] === undefined) changes.push(`${where}/${path} was removed`);
    else changes.push(`${where}/${path} changed (${before[path]} → ${after[path]})`);
  }
  return changes;
}
