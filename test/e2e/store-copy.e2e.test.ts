// Issue 13 items 4 and 5: db copy moves a 100k-credential store SQLite → PostgreSQL →
// SQLite with check clean on each copy; db backup of a PostgreSQL store is a SQLite
// snapshot that db restore and db copy accept; refused copies change nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { type CliResult, runCli } from '../helpers/cli.js';
import { freshDatabase, postgresUnavailable, sqlIn, storeUrl, type TestDatabase } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const CREDENTIALS = 100_000;

const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

/** Every table's rows and every identity's high-water mark in a SQLite store. */
function sqliteShape(path: string): { counts: Record<string, number>; sequences: Record<string, number> } {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'",
      )
      .all() as { name: string }[];
    const counts: Record<string, number> = {};
    for (const { name } of tables)
      counts[name] = (db.prepare(`SELECT COUNT(*) AS n FROM ${name}`).get() as { n: number }).n;
    const sequences = Object.fromEntries(
      (db.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]).map((r) => [
        r.name,
        r.seq,
      ]),
    );
    return { counts, sequences };
  } finally {
    db.close();
  }
}

describeNeeding(postgresUnavailable(), 'PostgreSQL e2e')('db copy and db backup across engines', () => {
  let dir: ReturnType<typeof tempDir>;
  let grow: TestDatabase;
  let url: string;
  const at = (name: string) => join(dir.path, name);
  const kit = (...args: string[]) => runCli('ssokit', ['--home', at('home'), ...args]);
  const lookup = (store: string, user: string) =>
    JSON.parse(ok(kit('--db', store, 'credentials', 'get', user, 'Payroll', '--reveal', '--json')).stdout).fields[1]
      .value;

  beforeAll(async () => {
    dir = tempDir();
    grow = await freshDatabase('grow');
    url = storeUrl(grow);
    writeFileSync(at('pw'), 'copy-password-1\n', { mode: 0o600 });
    ok(kit('--node-name', 'sso1', 'init', '--backup', at('s.bak'), '--password-file', at('pw'), '--reminder', 'r'));
    writeFileSync(at('apps.xml'), appXml([{ name: 'Payroll' }, { name: 'Travel' }]));
    ok(kit('app', 'create', at('apps.xml')));
    const lines: string[] = [];
    for (let i = 0; i < CREDENTIALS; i++) {
      lines.push(
        JSON.stringify({
          user: `CORP\\user${i}`,
          app: 'Payroll',
          externalUser: `E${i}`,
          fields: { 'User ID': `E${i}`, Password: `pw-${i}` },
        }),
      );
    }
    writeFileSync(at('creds.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
    ok(kit('credentials', 'import', at('creds.jsonl')));
    // A deleted application leaves an id the copy must never hand out again.
    ok(kit('app', 'delete', 'Travel', '--yes'));
  }, 300_000);

  afterAll(async () => {
    await grow?.drop();
    dir?.cleanup();
  });

  test('SQLite → PostgreSQL: every row, verified, and the nodes join the copy', async () => {
    const source = sqliteShape(at('home/ssodb.sqlite'));
    const copied = ok(kit('db', 'copy', '--to', url, '--json'));
    const result = JSON.parse(copied.stdout);
    expect(result.to).toBe(url);
    expect(result.tables.credentials).toBe(CREDENTIALS);
    expect(result.warnings).toEqual([]);
    for (const [table, n] of Object.entries(result.tables)) expect(source.counts[table]).toBe(n);
    expect(ok(kit('--db', url, 'check')).stdout).toContain('no problems');
    expect(lookup(url, 'CORP\\user77777')).toBe('pw-77777');
    // The identity sequences continue past every id the source handed out.
    const [apps] = await sqlIn(grow, "SELECT pg_sequence_last_value('applications_id_seq') AS v");
    expect(Number(apps!.rows[0].v)).toBe(source.sequences.applications);
    ok(kit('--db', url, 'app', 'create', xmlAt('more.xml', 'Expenses')));
    const [expenses] = await sqlIn(grow, "SELECT id FROM applications WHERE name = 'Expenses'");
    expect(Number(expenses!.rows[0].id)).toBe(source.sequences.applications! + 1);
    // Each side records the copy; the source's audit names the destination without a password.
    const audit = JSON.parse(ok(kit('audit', 'list', '--json')).stdout) as { operation: string; target: string }[];
    expect(audit.some((r) => r.operation === 'db-copy' && r.target === url)).toBe(true);
    // Another node points at it with join, and works there.
    ok(runCli('ssokit', ['--home', at('home2'), '--node-name', 'sso2', 'join', '--db', url]));
    ok(runCli('ssokit', ['--home', at('home2'), 'app', 'list']));
  }, 300_000);

  test('a second copy into the filled database is refused and changes nothing', async () => {
    const before = await sqlIn(grow, 'SELECT COUNT(*) AS n FROM credentials');
    const refused = kit('db', 'copy', '--to', url);
    expect(refused.status).toBe(32);
    expect(refused.stderr).toContain('already holds a credential store');
    const after = await sqlIn(grow, 'SELECT COUNT(*) AS n FROM credentials');
    expect(after[0]!.rows[0].n).toBe(before[0]!.rows[0].n);
  });

  test('PostgreSQL → SQLite: an offline copy, verified; an existing file is refused', () => {
    const file = at('offline.sqlite');
    ok(kit('--db', url, 'db', 'copy', '--to', file));
    expect(ok(kit('--db', file, 'check')).stdout).toContain('no problems');
    const shape = sqliteShape(file);
    expect(shape.counts.credentials).toBe(CREDENTIALS);
    expect(lookup(file, 'CORP\\user99999')).toBe('pw-99999');
    expect(existsSync(`${file}-wal`)).toBe(false);
    const bytes = readFileSync(file);
    const refused = kit('--db', url, 'db', 'copy', '--to', file);
    expect(refused.status).toBe(11);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  }, 300_000);

  test('a database holding something else is refused before anything is written', async () => {
    const other = await freshDatabase('other');
    try {
      await sqlIn(other, 'CREATE TABLE invoices (id int)');
      const refused = kit('db', 'copy', '--to', storeUrl(other));
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('not an ssokit credential store');
      const tables = await sqlIn(other, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      expect(tables[0]!.rows.map((r) => r.tablename)).toEqual(['invoices']);
    } finally {
      await other.drop();
    }
  });

  test('db backup of a PostgreSQL store is a snapshot that db restore and db copy take', async () => {
    const backup = at('pg.bak');
    ok(kit('--db', url, 'db', 'backup', backup));
    expect(ok(kit('--db', backup, 'check')).stdout).toContain('no problems');
    // A change after the backup, then the restore takes it back, in one transaction.
    ok(kit('--db', url, 'app', 'delete', 'Expenses', '--yes'));
    ok(kit('--db', url, 'db', 'restore', backup, '--yes'));
    const [apps] = await sqlIn(grow, 'SELECT name FROM applications ORDER BY name');
    expect(apps!.rows.map((r) => r.name)).toEqual(['Expenses', 'Payroll']);
    expect(ok(kit('--db', url, 'check')).stdout).toContain('no problems');
    // The backup is also a source for db copy, into a new database.
    const again = await freshDatabase('again');
    try {
      ok(kit('--db', backup, 'db', 'copy', '--to', storeUrl(again)));
      expect(lookup(storeUrl(again), 'CORP\\user12345')).toBe('pw-12345');
    } finally {
      await again.drop();
    }
  }, 300_000);

  function xmlAt(name: string, app: string): string {
    writeFileSync(at(name), appXml([{ name: app }]));
    return at(name);
  }
});
