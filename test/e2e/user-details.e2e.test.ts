// Issue 12, items 5 and 6: the details a user meets at the command line say what is true.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
const home = (name = 'alpha') => join(dir.path, name);
const pw = () => join(dir.path, 'pw');
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

beforeAll(() => {
  dir = tempDir();
  writeFileSync(pw(), 'correct-horse-1\n', { mode: 0o600 });
  ok(
    runCli('ssokit', [
      '--home',
      home(),
      'init',
      '--backup',
      join(dir.path, 'a.bak'),
      '--password-file',
      pw(),
      '--reminder',
      'r',
    ]),
  );
});
afterAll(() => dir.cleanup());

test('init with a missing backup folder names the folder and leaves nothing behind', () => {
  const result = runCli('ssokit', [
    '--home',
    home('beta'),
    'init',
    '--backup',
    join(dir.path, 'no', 'such', 'folder', 'x.bak'),
    '--password-file',
    pw(),
    '--reminder',
    'r',
  ]);
  expect([result.status, result.stderr]).toEqual([
    10,
    expect.stringContaining(
      `the folder ${join(dir.path, 'no', 'such', 'folder')} for the secret backup does not exist`,
    ),
  ]);
  expect(existsSync(home('beta'))).toBe(false);
});

test('an empty password file is said to be empty, not to hold the wrong password', () => {
  writeFileSync(join(dir.path, 'empty-pw'), '', { mode: 0o600 });
  const result = runCli('ssokit', [
    '--home',
    home(),
    'secret',
    'verify',
    join(dir.path, 'a.bak'),
    '--password-file',
    join(dir.path, 'empty-pw'),
  ]);
  expect([result.status, result.stderr]).toEqual([6, expect.stringContaining('is empty')]);
});

test('a password file others can read gets a warning, as a fields file does', () => {
  const open = join(dir.path, 'open-pw');
  writeFileSync(open, 'correct-horse-1\n', { mode: 0o644 });
  const result = ok(
    runCli('ssokit', ['--home', home(), 'secret', 'verify', join(dir.path, 'a.bak'), '--password-file', open]),
  );
  expect(result.stderr).toContain(`${open} holds a password and group or others can read it: chmod 600 ${open}`);
});

test('a store path that does not exist is FILE_NOT_FOUND; a device is not taken for a store', () => {
  const missing = runCli('ssokit', ['--home', home(), '--db', join(dir.path, 'nonexistent', 'x.sqlite'), 'db', 'show']);
  expect([missing.status, missing.stderr]).toEqual([10, expect.stringContaining('there is no credential store at')]);
  const device = runCli('ssokit', ['--home', home('gamma'), '--db', '/dev/full', 'init', '--no-backup']);
  expect([device.status, device.stderr]).toEqual([6, expect.stringContaining('/dev/full is not a regular file')]);
  expect(device.stderr).not.toContain('already exists');
  expect(existsSync(home('gamma'))).toBe(false);
});

test('a reminder holding the password is refused with its own sentence in the original syntax', () => {
  const result = runCli('ssoconfig', [
    '-backupSecret',
    join(dir.path, 'b.bak'),
    '--home',
    home(),
    '--password-file',
    pw(),
    '--reminder',
    'it is correct-horse-1',
  ]);
  expect(result.status).toBe(25);
  expect(result.stderr).toContain('the password reminder contains the password itself');
  expect(result.stderr).not.toContain('too short');
  expect(existsSync(join(dir.path, 'b.bak'))).toBe(false);
});

test('a password can come through a pipe (process substitution); /dev/zero is refused at once', () => {
  const piped = ok(
    spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${join(REPO_ROOT, 'bin', 'ssokit.js')}" --home "${home()}" secret verify "${join(dir.path, 'a.bak')}" --password-file <(echo correct-horse-1)`,
      ],
      { env: testEnv(), encoding: 'utf8' },
    ) as unknown as CliResult,
  );
  expect(piped.stdout).toContain('the backup opens');
  const zero = runCli('ssokit', [
    '--home',
    home(),
    'secret',
    'verify',
    join(dir.path, 'a.bak'),
    '--password-file',
    '/dev/zero',
  ]);
  expect([zero.status, zero.stderr]).toEqual([6, expect.stringContaining('holds more than a password file can')]);
});
