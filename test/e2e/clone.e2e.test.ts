// ssocloneaz -p / -c with two homes on one machine (issue: replicating a business server).
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestFor, tarOf, writeCraftedBundle } from '../helpers/bundles.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
const PASSWORD = 'bundle-password-1';
let bundle: string;

const src = () => join(dir.path, 'source');
const dst = () => join(dir.path, 'destination');
const ssokit = (home: string, ...args: string[]) => runCli('ssokit', ['--home', home, ...args]);
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const pw = () => join(dir.path, 'pw');
const importInto = (home: string, file: string, ...extra: string[]) =>
  runCli('ssocloneaz', ['-c', '-f', file, '--home', home, '--node-name', 'web2', '--password-file', pw(), ...extra]);

/** Everything under a folder: relative path → bytes (modes checked separately). */
function tree(root: string, relative = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, relative))) {
    const path = relative ? `${relative}/${name}` : name;
    if (statSync(join(root, path)).isDirectory()) Object.assign(out, tree(root, path));
    else out[path] = readFileSync(join(root, path), 'utf8');
  }
  return out;
}

/** Nothing of an import may remain when it was refused: no home, no staging folder. */
function expectUntouched(): void {
  expect(existsSync(dst())).toBe(false);
  expect(readdirSync(dir.path).filter((n) => n.includes('.import-'))).toEqual([]);
}

beforeAll(() => {
  dir = tempDir();
  writeFileSync(pw(), `${PASSWORD}\n`);
  for (const [name, text] of Object.entries({
    'shop.crt': 'CERT',
    'shop.key': 'KEY',
    'httpd.conf': 'Listen 443\n',
    'msg.html': '<p>logged out</p>',
  })) {
    writeFileSync(join(dir.path, name), text);
  }
  ok(
    ssokit(
      src(),
      '--node-name',
      'web1',
      'init',
      '--cluster-name',
      'ssocluster',
      '--secret-server',
      'ssocluster',
      '--backup',
      join(dir.path, 'b.bak'),
      '--password-file',
      pw(),
      '--reminder',
      'r',
    ),
  );
  ok(
    ssokit(
      src(),
      'bizsys',
      'add',
      'shop',
      '--public-url',
      'https://shop.example.com',
      '--path',
      '/shop',
      '--path',
      '/cart',
      '--file',
      `certificate=${join(dir.path, 'shop.crt')}`,
      '--file',
      `key=${join(dir.path, 'shop.key')}`,
      '--file',
      `web-config=${join(dir.path, 'httpd.conf')}`,
      '--file',
      `message=${join(dir.path, 'msg.html')}`,
    ),
  );
  ok(
    ssokit(
      src(),
      'bizsys',
      'add',
      'portal',
      '--public-url',
      'https://portal.example.com:8443',
      '--auth-server',
      'https://sso.example.com/auth',
    ),
  );
  ok(ssokit(src(), 'set', 'bizsys.shop.sso-failover-enabled=true'));
  bundle = join(dir.path, 'env.bundle');
  const exported = ok(runCli('ssocloneaz', ['-p', '-f', bundle, '--home', src(), '--password-file', pw()]));
  expect(exported.stdout).toBe('The operation completed successfully.\n');
});
afterAll(() => dir.cleanup());

// Each test starts from a destination that does not exist yet.
afterEach(() => rmSync(dst(), { recursive: true, force: true }));

