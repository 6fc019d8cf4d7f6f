// End-to-end: the built binaries in temporary homes, without a terminal (foundation issue §6).
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homePaths } from '../../src/node/home.js';
import { type CliResult, runCli, runCliAsync } from '../helpers/cli.js';
import { openAllCredentials, reopen, seedCredentials } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
let pw: string;
beforeEach(() => {
  dir = tempDir();
  pw = join(dir.path, 'pw');
  writeFileSync(pw, 'correct-horse-1\n');
});
afterEach(() => dir.cleanup());

const home = (name: string) => join(dir.path, name);
const ssokit = (name: string, ...args: string[]) => runCli('ssokit', ['--home', home(name), ...args]);
const ssoconfig = (name: string, ...args: string[]) => runCli('ssoconfig', [...args, '--home', home(name)]);

function expectOk(result: CliResult): void {
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stderr}`);
}

/** A clustered master secret server: alpha answers to the cluster name "ssocluster". */
function initCluster(): void {
  expectOk(
    ssokit(
      'alpha',
      '--node-name',
      'alpha',
      'init',
      '--cluster-name',
      'ssocluster',
      '--secret-server',
      'ssocluster',
      '--backup',
      join(dir.path, 'first.bak'),
      '--password-file',
      pw,
      '--reminder',
      'the usual',
    ),
  );
}

describe('init', () => {
  test('prints what it made; the files are private', () => {
    const result = ssokit(
      'alpha',
      '--node-name',
      'alpha',
      'init',
      '--backup',
      join(dir.path, 'b.bak'),
      '--password-file',
      pw,
      '--reminder',
      'r',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/✓ created a new SSO system; this node 'alpha' is its master secret server/);
    expect(result.stdout).toMatch(/master secret : \{[0-9A-F-]{36}\} \(generation 1\)/);
    expect(statSync(join(dir.path, 'b.bak')).mode & 0o777).toBe(0o600);
    expect(statSync(home('alpha')).mode & 0o777).toBe(0o700);
  });

  test('the default backup location is <home>/backup/SSOxxxx.bak', () => {
    expectOk(ssokit('alpha', '--node-name', 'alpha', 'init', '--password-file', pw, '--reminder', 'r'));
    expect(readdirSync(join(home('alpha'), 'backup'))).toEqual([expect.stringMatching(/^SSO[0-9A-F]{4}\.bak$/)]);
  });

  test('--no-backup warns now and on every later command', () => {
    const init = ssokit('alpha', '--node-name', 'alpha', 'init', '--no-backup');
    expect(init.status).toBe(0);
    expect(init.stderr).toMatch(/warning: no backup of the master secret will be made/);
    const status = ssokit('alpha', 'secret', 'status');
    expect(status.stderr).toMatch(/warning: the master secret \{.*\} has not been backed up/);
    expectOk(ssokit('alpha', 'secret', 'backup', join(dir.path, 'late.bak'), '--password-file', pw, '--reminder', ''));
    expect(ssokit('alpha', 'secret', 'status').stderr).toBe('');
  });

  test('with no terminal and no password it fails at once, naming the flag', () => {
    const started = Date.now();
    const result = ssokit('alpha', '--node-name', 'alpha', 'init');
    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(/ssokit: error: a password is needed and there is no terminal/);
    expect(result.stderr).toMatch(/ssokit: hint: .*--password-file/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(home('alpha'))).toBe(false);
  });

  test('the password can come from SSOKIT_PASSWORD or stdin', () => {
    expectOk(
      runCli('ssokit', ['--home', home('a'), 'init', '--reminder', 'r'], { env: { SSOKIT_PASSWORD: 'from-env-var' } }),
    );
    expectOk(
      runCli('ssokit', ['--home', home('b'), 'init', '--reminder', 'r', '--password-file', '-'], {
        stdin: 'from-stdin-1\n',
      }),
    );
    expectOk(
      runCli(
        'ssokit',
        [
          '--home',
          home('b'),
          'secret',
          'verify',
          join(home('b'), 'backup', readdirSync(join(home('b'), 'backup'))[0]!),
          '--password-file',
          '-',
        ],
        { stdin: 'from-stdin-1\n' },
      ),
    );
  });
});

describe('backup and restore across nodes sharing one store', () => {
  test('round trip: a second cluster node restores the backup and reports a matching secret', () => {
    initCluster();
    expectOk(
      ssokit('alpha', 'secret', 'backup', join(dir.path, 'b2.bak'), '--password-file', pw, '--reminder', 'again'),
    );
    expectOk(
      ssokit(
        'beta',
        '--node-name',
        'beta',
        'join',
        '--db',
        join(home('alpha'), 'ssodb.sqlite'),
        '--cluster-name',
        'ssocluster',
      ),
    );
    const before = JSON.parse(ssokit('beta', 'secret', 'status', '--json').stdout);
    expect(before).toMatchObject({ isSecretServer: true, matchesStore: false, local: { current: 'missing' } });

    const restore = ssoconfig('beta', '-restoreSecret', join(dir.path, 'b2.bak'), '--password-file', pw);
    expect(restore.status).toBe(0);
    expect(restore.stderr).toContain('Password reminder : again');
    expect(restore.stdout).toBe('The operation completed successfully.\n');
    const after = JSON.parse(ssokit('beta', 'secret', 'status', '--json').stdout);
    expect(after).toMatchObject({ isSecretServer: true, matchesStore: true, current: { id: before.current.id } });
    const files = readdirSync(join(home('beta'), 'secret'));
    expect(files).toHaveLength(1);
    expect(statSync(join(home('beta'), 'secret', files[0]!)).mode & 0o777).toBe(0o600);
  });

  test('option names are case-insensitive in the original syntax', () => {
    initCluster();
    for (const spelling of ['-backupsecret', '-BACKUPSECRET', '-BackupSecret']) {
      const file = join(dir.path, `${spelling.slice(1)}.bak`);
      expect(ssoconfig('alpha', spelling, file, '--password-file', pw, '--reminder', 'r').status).toBe(0);
      expect(existsSync(file)).toBe(true);
    }
  });

  test('a wrong password changes nothing and exits 20 with the ESSO error', () => {
    initCluster();
    expectOk(
      ssokit(
        'beta',
        '--node-name',
        'beta',
        'join',
        '--db',
        join(home('alpha'), 'ssodb.sqlite'),
        '--cluster-name',
        'ssocluster',
      ),
    );
    writeFileSync(join(dir.path, 'wrong'), 'not-the-password\n');
    const result = ssoconfig(
      'beta',
      '-restoreSecret',
      join(dir.path, 'first.bak'),
      '--password-file',
      join(dir.path, 'wrong'),
    );
    expect(result.status).toBe(20);
    expect(result.stderr).toContain('ERROR: 0xC0002A1B: An incorrect password was specified for the backup file.');
    expect(existsSync(join(home('beta'), 'secret'))).toBe(false);
  });

  test('restore on a node that is not the master secret server is refused, naming both', () => {
    initCluster();
    expectOk(ssokit('gamma', '--node-name', 'gamma', 'join', '--db', join(home('alpha'), 'ssodb.sqlite')));
    const result = ssokit('gamma', 'secret', 'restore', join(dir.path, 'first.bak'), '--password-file', pw);
    expect(result.status).toBe(40);
    expect(result.stderr).toMatch(/master secret server 'ssocluster'; this node answers to 'gamma'/);
    expect(result.stderr).toMatch(/hint: .*-updatedb/);
    expect(existsSync(join(home('gamma'), 'secret'))).toBe(false);
  });

  test('a backup of another SSO system is refused with both ids; --force restores anyway', () => {
    initCluster();
    expectOk(
      ssokit(
        'other',
        '--node-name',
        'other',
        'init',
        '--backup',
        join(dir.path, 'other.bak'),
        '--password-file',
        pw,
        '--reminder',
        'r',
      ),
    );
    const result = ssokit('alpha', 'secret', 'restore', join(dir.path, 'other.bak'), '--password-file', pw);
    expect(result.status).toBe(42);
    const ids = [...result.stderr.matchAll(/\{[0-9A-F-]{36}\}/g)].map((m) => m[0]);
    expect(new Set(ids).size).toBe(2);
    const forced = ssokit('alpha', 'secret', 'restore', join(dir.path, 'other.bak'), '--password-file', pw, '--force');
    expect(forced.status).toBe(0);
    expect(forced.stderr).toMatch(/warning: restoring master secret .* \(--force\)/);
  });

  test('tampered and truncated backups are refused with their own exit statuses', () => {
    initCluster();
    const good = readFileSync(join(dir.path, 'first.bak'), 'utf8');
    writeFileSync(join(dir.path, 'tampered.bak'), good.replace('generation: 1', 'generation: 7'));
    writeFileSync(join(dir.path, 'truncated.bak'), good.slice(0, good.length - 30));
    writeFileSync(join(dir.path, 'future.bak'), good.replace('/v1', '/v9'));
    const tampered = ssokit('alpha', 'secret', 'verify', join(dir.path, 'tampered.bak'), '--password-file', pw);
    expect([tampered.status, tampered.stderr]).toEqual([
      21,
      expect.stringMatching(/the backup is damaged: its header was altered/),
    ]);
    const truncated = ssokit('alpha', 'secret', 'verify', join(dir.path, 'truncated.bak'), '--password-file', pw);
    expect([truncated.status, truncated.stderr]).toEqual([24, expect.stringMatching(/truncated/)]);
    const future = ssokit('alpha', 'secret', 'verify', join(dir.path, 'future.bak'), '--password-file', pw);
    expect([future.status, future.stderr]).toEqual([
      22,
      expect.stringMatching(/unsupported secret backup format version 9/),
    ]);
    for (const r of [tampered, truncated, future]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('an existing file is not overwritten without --force', () => {
    initCluster();
    const target = join(dir.path, 'first.bak');
    const before = readFileSync(target);
    const refused = ssokit('alpha', 'secret', 'backup', target, '--password-file', pw, '--reminder', 'r');
    expect([refused.status, refused.stderr]).toEqual([11, expect.stringMatching(/already exists/)]);
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expectOk(ssokit('alpha', 'secret', 'backup', target, '--password-file', pw, '--reminder', 'r', '--force'));
    expect(readFileSync(target).equals(before)).toBe(false);
  });
});

describe('rotate', () => {
  test('rotations started at once all succeed, one after the other, and the current secret stays on disk', async () => {
    initCluster();
    const rotations = await Promise.all(
      ['r1', 'r2', 'r3'].map((name) =>
        runCliAsync('ssokit', [
          '--home',
          home('alpha'),
          'secret',
          'rotate',
          '--backup',
          join(dir.path, `${name}.bak`),
          '--password-file',
          pw,
          '--reminder',
          'r',
        ]),
      ),
    );
    expect(rotations.map((r) => [r.status, r.stderr.includes('error')])).toEqual([
      [0, false],
      [0, false],
      [0, false],
    ]);
    const status = JSON.parse(ssokit('alpha', 'secret', 'status', '--json').stdout);
    expect(status.current.generation).toBe(4);
    expect(status.local).toMatchObject({ current: 'present', previous: 'present', extraFiles: [] });
    expect(ssokit('alpha', 'check').status).toBe(0);
    // Each backup holds the secret its rotation made: the newest one is current.
    const newest = rotations
      .map((r) => /backup written to (\S+)/.exec(r.stdout)![1]!)
      .find((file) => readFileSync(file, 'utf8').includes(status.current.id));
    expect(ssokit('alpha', 'secret', 'verify', newest!, '--password-file', pw).status).toBe(0);
  });

  test('credentials in several applications all still decrypt; the old backup is stale', async () => {
    initCluster();
    const seeded = await reopen(homePaths(home('alpha')));
    await seedCredentials(seeded, 3, 4);
    const before = await openAllCredentials(seeded);
    await seeded.store.close();

    const rotate = ssoconfig(
      'alpha',
      '-generateSecret',
      join(dir.path, 'rotated.bak'),
      '--password-file',
      pw,
      '--reminder',
      'new',
    );
    expect(rotate.status).toBe(0);
    const after = await reopen(homePaths(home('alpha')));
    expect(await openAllCredentials(after)).toEqual(before);
    await after.store.close();

    const stale = ssokit('alpha', 'secret', 'verify', join(dir.path, 'first.bak'), '--password-file', pw);
    expect(stale.status).toBe(43);
    expect(stale.stderr).toMatch(
      /the backup is stale: it holds master secret .* \(generation 1\), but the store's current master secret is .* \(generation 2\)/,
    );
    const fresh = ssokit('alpha', 'secret', 'verify', join(dir.path, 'rotated.bak'), '--password-file', pw, '--json');
    expect(fresh.status).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ state: 'current', generation: 2, matchesLocalCopy: true });
  });

  test('modern rotate requires --backup', () => {
    initCluster();
    const result = ssokit('alpha', 'secret', 'rotate', '--password-file', pw);
    expect([result.status, result.stderr]).toEqual([2, expect.stringMatching(/hint: add --backup FILE/)]);
  });

  test('reencrypt reports what it did', async () => {
    initCluster();
    const seeded = await reopen(homePaths(home('alpha')));
    await seedCredentials(seeded, 2, 3);
    await seeded.store.close();
    const result = ssokit('alpha', 'secret', 'reencrypt', '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      resumed: false,
      applications: 2,
      credentials: 6,
      configEntries: 0,
      retiredKeys: 2,
    });
  });
});

describe('secret file permissions and error manners', () => {
  test('a world-readable secret file is refused', () => {
    initCluster();
    const secretDir = join(home('alpha'), 'secret');
    chmodSync(join(secretDir, readdirSync(secretDir)[0]!), 0o644);
    const result = ssokit(
      'alpha',
      'secret',
      'backup',
      join(dir.path, 'x.bak'),
      '--password-file',
      pw,
      '--reminder',
      'r',
    );
    expect(result.status).toBe(12);
    expect(result.stderr).toMatch(/permissions 0644 for .* are too open/);
    expect(existsSync(join(dir.path, 'x.bak'))).toBe(false);
  });

  test('usage errors exit 2; an unconfigured node exits 30; --debug alone shows stack traces', () => {
    const unknown = runCli('ssokit', ['secret', 'backup', '--frobnicate']);
    expect([unknown.status, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/ssokit: error: unknown option '--frobnicate'/),
    ]);
    const legacyUnknown = runCli('ssoconfig', ['-frobnicate']);
    expect([legacyUnknown.status, legacyUnknown.stderr]).toEqual([
      2,
      expect.stringMatching(/unknown option -frobnicate for ssoconfig/),
    ]);
    const missing = runCli('ssoconfig', ['-restoreSecret']);
    expect(missing.status).toBe(2);
    const notSetUp = ssokit('nowhere', 'secret', 'status');
    expect([notSetUp.status, notSetUp.stderr]).toEqual([30, expect.stringMatching(/not part of an SSO system/)]);
    expect(notSetUp.stderr).not.toMatch(/\n\s+at /);
    const debug = ssokit('nowhere', 'secret', 'status', '--debug');
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  test('help and version exit 0', () => {
    expect(runCli('ssokit', ['--help']).status).toBe(0);
    expect(runCli('ssokit', ['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const legacyHelp = runCli('ssoconfig', ['-help']);
    expect(legacyHelp.status).toBe(0);
    expect(legacyHelp.stdout).toMatch(/-restoreSecret\s+: restore the master secret/);
  });

  test('ssoconfig -setDB and -showdb', () => {
    initCluster();
    const setdb = ssoconfig('beta', '-setDB', join(home('alpha'), 'ssodb.sqlite'), '--node-name', 'beta');
    expect(setdb.stdout).toContain('The operation completed successfully.');
    expect(ssoconfig('beta', '-showdb').stdout).toBe(
      `SSO database : ${join(home('alpha'), 'ssodb.sqlite')}\nThe operation completed successfully.\n`,
    );
    expect(ssokit('beta', 'db', 'where').stdout).toBe(`${join(home('alpha'), 'ssodb.sqlite')}\n`);
  });
});

describe('hints name the remedy in the syntax that was typed', () => {
  test('a node without its secret is told how to restore it, as ssoconfig or as ssokit', () => {
    initCluster();
    rmSync(join(home('alpha'), 'secret'), { recursive: true });
    const target = join(dir.path, 'never.bak');
    const legacy = ssoconfig('alpha', '-backupSecret', target, '--password-file', pw, '--reminder', 'r');
    expect([legacy.status, legacy.stderr]).toEqual([
      41,
      expect.stringContaining('\nhint: restore it from its backup: ssoconfig -restoreSecret FILE\n'),
    ]);
    const modern = ssokit('alpha', 'secret', 'backup', target, '--password-file', pw, '--reminder', 'r');
    expect([modern.status, modern.stderr]).toEqual([
      41,
      expect.stringContaining('\nssokit: hint: restore it from its backup: ssokit secret restore FILE\n'),
    ]);
    expect(existsSync(target)).toBe(false);
  });
});
