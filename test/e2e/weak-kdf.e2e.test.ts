// Issue 11, item 12: the scrypt knob of the test suites cannot weaken a user's files by
// accident, and every file below the production cost is named as such.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
const home = () => join(dir.path, 'alpha');
const pw = () => join(dir.path, 'pw');
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const kdfOf = (file: string) => /^kdf: scrypt (\d+) /m.exec(readFileSync(file, 'utf8'))?.[1];

beforeAll(() => {
  dir = tempDir();
  writeFileSync(pw(), 'correct-horse-1\n', { mode: 0o600 });
});
afterAll(() => dir.cleanup());

test('SSOKIT_KDF_LOG2N alone is ignored, with a warning: the file gets the production cost', () => {
  const backup = join(dir.path, 'strong.bak');
  // The cost without its switch, as a user might have it left in their environment.
  const env = { SSOKIT_TEST_WEAK_KDF: '' };
  const made = ok(
    runCli(
      'ssokit',
      [
        '--home',
        home(),
        '--node-name',
        'alpha',
        'init',
        '--backup',
        backup,
        '--password-file',
        pw(),
        '--reminder',
        'r',
      ],
      { env },
    ),
  );
  expect(made.stderr).toContain('SSOKIT_KDF_LOG2N is ignored: new files are written at the production cost');
  expect(kdfOf(backup)).toBe('17');
  const verified = ok(
    runCli('ssokit', ['--home', home(), 'secret', 'verify', backup, '--password-file', pw()], { env }),
  );
  expect(verified.stderr).not.toContain('below the production cost');
  expect(JSON.parse(ok(runCli('ssokit', ['--home', home(), 'check', '--json'])).stdout).warnings).toBe(0);
});

test('with the explicit switch the file is weak, and every command that meets it says so', () => {
  const weak = join(home(), 'backup', 'weak.bak');
  const written = ok(
    runCli('ssokit', ['--home', home(), 'secret', 'backup', weak, '--password-file', pw(), '--reminder', 'r']),
  );
  expect(kdfOf(weak)).toBe('10');
  expect(written.stderr).toContain(`${weak} was written with scrypt N=2^10, below the production cost`);
  // Read without the switch, as a user would: verify and check still name it.
  const production = { ...testEnv(), SSOKIT_KDF_LOG2N: '', SSOKIT_TEST_WEAK_KDF: '' };
  const verified = ok(
    runCli('ssokit', ['--home', home(), 'secret', 'verify', weak, '--password-file', pw()], { env: production }),
  );
  expect(verified.stderr).toContain(`${weak} is protected by scrypt N=2^10, below the production cost N=2^17`);
  const check = JSON.parse(ok(runCli('ssokit', ['--home', home(), 'check', '--json'], { env: production })).stdout);
  expect(check.findings).toContainEqual(
    expect.objectContaining({
      level: 'warning',
      area: 'backup',
      message: expect.stringContaining(`${weak} is protected`),
    }),
  );
  const bundle = join(dir.path, 'weak.bundle');
  const exported = ok(runCli('ssocloneaz', ['-p', '-f', bundle, '--home', home(), '--password-file', pw()]));
  expect(exported.stderr).toContain(`${bundle} was written with scrypt N=2^10`);
  const inspected = ok(runCli('ssokit', ['clone', 'inspect', bundle], { env: production }));
  expect(inspected.stderr).toContain('below the production cost N=2^16');
});