describe('export and import', () => {
  test('the bundle is private and its header readable without the password', () => {
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    const inspect = JSON.parse(ok(ssokit(src(), 'clone', 'inspect', bundle, '--json')).stdout);
    expect(inspect).toMatchObject({
      formatVersion: 1,
      sourceNode: 'web1',
      includesSecret: false,
      platform: process.platform,
    });
    expect(readFileSync(bundle).includes(Buffer.from('Listen 443'))).toBe(false);
  });

  test('the destination gets the same business systems, settings and files, under its own name', () => {
    const result = importInto(dst(), bundle, '--keep-bundle');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("restored on node 'web2' from 'web1'");
    expect(result.stdout).toContain('shop  https://shop.example.com:443');
    expect(tree(join(dst(), 'bizsys'))).toEqual(tree(join(src(), 'bizsys')));
    const settings = (home: string) =>
      Object.fromEntries(
        Object.entries(JSON.parse(ok(ssokit(home, 'get', '*', '--json')).stdout) as Record<string, string>).filter(
          ([k]) => k !== 'node.name',
        ),
      );
    expect(settings(dst())).toEqual(settings(src()));
    expect(JSON.parse(ok(ssokit(dst(), 'get', 'node.name', '--json')).stdout)).toEqual({ 'node.name': 'web2' });
    expect(statSync(join(dst(), 'bizsys', 'shop', 'files', 'shop.key')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dst(), 'secret'))).toBe(false);
    // The new server uses the same store, and the store's audit says what happened.
    const audit = ok(ssokit(src(), 'audit', 'list', '--json')).stdout;
    expect(audit).toContain('"operation": "clone-import"');
    expect(existsSync(bundle)).toBe(true);
  });

  test('--delete-bundle deletes it after a successful import; without a terminal and a flag it is kept, with a warning', () => {
    const copy = join(dir.path, 'copy.bundle');
    writeFileSync(copy, readFileSync(bundle), { mode: 0o600 });
    const kept = importInto(dst(), copy);
    expect(kept.status).toBe(0);
    expect(kept.stderr).toContain(`delete ${copy} once you no longer need it`);
    const other = join(dir.path, 'other-home');
    expect(importInto(other, copy, '--delete-bundle').status).toBe(0);
    expect(existsSync(copy)).toBe(false);
  });

  test('ssokit clone export / import, -p -f FILE, relative paths, and --json', () => {
    const copy = join(dir.path, 'modern.bundle');
    const exported = ok(
      runCli('ssokit', ['--home', src(), 'clone', '-p', '-f', 'modern.bundle', '--password-file', pw()], {
        cwd: dir.path,
      }),
    );
    expect(exported.stdout).toContain(`✓ environment of 'web1' written to ${copy}: 2 business system(s), 6 file(s)`);
    const imported = JSON.parse(
      ok(
        ssokit(
          dst(),
          '--node-name',
          'web4',
          'clone',
          'import',
          copy,
          '--password-file',
          pw(),
          '--delete-bundle',
          '--json',
        ),
      ).stdout,
    );
    expect(imported).toMatchObject({
      nodeName: 'web4',
      sourceNode: 'web1',
      files: 6,
      includesSecret: false,
      replacedKeptAt: null,
      bundleDeleted: true,
    });
    expect(imported.businessSystems.map((s: { name: string }) => s.name)).toEqual(['portal', 'shop']);
    expect(existsSync(copy)).toBe(false);
  });

  test('inspect tells, without the password, whether this node would take the bundle', async () => {
    const human = ok(ssokit(src(), 'clone', 'inspect', bundle)).stdout;
    expect(human).toContain('source node    : web1\n');
    expect(human).toContain('import here    : possible (on a freshly installed node)\n');
    const crafted = join(dir.path, 'old-version.bundle');
    await writeCraftedBundle(crafted, PASSWORD, manifestFor([]), tarOf([]), { version: '0.0.1' });
    const view = JSON.parse(ok(ssokit(src(), 'clone', 'inspect', '-f', crafted, '--json')).stdout);
    expect(view).toMatchObject({
      version: '0.0.1',
      importableHere: false,
      refusals: [expect.stringContaining('made on ssokit version 0.0.1, but this node runs')],
    });
  });

  test('ssokit clone -p / -c are the same commands; --include-secret says so and carries the secret', () => {
    const withSecret = join(dir.path, 'secret.bundle');
    const exported = ok(ssokit(src(), 'clone', '-p', withSecret, '--include-secret', '--password-file', pw()));
    expect(exported.stderr).toContain('the bundle will include the master secret');
    expect(exported.stdout).toContain('WITH the master secret');
    const imported = ok(
      ssokit(dst(), '--node-name', 'web3', 'clone', '-c', withSecret, '--password-file', pw(), '--keep-bundle'),
    );
    expect(imported.stdout).toContain('the master secret');
    expect(readdirSync(join(dst(), 'secret'))).toHaveLength(1);
    // web3 answers to the cluster name, so it is a master secret server node holding the secret.
    expect(JSON.parse(ok(ssokit(dst(), 'secret', 'status', '--json')).stdout)).toMatchObject({
      isSecretServer: true,
      matchesStore: true,
    });
  });
});

