// Files a user names that are not regular files (a FIFO, /dev/zero), missing or too large:
// every reader opens them O_NONBLOCK, refuses anything but a regular file, and caps what
// it reads, so the command fails at once with an error naming the path, and leaves nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

let dir: ReturnType<typeof tempDir>;
const path = (name: string) => join(dir.path, name);
const home = () => path('alpha');

/** A run that may hang on today's bugs: killed after 15 s rather than blocking the suite. */
function run(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'ssokit.js'), ...args], {
    cwd: dir.path,
    env: testEnv(env),
    input: '',
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, ms: Date.now() - started };
}
const ssokit = (...args: string[]) => run(['--home', home(), ...args]);
const ok = (r: ReturnType<typeof run>) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

/** A sparse file of `bytes` (nothing is written: its size alone is over a cap). */
function sparse(name: string, bytes: number): string {
  writeFileSync(path(name), '');
  truncateSync(path(name), bytes);
  return path(name);
}

beforeAll(() => {
  dir = tempDir();
  writeFileSync(path('pw'), 'correct-horse-1\n', { mode: 0o600 });
  ok(
    ssokit(
      '--node-name',
      'alpha',
      'init',
      '--backup',
      path('alpha.bak'),
      '--password-file',
      path('pw'),
      '--reminder',
      'r',
    ),
  );
  writeFileSync(path('apps.xml'), appXml([{ name: 'Payroll' }]));
  ok(ssokit('app', 'create', path('apps.xml')));
  ok(ssokit('bizsys', 'add', 'shop', '--public-url', 'https://shop.example.com'));
  const made = spawnSync('mkfifo', [path('fifo')]);
  if (made.status !== 0) throw new Error(`mkfifo: ${made.stderr}`);
  writeFileSync(path('site.conf'), 'Listen 443\n');
});
afterAll(() => dir.cleanup());

/** Every entry under the home's bizsys/ folder, hidden ones included. */
const bizsysTree = () => {
  const walk = (at: string): string[] =>
    readdirSync(at, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? [`${e.name}/`, ...walk(join(at, e.name)).map((n) => `${e.name}/${n}`)] : [e.name],
    );
  return walk(join(home(), 'bizsys')).sort();
};

const fieldsSet = (file: string) => [
  'credentials',
  'set',
  'CORP\\alice',
  'Payroll',
  '--external-user',
  'A1',
  '--fields-file',
  file,
];

/** Each reader with a file put in: the command line. */
const readers: [string, (file: string) => string[], Record<string, string>?][] = [
  ['--fields-file', fieldsSet],
  [
    'SSOKIT_FIELDS_FILE',
    () => ['credentials', 'set', 'CORP\\alice', 'Payroll', '--external-user', 'A1'],
    { SSOKIT_FIELDS_FILE: '{FILE}' },
  ],
  ['credentials import', (file) => ['credentials', 'import', file]],
  [
    'bizsys add --file',
    (file) => ['bizsys', 'add', 'web', '--public-url', 'https://web.example.com', '--file', `web-config=${file}`],
  ],
  ['bizsys update --file', (file) => ['bizsys', 'update', 'shop', '--file', `certificate=${file}`]],
];

describe.each(readers)('%s', (_, line, env = {}) => {
  const withFile = (file: string) => {
    const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('{FILE}', file)]));
    return run(['--home', home(), ...line(file)], filled);
  };

  test.each([
    ['a FIFO', () => path('fifo')],
    ['/dev/zero', () => '/dev/zero'],
  ])('%s is refused at once as not a regular file, naming it, and nothing is left', (_what, file) => {
    const before = bizsysTree();
    const result = withFile(file());
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 6,
      stderr: expect.stringContaining(`${file()} is not a regular file`),
    });
    expect(result.ms).toBeLessThan(10_000);
    expect(bizsysTree()).toEqual(before);
  });

  test('a missing file is FILE_NOT_FOUND, naming it', () => {
    const result = withFile(path('no-such-file'));
    expect([result.status, result.stderr]).toEqual([10, expect.stringContaining(path('no-such-file'))]);
  });
});

