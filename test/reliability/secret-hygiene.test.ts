// Secrets stay secret: never in the arguments of what ssokit runs, the audit, the store in
// plain text, output or --debug traces; every secret-bearing file private whatever the
// umask; passwords typed without echo and never taken from the command line.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { testNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { TmuxSession, whyNoTmux } from '../helpers/tmux.js';
import { appXml } from '../helpers/xml.js';

const BACKUP_PASSWORD = 'Backup-Pw-7f3a91';
const BUNDLE_PASSWORD = 'Bundle-Pw-c4e2d8';
const CREDENTIAL = 'Cred-Value-9c1e55';
const PROPERTY = 'Bag-Value-1b77aa';

let dir: ReturnType<typeof tempDir>;
let home: string;
let shimLog: string;
let shimEnvLog: string;
const outputs: { command: string; stdout: string; stderr: string }[] = [];

/** Runs a tool under umask 000, with getent and id replaced by shims that log their arguments. */
function tool(
  name: string,
  args: string[],
  options: { expect?: number; env?: Record<string, string> } = {},
): { status: number; stdout: string; stderr: string } {
  const line = [process.execPath, join(REPO_ROOT, 'bin', `${name}.js`), ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const result = spawnSync('sh', ['-c', `umask 000; exec ${line}`], {
    cwd: dir.path,
    env: testEnv({ PATH: `${join(dir.path, 'shims')}:${process.env.PATH}`, ...options.env }),
    encoding: 'utf8',
  });
  const status = result.status ?? -1;
  outputs.push({ command: `${name} ${args.join(' ')}`, stdout: result.stdout, stderr: result.stderr });
  if (status !== (options.expect ?? 0)) throw new Error(`${name} ${args.join(' ')} exited ${status}: ${result.stderr}`);
  return { status, stdout: result.stdout, stderr: result.stderr };
}

function makeShims(): void {
  mkdirSync(join(dir.path, 'shims'));
  for (const name of ['getent', 'id']) {
    const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    const shim = join(dir.path, 'shims', name);
    // The logs' paths are written into the shims: ssokit gives its children no variables to find them by.
    writeFileSync(shim, `#!/bin/sh\necho "${name} $*" >> '${shimLog}'\nenv >> '${shimEnvLog}'\nexec ${real} "$@"\n`);
    chmodSync(shim, 0o755);
  }
}

const modeOf = (path: string) => statSync(path).mode & 0o777;
let masterSecret: string;

beforeAll(() => {
  dir = tempDir();
  home = join(dir.path, 'home');
  shimLog = join(dir.path, 'shim.log');
  shimEnvLog = join(dir.path, 'shim-env.log');
  writeFileSync(shimLog, '');
  writeFileSync(shimEnvLog, '');
  makeShims();
  // Password files must be private, so they are written before the umask matters.
  writeFileSync(join(dir.path, 'backup-pw'), `${BACKUP_PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(join(dir.path, 'bundle-pw'), `${BUNDLE_PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(join(dir.path, 'wrong-pw'), 'not-the-password-1\n', { mode: 0o600 });
  writeFileSync(join(dir.path, 'fields.json'), JSON.stringify({ 'User ID': 'A123', Password: CREDENTIAL }), {
    mode: 0o600,
  });
  writeFileSync(
    join(dir.path, 'apps.xml'),
    appXml([
      {
        name: 'Payroll',
        extra: '<appUserAccount>CORP\\staff</appUserAccount><appAdminAccount>CORP\\payroll-admins</appAdminAccount>',
      },
      { name: 'Settings', flags: 'configStoreApp="yes"', fields: '' },
    ]),
  );
  writeFileSync(join(dir.path, 'bag.json'), JSON.stringify({ ApiKey: PROPERTY }), { mode: 0o600 });

  const h = ['--home', home];
  tool('ssokit', [
    ...h,
    '--node-name',
    'alpha',
    'init',
    '--backup',
    'first.bak',
    '--reminder',
    'usual',
    '--password-file',
    'backup-pw',
  ]);
  masterSecret = /secret: (\S+)/.exec(
    readFileSync(join(home, 'secret', readdirSync(join(home, 'secret'))[0]!), 'utf8'),
  )![1]!;
  tool('ssokit', [...h, 'app', 'create', 'apps.xml']);
  tool('ssokit', [
    ...h,
    'credentials',
    'set',
    'CORP\\alice',
    'Payroll',
    '--external-user',
    'A123',
    '--fields-file',
    'fields.json',
  ]);
  tool('ssokit', [...h, 'config-store', 'set', 'Settings', '--file', 'bag.json']);
  tool('ssokit', [...h, 'credentials', 'get', 'CORP\\alice', 'Payroll', '--debug']);
  tool('ssokit', [
    ...h,
    'secret',
    'backup',
    'second.bak',
    '--reminder',
    'r',
    '--password-file',
    'backup-pw',
    '--debug',
  ]);
  tool('ssokit', [
    ...h,
    'secret',
    'rotate',
    '--backup',
    'rotated.bak',
    '--reminder',
    'r',
    '--password-file',
    'backup-pw',
    '--debug',
  ]);
  tool('ssocloneaz', ['-p', '-f', 'env.bundle', ...h, '--password-file', 'bundle-pw', '--include-secret', '--debug'], {
    expect: 65,
  });
  tool('ssocloneaz', ['-p', '-f', 'env.bundle', ...h, '--password-file', 'bundle-pw']);
  // The setup wizard's answers file checks accounts with getent and id.
  const template = tool('ssokit', [
    '--home',
    join(dir.path, 'wizard'),
    '--node-name',
    'wiz',
    'setup',
    '--print-answers',
  ]).stdout;
  const answers = template
    .replace(/"store": ".*"/, `"store": "${join(dir.path, 'wizard-store.sqlite')}"`)
    .replace(/"file": ".*backup\/SSO[0-9A-F]{4}.bak"/, `"file": "${join(dir.path, 'wizard.bak')}"`);
  writeFileSync(join(dir.path, 'answers.json'), answers, { mode: 0o600 });
  // The password comes from the environment here, where a child could inherit it.
  tool('ssokit', ['--home', join(dir.path, 'wizard'), 'setup', '--answers', 'answers.json'], {
    env: { SSOKIT_PASSWORD: BACKUP_PASSWORD },
  });
  // Failures with --debug: stack traces are shown, secrets are not.
  tool('ssokit', [...h, 'secret', 'verify', 'first.bak', '--password-file', 'wrong-pw', '--debug'], { expect: 20 });
  tool(
    'ssocloneaz',
    [
      '-c',
      '-f',
      'env.bundle',
      '--home',
      join(dir.path, 'web2'),
      '--password-file',
      'wrong-pw',
      '--keep-bundle',
      '--debug',
    ],
    { expect: 20 },
  );
  tool('ssokit', [...h, 'credentials', 'set', 'CORP\\alice', 'Payroll', '--field', `Password=${'x'}`, '--debug'], {
    expect: 2,
  });
  tool(
    'ssomanage',
    ['-setcredentials', 'CORP\\bob', 'Payroll', '--fields-file', 'fields.json', '--home', home, '--debug'],
    { expect: 5 },
  );
}, 120_000);
afterAll(() => dir.cleanup());

const SECRETS = () => [
  BACKUP_PASSWORD,
  BUNDLE_PASSWORD,
  CREDENTIAL,
  PROPERTY,
  masterSecret,
  Buffer.from(masterSecret, 'base64').toString('hex'),
];

test('no secret in the arguments of the programs ssokit runs (getent, id)', () => {
  const log = readFileSync(shimLog, 'utf8');
  expect(log).toMatch(/^(getent|id) /m); // the shims did run: this test can fail
  for (const secret of SECRETS()) expect(log).not.toContain(secret);
});

test('the programs ssokit runs get a minimal environment: no password, no SSOKIT_ variable', () => {
  const environments = readFileSync(shimEnvLog, 'utf8');
  expect(environments).toMatch(/^PATH=/m); // the shims did run: this test can fail
  expect(environments).not.toContain(BACKUP_PASSWORD);
  expect(environments).not.toMatch(/^SSOKIT_/m);
});

test('no secret in any output, --debug stack traces included, unless --reveal asked for it', () => {
  expect(outputs.some((o) => /\n\s+at /.test(o.stderr))).toBe(true); // --debug traces were printed
  for (const { command, stdout, stderr } of outputs) {
    for (const secret of SECRETS()) {
      if (stdout.includes(secret) || stderr.includes(secret)) throw new Error(`${command} printed a secret`);
    }
  }
  const revealed = tool('ssokit', ['--home', home, 'credentials', 'get', 'CORP\\alice', 'Payroll', '--reveal']);
  expect(revealed.stdout).toContain(CREDENTIAL); // shown only when asked for
});

test('no secret in plain text anywhere in the store (audit included) or the home', () => {
  const audit = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'ssokit.js'), '--home', home, 'audit', 'list', '--json'],
    { env: testEnv(), encoding: 'utf8' },
  );
  expect(audit.status).toBe(0);
  expect(JSON.parse(audit.stdout).length).toBeGreaterThan(5);
  const files = readdirSync(home, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  expect(files.some((f) => f.endsWith('ssodb.sqlite'))).toBe(true);
  for (const file of files.filter((f) => !f.includes(`${join(home, 'secret')}`))) {
    const bytes = readFileSync(file);
    for (const secret of [BACKUP_PASSWORD, BUNDLE_PASSWORD, CREDENTIAL, PROPERTY, masterSecret]) {
      if (bytes.includes(Buffer.from(secret))) throw new Error(`${file} holds a secret in plain text`);
    }
    expect(bytes.includes(Buffer.from(masterSecret, 'base64'))).toBe(false);
  }
  expect(audit.stdout).not.toContain(CREDENTIAL);
});

test('under umask 000 every secret-bearing file is 0600 and every folder holding them 0700', () => {
  expect(modeOf(home)).toBe(0o700);
  expect(modeOf(join(home, 'secret'))).toBe(0o700);
  for (const name of readdirSync(join(home, 'secret')))
    expect([name, modeOf(join(home, 'secret', name))]).toEqual([name, 0o600]);
  for (const file of ['first.bak', 'second.bak', 'rotated.bak', 'env.bundle'])
    expect([file, modeOf(join(dir.path, file))]).toEqual([file, 0o600]);
  for (const file of ['node.json', 'ssodb.sqlite']) expect([file, modeOf(join(home, file))]).toEqual([file, 0o600]);
});

test('--password is not an option anywhere: only a file, a variable, stdin or the prompt', () => {
  const refused = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'ssokit.js'), '--home', home, 'secret', 'backup', 'x.bak', '--password', BACKUP_PASSWORD],
    { env: testEnv(), encoding: 'utf8' },
  );
  expect([refused.status, refused.stderr]).toEqual([2, expect.stringContaining("unknown option '--password'")]);
  const legacy = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'ssoconfig.js'), '-backupSecret', 'x.bak', '-password', BACKUP_PASSWORD],
    { env: testEnv(), encoding: 'utf8' },
  );
  expect(legacy.status).toBe(2);
  expect(legacy.stderr).not.toContain(BACKUP_PASSWORD);
  const global = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'ssokit.js'), '--help'], {
    env: testEnv(),
    encoding: 'utf8',
  });
  expect(global.stdout).toContain('--password-file <file>');
  for (const command of [
    ['secret', 'backup'],
    ['secret', 'restore'],
    ['secret', 'rotate'],
    ['secret', 'verify'],
    ['init'],
    ['clone', 'export'],
    ['clone', 'import'],
    ['setup'],
    ['credentials', 'set'],
  ]) {
    const help = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'ssokit.js'), ...command, '--help'], {
      env: testEnv(),
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    expect(help.stdout).not.toMatch(/--password[ =<]/);
  }
});

const testPty = testNeeding(whyNoTmux(), 'the pseudo-terminal test');
testPty('a password typed at the terminal is not echoed, not even as stars', async () => {
  const t = new TmuxSession(
    `cd ${dir.path} && SSOKIT_KDF_LOG2N=10 SSOKIT_TEST_WEAK_KDF=files-written-now-are-weak NO_COLOR=1 ${process.execPath} ${join(REPO_ROOT, 'bin', 'ssokit.js')} --home ${home} secret verify rotated.bak`,
    join(dir.path, 'tty-status'),
  );
  try {
    await t.waitFor('? Password');
    t.type(BACKUP_PASSWORD);
    await new Promise((r) => setTimeout(r, 300));
    const typing = t.screen();
    expect(typing).not.toContain(BACKUP_PASSWORD);
    expect(typing).not.toContain('*'.repeat(BACKUP_PASSWORD.length));
    expect(typing).not.toContain('toggle'); // no key shows it either
    t.press('Enter');
    expect(await t.exitStatus()).toBe(0);
    expect(t.screen()).not.toContain(BACKUP_PASSWORD);
  } finally {
    t.kill();
  }
});