describe('running an import again', () => {
  test('the same bundle again says it was imported and changes nothing; another bundle is refused', () => {
    ok(importInto(dst(), bundle, '--keep-bundle'));
    const before = tree(dst());
    const again = importInto(dst(), bundle, '--keep-bundle');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /^this bundle was already imported into node 'web2' at \S+; nothing was changed\nThe operation completed successfully\.\n$/,
    );
    expect(tree(dst())).toEqual(before);
    const other = join(dir.path, 'other.bundle');
    ok(runCli('ssocloneaz', ['-p', '-f', other, '--home', src(), '--password-file', pw()]));
    const refused = importInto(dst(), other, '--keep-bundle');
    expect([refused.status, refused.stderr]).toEqual([
      64,
      expect.stringContaining('not in the state right after installation'),
    ]);
    rmSync(other);
  });
});

describe('refusals, each with nothing written', () => {
  test('a destination that is not freshly installed; --force replaces it', () => {
    ok(ssokit(dst(), '--node-name', 'busy', 'join', '--db', join(src(), 'ssodb.sqlite')));
    const refused = importInto(dst(), bundle, '--keep-bundle');
    expect([refused.status, refused.stderr]).toEqual([
      64,
      expect.stringContaining('not in the state right after installation: it is already set up'),
    ]);
    expect(JSON.parse(ok(ssokit(dst(), 'get', 'node.name', '--json')).stdout)).toEqual({ 'node.name': 'busy' });
    const forced = importInto(dst(), bundle, '--keep-bundle', '--force');
    expect([forced.status, forced.stderr]).toEqual([
      0,
      expect.stringContaining("replacing this node's environment (--force): it is already set up"),
    ]);
    expect(forced.stdout).toMatch(
      /the environment it replaced was kept in .*replaced-\d{8}T\d{6}Z; delete it when you no longer need it/,
    );
    expect(JSON.parse(ok(ssokit(dst(), 'get', 'node.name', '--json')).stdout)).toEqual({ 'node.name': 'web2' });
  });

  test('the bundle file: missing, two names for it, contradicting flags', () => {
    const missing = importInto(dst(), join(dir.path, 'no.bundle'));
    expect([missing.status, missing.stderr]).toEqual([10, expect.stringContaining('no such file or folder')]);
    const two = runCli('ssocloneaz', ['-c', bundle, '-f', join(dir.path, 'other.bundle'), '--home', dst()]);
    expect([two.status, two.stderr]).toEqual([2, expect.stringContaining('two bundle files given')]);
    const both = importInto(dst(), bundle, '--keep-bundle', '--delete-bundle');
    expect([both.status, both.stderr]).toEqual([
      2,
      expect.stringContaining('--delete-bundle and --keep-bundle contradict each other'),
    ]);
    expectUntouched();
  });

  test('export refuses to overwrite without --force, and a source whose store does not open', () => {
    const again = runCli('ssocloneaz', ['-p', '-f', bundle, '--home', src(), '--password-file', pw()]);
    expect([again.status, again.stderr]).toEqual([11, expect.stringContaining('already exists')]);
    const noStore = ssokit(
      src(),
      '--db',
      join(dir.path, 'gone.sqlite'),
      'clone',
      'export',
      join(dir.path, 'never.bundle'),
      '--password-file',
      pw(),
    );
    expect([noStore.status, noStore.stderr]).toEqual([
      65,
      expect.stringContaining('the credential store does not open'),
    ]);
    expect(existsSync(join(dir.path, 'never.bundle'))).toBe(false);
  });

  test('a wrong password', () => {
    writeFileSync(join(dir.path, 'wrong'), 'not-the-password\n');
    const result = runCli('ssocloneaz', [
      '-c',
      bundle,
      '--home',
      dst(),
      '--password-file',
      join(dir.path, 'wrong'),
      '--keep-bundle',
    ]);
    expect([result.status, result.stderr]).toEqual([
      20,
      expect.stringContaining('the password does not open this bundle'),
    ]);
    expectUntouched();
  });

  test('one flipped byte in the payload, and a truncated bundle', () => {
    const bytes = readFileSync(bundle);
    for (const offset of [bytes.length - 5, Math.floor(bytes.length / 2), bytes.indexOf('\nmac: ') + 200]) {
      const flipped = Buffer.from(bytes);
      flipped[offset]! ^= 0x01;
      writeFileSync(join(dir.path, 'flipped.bundle'), flipped, { mode: 0o600 });
      const result = importInto(dst(), join(dir.path, 'flipped.bundle'), '--keep-bundle');
      expect([offset, result.status]).toEqual([offset, 21]);
      expectUntouched();
    }
    writeFileSync(join(dir.path, 'short.bundle'), bytes.subarray(0, bytes.length - 40), { mode: 0o600 });
    const short = importInto(dst(), join(dir.path, 'short.bundle'), '--keep-bundle');
    expect([short.status, short.stderr]).toEqual([21, expect.stringContaining('damaged or truncated')]);
    expectUntouched();
  });

  test.each([
    ['platform', { platform: 'win32' }, 60, 'platform win32/'],
    ['version', { version: '0.0.1' }, 61, 'ssokit version 0.0.1'],
    ['edition', { edition: 'enterprise' }, 62, 'edition enterprise'],
    ['install folder', { installDir: '/opt/elsewhere' }, 63, 'the install folder /opt/elsewhere'],
  ])('a bundle from another %s', async (_what, facts, status, text) => {
    const crafted = join(dir.path, 'other.bundle');
    await writeCraftedBundle(crafted, PASSWORD, manifestFor([]), tarOf([]), facts);
    const result = importInto(dst(), crafted, '--keep-bundle', '--force');
    expect(result.status).toBe(status);
    expect(result.stderr).toContain(text);
    expect(result.stderr).toContain('but this node runs');
    expectUntouched();
  });

  test.each([
    ['an absolute path', { path: '/etc/ssokit-test-escape', body: Buffer.from('x') }, 'an absolute path'],
    ['a path with ..', { path: 'bizsys/../../escape.txt', body: Buffer.from('x') }, '".."'],
    [
      'a symbolic link escaping',
      { path: 'bizsys/shop/files/evil', type: 'SymbolicLink' as const, linkpath: '/etc/passwd' },
      'a SymbolicLink entry',
    ],
    [
      'a hard link escaping',
      { path: 'bizsys/shop/files/hard', type: 'Link' as const, linkpath: '../../../../etc/passwd' },
      'a Link entry',
    ],
    ['a device file', { path: 'bizsys/shop/files/dev', type: 'CharacterDevice' as const }, 'a CharacterDevice entry'],
    [
      'a file its manifest does not list',
      { path: 'bizsys/shop/files/extra', body: Buffer.from('x') },
      'a file its manifest does not list',
    ],
    [
      'a name over the limit',
      { path: `bizsys/${'n'.repeat(300)}`, body: Buffer.from('x') },
      'a name longer than 255 bytes',
    ],
  ])('a hostile tar entry: %s', async (_what, entry, text) => {
    const crafted = join(dir.path, 'hostile.bundle');
    await writeCraftedBundle(crafted, PASSWORD, manifestFor([]), tarOf([entry]));
    const result = importInto(dst(), crafted, '--keep-bundle');
    expect([result.status, result.stderr]).toEqual([66, expect.stringContaining(text)]);
    expectUntouched();
    expect(existsSync('/etc/ssokit-test-escape')).toBe(false);
  });

  test('a world-readable bundle is imported with a warning', () => {
    const open = join(dir.path, 'open.bundle');
    writeFileSync(open, readFileSync(bundle));
    chmodSync(open, 0o644);
    const result = importInto(dst(), open, '--keep-bundle');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('can be read by group or others');
  });

  test('a broken source is refused before anything is written', () => {
    const broken = join(dir.path, 'broken-source');
    ok(ssokit(broken, '--node-name', 'web9', 'init', '--no-backup'));
    ok(
      ssokit(
        broken,
        'bizsys',
        'add',
        'shop',
        '--public-url',
        'https://shop.example.com',
        '--file',
        `key=${join(dir.path, 'shop.key')}`,
      ),
    );
    rmSync(join(broken, 'bizsys', 'shop', 'files', 'shop.key'));
    const out = join(dir.path, 'never.bundle');
    const result = runCli('ssocloneaz', ['-p', out, '--home', broken, '--password-file', pw()]);
    expect([result.status, result.stderr]).toEqual([65, expect.stringContaining('its key file shop.key is missing')]);
    expect(existsSync(out)).toBe(false);
  });
});
