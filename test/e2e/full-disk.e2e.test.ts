// A full disk and a read-only one, on a real 1 MiB tmpfs (root only; with CI=true a machine
// that cannot mount one fails this file instead of skipping it): ENOSPC, EDQUOT and EROFS
// are IO_ERROR (exit 13) with a sentence naming the place, never an internal error or a
// double close (EBADF), and a failed command leaves nothing on the device.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';

function mount(args: string[]): string | null {
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  return result.status === 0 ? null : `mount ${args.join(' ')}: ${(result.stderr || String(result.error)).trim()}`;
}

/** Why a 1 MiB tmpfs cannot be mounted here, or null. */
function whyNoTmpfs(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'ssokit-tmpfs-probe-'));
  try {
    const failed = mount(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    if (failed) return failed;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    rmdirSync(probe);
  }
}

const describeDisk = describeNeeding(whyNoTmpfs(), 'full-disk tests');

describeDisk('a full or read-only disk', () => {
  let dir: ReturnType<typeof tempDir>;
  let mounted = false;
  const path = (name: string) => join(dir.path, name);
  const disk = (name = '') => join(dir.path, 'disk', name);
  const pw = () => path('pw');
  const ok = (r: CliResult) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  /** The status and one sentence of the refusal; never an internal error or a JavaScript error code alone. */
  const refusal = (r: CliResult) => {
    expect(r.stderr).not.toMatch(/internal error|EBADF|bad file descriptor|this is a bug/);
    return r.status;
  };

  beforeAll(() => {
    dir = tempDir();
    writeFileSync(pw(), 'correct-horse-1\n', { mode: 0o600 });
    // 3 MiB: more than the whole device.
    const fd = openSync(path('site.conf'), 'w');
    for (let i = 0; i < 3; i++) writeSync(fd, Buffer.alloc(1 << 20, 'Listen 443\n'));
    closeSync(fd);
    const web1 = ['--home', path('web1')];
    ok(
      runCli('ssokit', [
        ...web1,
        '--node-name',
        'web1',
        'init',
        '--backup',
        path('web1.bak'),
        '--password-file',
        pw(),
        '--reminder',
        'r',
      ]),
    );
    ok(
      runCli('ssokit', [
        ...web1,
        'bizsys',
        'add',
        'shop',
        '--public-url',
        'https://shop.example.com',
        '--file',
        `web-config=${path('site.conf')}`,
      ]),
    );
    ok(runCli('ssocloneaz', ['-p', '-f', path('web1.bundle'), ...web1, '--password-file', pw()]));
    mkdirSync(disk());
    const failed = mount(['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', disk()]);
    if (failed) throw new Error(failed);
    mounted = true;
    // A node whose home is on the small device (its store and secret take about 100 KiB).
    ok(
      runCli('ssokit', [
        '--home',
        disk('h'),
        '--node-name',
        'h',
        'init',
        '--backup',
        disk('h.bak'),
        '--password-file',
        pw(),
        '--reminder',
        'r',
      ]),
    );
  });

  afterAll(() => {
    if (mounted) {
      spawnSync('mount', ['-o', 'remount,rw', disk()]);
      if (spawnSync('umount', [disk()]).status !== 0) spawnSync('umount', ['-l', disk()]);
    }
    dir?.cleanup();
  });

  const onDisk = (...args: string[]) => runCli('ssokit', ['--home', disk('h'), ...args]);

  test('bizsys add with a file larger than the free space: IO_ERROR naming the device, nothing left', () => {
    const result = onDisk(
      'bizsys',
      'add',
      'shop',
      '--public-url',
      'https://shop.example.com',
      '--file',
      `web-config=${path('site.conf')}`,
    );
    expect(refusal(result)).toBe(13);
    expect(result.stderr).toContain(`ssokit: error: no space left on the device holding ${disk('h/bizsys')}: `);
    expect(readdirSync(disk('h/bizsys'))).toEqual([]);
    const check = ok(onDisk('check')).stdout;
    expect(check).toContain('no problems');
    expect(check).not.toContain('warning');
  });

  test.each([
    ['a home that does not exist yet', 'web2', false],
    ['an empty home', 'web3', true],
  ])('ssocloneaz -c into %s on a full device: IO_ERROR, not EBADF, nothing left', (_, name, exists) => {
    if (exists) mkdirSync(disk(name), { mode: 0o700 });
    const before = readdirSync(disk()).sort();
    const result = runCli('ssocloneaz', [
      '-c',
      '-f',
      path('web1.bundle'),
      '--home',
      disk(name),
      '--node-name',
      name,
      '--keep-bundle',
      '--password-file',
      pw(),
    ]);
    expect(refusal(result)).toBe(13);
    expect(result.stderr).toContain(
      `no space left on the device holding ${exists ? disk(name) : disk().replace(/\/$/, '')}: `,
    );
    expect(readdirSync(disk()).sort()).toEqual(before);
    if (exists) expect(readdirSync(disk(name))).toEqual([]);
  });

  test('ssocloneaz -p onto a full device: IO_ERROR naming the bundle, no file left', () => {
    const result = runCli('ssocloneaz', [
      '-p',
      '-f',
      disk('out.bundle'),
      '--home',
      path('web1'),
      '--password-file',
      pw(),
    ]);
    expect(refusal(result)).toBe(13);
    expect(result.stderr).toContain(`no space left on the device holding ${disk('out.bundle')}: `);
    expect(readdirSync(disk()).filter((n) => n.includes('out.bundle'))).toEqual([]);
  });

  test('a secret backup onto a device with no room left at all', () => {
    const filler = disk('filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    try {
      // The home is elsewhere: only the backup file goes to the full device.
      const result = runCli('ssokit', [
        '--home',
        path('web1'),
        'secret',
        'backup',
        disk('again.bak'),
        '--password-file',
        pw(),
        '--reminder',
        'r',
      ]);
      expect(refusal(result)).toBe(13);
      expect(result.stderr).toMatch(new RegExp(`no space left on the device holding ${disk()}\\S*: `));
      expect(readdirSync(disk()).filter((n) => n.includes('again.bak'))).toEqual([]);
    } finally {
      rmSync(filler);
    }
  });

  test('a read-only device: IO_ERROR saying so', () => {
    const failed = mount(['-o', 'remount,ro', disk()]);
    if (failed) throw new Error(failed);
    try {
      const result = onDisk(
        'bizsys',
        'add',
        'ro',
        '--public-url',
        'https://ro.example.com',
        '--file',
        `web-config=${pw()}`,
      );
      expect(refusal(result)).toBe(13);
      expect(result.stderr).toMatch(new RegExp(`the device holding ${disk('h')}\\S* is read-only: .*\\(EROFS\\)`));
    } finally {
      mount(['-o', 'remount,rw', disk()]);
    }
    expect(mount(['-o', 'remount,rw', disk()])).toBeNull();
  });
});
