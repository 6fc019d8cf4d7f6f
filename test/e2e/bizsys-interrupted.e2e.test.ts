// `bizsys add` killed while it copies a large --file: the business system is built in a
// hidden staging folder and moved into place by one rename, so the node stays sound —
// `check` names the leftover as harmless, `ssocloneaz -p` still works, and `bizsys remove`
// (or the next `bizsys add` of the name) clears it.
import { spawn } from 'node:child_process';
import {
  closeSync,
  type Dirent,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
const path = (name: string) => join(dir.path, name);
const home = () => path('web1');
const ssokit = (...args: string[]) => runCli('ssokit', ['--home', home(), ...args]);
const ok = (r: ReturnType<typeof runCli>) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const ADD = ['bizsys', 'add', 'shop', '--public-url', 'https://shop.example.com', '--file'];
const MIB = 128;

beforeAll(() => {
  dir = tempDir();
  writeFileSync(path('pw'), 'correct-horse-1\n', { mode: 0o600 });
  ok(
    ssokit(
      '--node-name',
      'web1',
      'init',
      '--backup',
      path('web1.bak'),
      '--password-file',
      path('pw'),
      '--reminder',
      'r',
    ),
  );
  const block = Buffer.alloc(1 << 20, 'Listen 443\n');
  const fd = openSync(path('site.conf'), 'w');
  for (let i = 0; i < MIB; i++) writeSync(fd, block);
  closeSync(fd);
});
afterAll(() => dir.cleanup());

/** Regular files under bizsys/ with something in them (a copy under way), hidden ones included. */
function filesBeingWritten(at = join(home(), 'bizsys')): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(at, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = join(at, e.name);
    if (e.isDirectory()) return filesBeingWritten(full);
    try {
      return e.isFile() && statSync(full).size > 0 ? [full] : [];
    } catch {
      return [];
    }
  });
}

/** Starts `bizsys add shop --file web-config=site.conf` and SIGKILLs it once its copy has begun. */
function addKilledWhileCopying(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'ssokit.js'), '--home', home(), ...ADD, `web-config=${path('site.conf')}`],
      {
        env: testEnv(),
        stdio: 'ignore',
      },
    );
    const poll = setInterval(() => {
      if (filesBeingWritten().length) child.kill('SIGKILL');
    }, 2);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve('killed');
      else reject(new Error(`bizsys add ended (${code}) before its copy could be interrupted`));
    });
  });
}

const bizsysEntries = () => readdirSync(join(home(), 'bizsys')).sort();

test('killed mid-copy: check warns of a harmless leftover, export works, bizsys remove clears it', async () => {
  await addKilledWhileCopying();
  expect(bizsysEntries()).toEqual([expect.stringMatching(/^\.shop\.adding-\d+-[0-9a-f]+$/)]);

  const check = ssokit('check', '--json');
  const report = JSON.parse(check.stdout) as { problems: number; findings: { level: string; message: string }[] };
  expect({ status: check.status, problems: report.findings.filter((f) => f.level === 'problem') }).toEqual({
    status: 0,
    problems: [],
  });
  expect(report.findings).toContainEqual({
    area: 'files',
    level: 'warning',
    message: expect.stringContaining('was left by an interrupted add of business system "shop"'),
  });

  ok(runCli('ssocloneaz', ['-p', '-f', path('web1.bundle'), '--home', home(), '--password-file', path('pw')]));
  expect(ok(ssokit('bizsys', 'list', '--json')).stdout).toBe('[]\n');

  expect(ok(ssokit('bizsys', 'remove', 'shop', '--yes')).stdout).toBe(
    '✓ removed what was left of business system shop\n',
  );
  expect(bizsysEntries()).toEqual([]);
  expect(ok(ssokit('check')).stdout).not.toContain('warning  files');
}, 120_000);

test('killed mid-copy, then added again: the business system is whole and nothing is left beside it', async () => {
  await addKilledWhileCopying();
  ok(ssokit(...ADD, `web-config=${path('site.conf')}`));
  expect(bizsysEntries()).toEqual(['shop']);
  const copied = join(home(), 'bizsys', 'shop', 'files', 'site.conf');
  expect(statSync(copied).size).toBe(MIB << 20);
  expect(readFileSync(copied).equals(readFileSync(path('site.conf')))).toBe(true);
  expect(ok(ssokit('check')).stdout).toContain('1 business system(s) valid');
  ok(ssokit('bizsys', 'remove', 'shop', '--yes'));
}, 120_000);

test('a folder an earlier ssokit left (temporary files, no definition) is harmless; remove and add clear it', () => {
  const leaveOld = () => {
    const files = join(home(), 'bizsys', 'old', 'files');
    mkdirSync(files, { recursive: true, mode: 0o700 });
    writeFileSync(join(files, '.site.conf.tmp-0123456789ab'), 'half a file', { mode: 0o600 });
  };
  leaveOld();
  const check = ssokit('check');
  expect([check.status, check.stdout]).toEqual([
    0,
    expect.stringContaining('was left by an interrupted add of business system "old"'),
  ]);
  ok(runCli('ssocloneaz', ['-p', '-f', path('old.bundle'), '--home', home(), '--password-file', path('pw')]));
  expect(ok(ssokit('bizsys', 'remove', 'old', '--yes')).stdout).toBe(
    '✓ removed what was left of business system old\n',
  );
  expect(bizsysEntries()).toEqual([]);

  leaveOld();
  ok(ssokit('bizsys', 'add', 'old', '--public-url', 'https://old.example.com', '--file', `web-config=${path('pw')}`));
  expect(readdirSync(join(home(), 'bizsys', 'old', 'files'))).toEqual(['pw']);
  expect(ok(ssokit('check')).stdout).not.toContain('warning  files');
});
