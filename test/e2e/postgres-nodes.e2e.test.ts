// Issue 13: two nodes whose homes share nothing but a PostgreSQL URL, each doing what it
// could do on SQLite; no password anywhere it could be read.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { freshDatabase, postgresUnavailable, storeUrl, type TestDatabase, testPassword } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml, mappingXml } from '../helpers/xml.js';

const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

describeNeeding(postgresUnavailable(), 'PostgreSQL e2e')('two nodes sharing one PostgreSQL store', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: TestDatabase;
  let url: string;
  const home = (n: string) => join(dir.path, n);
  const ssokit = (n: string, ...args: string[]) => runCli('ssokit', ['--home', home(n), ...args]);
  const ssomanage = (n: string, ...args: string[]) => runCli('ssomanage', [...args, '--home', home(n)]);

  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase('nodes');
    url = storeUrl(db);
    writeFileSync(join(dir.path, 'pw'), 'correct-horse-1\n', { mode: 0o600 });
  });
  afterAll(async () => {
    await db?.drop();
    dir?.cleanup();
  });

  test('init on one, join on the other; both administer, the master secret server decrypts', () => {
    const pw = join(dir.path, 'pw');
    const made = ok(
      ssokit(
        'a',
        '--node-name',
        'sso1',
        '--db',
        url,
        'init',
        '--backup',
        join(dir.path, 'a.bak'),
        '--password-file',
        pw,
        '--reminder',
        'r',
      ),
    );
    expect(made.stdout).toContain(`store         : ${url}`);
    ok(ssokit('b', '--node-name', 'sso2', 'join', '--db', url));
    writeFileSync(join(dir.path, 'apps.xml'), appXml([{ name: 'Payroll', flags: 'enableApp="yes"' }]));
    ok(ssomanage('a', '-createapps', join(dir.path, 'apps.xml')));
    writeFileSync(join(dir.path, 'm.xml'), mappingXml([['CORP', 'bob', 'Payroll', 'B1']]));
    ok(ssomanage('b', '-createmappings', join(dir.path, 'm.xml')));
    expect(JSON.parse(ok(ssokit('b', 'app', 'list', '--json')).stdout).map((a: { name: string }) => a.name)).toEqual([
      'Payroll',
    ]);
    writeFileSync(join(dir.path, 'f.json'), JSON.stringify({ 'User ID': 'B1', Password: 'pw-b' }), { mode: 0o600 });
    ok(ssokit('a', 'credentials', 'set', 'CORP\\bob', 'Payroll', '--fields-file', join(dir.path, 'f.json')));
    const got = JSON.parse(ok(ssokit('a', 'credentials', 'get', 'CORP\\bob', 'Payroll', '--reveal', '--json')).stdout);
    expect(got.fields[1].value).toBe('pw-b');
    // The other node is not the master secret server: it administers, it does not decrypt.
    expect(ssokit('b', 'credentials', 'get', 'CORP\\bob', 'Payroll').status).toBe(40);
    ok(ssokit('a', 'secret', 'rotate', '--backup', join(dir.path, 'r.bak'), '--password-file', pw, '--reminder', 'r'));
    expect(ok(ssokit('a', 'check')).stdout).toContain('no problems');
    expect(ok(ssokit('b', 'db', 'where')).stdout).toBe(`${url}\n`);
  });

  test('no password in node.json, the audit, or any output; a URL holding one is refused', () => {
    const password = testPassword();
    if (!password) throw new Error('the test server has no password: nothing to look for');
    for (const n of ['a', 'b']) {
      expect(readFileSync(join(home(n), 'node.json'), 'utf8')).not.toContain(password);
      for (const name of readdirSync(home(n))) {
        const path = join(home(n), name);
        if (statSync(path).isFile()) expect(readFileSync(path).includes(password)).toBe(false);
      }
    }
    const audit = ok(ssokit('a', 'audit', 'list', '--json'));
    expect(audit.stdout).not.toContain(password);
    const withPassword = url.replace('postgres://ssokit@', `postgres://ssokit:${password}@`);
    const refused = ssokit('c', 'join', '--db', withPassword);
    expect([refused.status, refused.stderr]).toEqual([2, expect.stringContaining('must not hold a password')]);
    expect(refused.stderr).not.toContain(password);
  });

  test('-setSSL is meaningful: the node tries the new mode, and keeps it only if it connects', () => {
    // The test server speaks no TLS: requiring it is refused, and node.json is unchanged.
    const before = readFileSync(join(home('b'), 'node.json'), 'utf8');
    const refused = runCli('ssoconfig', ['-setSSL', 'yes', '--home', home('b')]);
    expect(refused.status).not.toBe(0);
    expect(readFileSync(join(home('b'), 'node.json'), 'utf8')).toBe(before);
    const kept = ok(runCli('ssoconfig', ['-setSSL', 'no', '--home', home('b')]));
    expect(kept.stdout).toContain('The operation completed successfully.');
    expect(JSON.parse(readFileSync(join(home('b'), 'node.json'), 'utf8')).store).toBe(`${url}?sslmode=disable`);
  });
});