describe('setup --answers', () => {
  const answers = (file: string) => run(['--home', path('fresh'), '--node-name', 'fresh', 'setup', '--answers', file]);

  test.each([
    ['a FIFO', () => path('fifo')],
    ['/dev/zero', () => '/dev/zero'],
  ])('%s as the answers file is refused at once, naming it', (_what, file) => {
    const result = answers(file());
    expect([result.status, result.stderr]).toEqual([6, expect.stringContaining(`${file()} is not a regular file`)]);
    expect(existsSync(path('fresh'))).toBe(false);
  });

  test('a FIFO as the backup password file inside the answers is refused at once, naming it', () => {
    const me = userInfo().username;
    writeFileSync(
      path('answers.json'),
      JSON.stringify({
        mode: 'create',
        nodeName: 'fresh',
        serviceAccount: me,
        ssoAdminAccount: me,
        affiliateAdminAccount: me,
        store: path('fresh/ssodb.sqlite'),
        backup: { file: path('fresh.bak'), passwordFile: path('fifo') },
      }),
    );
    const result = answers(path('answers.json'));
    expect([result.status, result.stderr]).toEqual([
      6,
      expect.stringContaining(`${path('fifo')} is not a regular file`),
    ]);
    expect(existsSync(path('fresh'))).toBe(false);
  });

  test('a missing answers file is FILE_NOT_FOUND, naming it', () => {
    const result = answers(path('no-answers.json'));
    expect([result.status, result.stderr]).toEqual([10, expect.stringContaining(path('no-answers.json'))]);
  });
});

describe('size caps, checked before reading', () => {
  test('a fields file over 1 MiB', () => {
    const result = ssokit(...fieldsSet(sparse('fields.json', 2 << 20)));
    expect([result.status, result.stderr]).toEqual([6, expect.stringContaining('it may be at most 1 MiB')]);
  });

  test('a credentials import over 512 MiB', () => {
    const result = ssokit('credentials', 'import', sparse('huge.jsonl', 513 * 2 ** 20));
    expect([result.status, result.stderr]).toEqual([6, expect.stringContaining('an import is limited to 512 MiB')]);
  });

  test('a business system file over 1 GiB, and nothing is copied', () => {
    const before = bizsysTree();
    const big = sparse('huge.conf', 2 ** 30 + 1);
    const result = ssokit(
      'bizsys',
      'add',
      'web',
      '--public-url',
      'https://web.example.com',
      '--file',
      `web-config=${big}`,
    );
    expect([result.status, result.stderr]).toEqual([
      6,
      expect.stringContaining("a business system's file may be at most 1 GiB"),
    ]);
    expect(bizsysTree()).toEqual(before);
  });
});

test('regular files still work through the same readers', () => {
  writeFileSync(path('fields.json'), JSON.stringify({ 'User ID': 'A1', Password: 'pw-A1-secret' }), { mode: 0o600 });
  ok(ssokit(...fieldsSet(path('fields.json'))));
  writeFileSync(
    path('creds.jsonl'),
    `${JSON.stringify({ user: 'CORP\\bob', app: 'Payroll', externalUser: 'B1', fields: { 'User ID': 'B1', Password: 'pw-B1' } })}\n`,
  );
  expect(ok(ssokit('credentials', 'import', path('creds.jsonl'))).stdout).toContain('1');
  ok(
    ssokit(
      'bizsys',
      'add',
      'web',
      '--public-url',
      'https://web.example.com',
      '--file',
      `web-config=${path('site.conf')}`,
    ),
  );
  expect(readFileSync(join(home(), 'bizsys', 'web', 'files', 'site.conf'), 'utf8')).toBe('Listen 443\n');
});
