// Issue 12, item 7: a backup of the store itself, and its restore.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type CliResult, runCli, runCliAsync } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

let dir: ReturnType<typeof tempDir>;
const home = () => join(dir.path, 'alpha');
const store = () => join(home(), 'ssodb.sqlite');
const ssokit = (...args: string[]) => runCli('ssokit', ['--home', home(), ...args]);
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const apps = () => (JSON.parse(ok(ssokit('app', 'list', '--json')).stdout) as { name: string }[]).map((a) => a.name);

beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir.path, 'pw'), 'correct-horse-1\n');
  ok(
    ssokit(
      '--node-name',
      'alpha',
      'init',
      '--backup',
      join(dir.path, 'a.bak'),
      '--password-file',
      join(dir.path, 'pw'),
      '--reminder',
      'r',
    ),
  );
  writeFileSync(join(dir.path, 'first.xml'), appXml([{ name: 'First' }]));
  ok(ssokit('app', 'create', join(dir.path, 'first.xml')));
});
afterAll(() => dir.cleanup());

test('a backup taken while others write is consistent, private, and restores what it held', async () => {
  // Writers at work during the backup.
  const writers = Array.from({ length: 4 }, (_, i) => {
    writeFileSync(join(dir.path, `w${i}.xml`), appXml([{ name: `During${i}` }]));
    return runCliAsync('ssokit', ['--home', home(), 'app', 'create', join(dir.path, `w${i}.xml`)]);
  });
  const backup = join(dir.path, 'store.backup');
  const made = ok(ssokit('db', 'backup', backup));
  expect(made.stdout).toContain(`copied to ${backup}`);
  for (const writer of await Promise.all(writers)) ok(writer);
  expect(statSync(backup).mode & 0o777).toBe(0o600);
  // The backup is an ssokit store that passes the check on its own.
  expect(ok(ssokit('check', '--db', backup)).status).toBe(0);
  const inBackup = (JSON.parse(ok(ssokit('--db', backup, 'app', 'list', '--json')).stdout) as { name: string }[]).map(
    (a) => a.name,
  );
  expect(inBackup).toContain('First');

  // A later change, then the restore: the store is back to the backup's state.
  writeFileSync(join(dir.path, 'later.xml'), appXml([{ name: 'Later' }]));
  ok(ssokit('app', 'create', join(dir.path, 'later.xml')));
  expect(apps()).toContain('Later');
  const restored = ok(ssokit('db', 'restore', backup, '--yes'));
  expect(restored.stdout).toContain(`restored from ${backup}`);
  expect(apps().sort()).toEqual(inBackup.sort());
  expect(ok(ssokit('check')).status).toBe(0);
  const audit = JSON.parse(ok(ssokit('audit', 'list', '--json')).stdout) as { operation: string }[];
  expect(audit.map((r) => r.operation)).toContain('db-restore');
});

test('a restore is refused while the store is in use, and a damaged backup before anything changes', async () => {
  const backup = join(dir.path, 'second.backup');
  ok(ssokit('db', 'backup', backup));
  const before = apps();
  // Another process holding the store open.
  const Database = createRequire(import.meta.url).resolve('better-sqlite3');
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const D = require(${JSON.stringify(Database)}); const db = new D(${JSON.stringify(store())}); db.prepare('SELECT 1').get(); setTimeout(() => {}, 60000);`,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 500));
  try {
    const busy = ssokit('db', 'restore', backup, '--yes');
    expect([busy.status, busy.stderr]).toEqual([34, expect.stringContaining('is in use; nothing was replaced')]);
  } finally {
    holder.kill();
  }
  // A damaged backup: one flipped page.
  const damaged = join(dir.path, 'damaged.backup');
  const bytes = readFileSync(backup);
  bytes.fill(0x5a, 4096, 8192);
  writeFileSync(damaged, bytes, { mode: 0o600 });
  const refused = ssokit('db', 'restore', damaged, '--yes');
  expect([refused.status, refused.stderr]).toEqual([
    70,
    expect.stringContaining('does not pass the check; nothing was replaced'),
  ]);
  expect(apps()).toEqual(before);
  // Without a terminal and without --yes, a restore asks and stops.
  expect(ssokit('db', 'restore', backup).status).toBe(5);
  expect(existsSync(store())).toBe(true);
});
