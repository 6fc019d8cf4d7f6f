// Issue 11, items 5 and 6: an import trusts only staging folders its own user made, and
// makes the folders it needs private whatever the umask.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
const pw = () => join(dir.path, 'pw');
const bundle = () => join(dir.path, 'env.bundle');
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const mode = (path: string) => statSync(path).mode & 0o7777;

beforeAll(() => {
  dir = tempDir();
  writeFileSync(pw(), 'bundle-password-1\n', { mode: 0o600 });
  const web1 = join(dir.path, 'web1');
  ok(
    runCli('ssokit', [
      '--home',
      web1,
      '--node-name',
      'web1',
      'init',
      '--backup',
      join(dir.path, 'web1.bak'),
      '--password-file',
      pw(),
      '--reminder',
      'r',
    ]),
  );
  ok(runCli('ssocloneaz', ['-p', '-f', bundle(), '--home', web1, '--password-file', pw()]));
});
afterAll(() => dir.cleanup());

const importInto = (home: string) =>
  runCli('ssocloneaz', [
    '-c',
    '-f',
    bundle(),
    '--home',
    home,
    '--node-name',
    'web2',
    '--password-file',
    pw(),
    '--keep-bundle',
  ]);

/** The uid of an account that is not the caller's (nobody's), for folders "another user" made. */
const OTHER_UID = 65534;
const isRoot = process.getuid?.() === 0;

describeNeeding(
  isRoot ? null : 'not running as root (planting another user’s folder needs chown)',
  'staging trust tests',
)('staging folders someone else made are not trusted', () => {
  test("another user's ready staging folder beside the home is neither used nor removed", () => {
    const shared = join(dir.path, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777); // like /tmp: anyone may create here
    const planted = join(shared, '.web2.import-999999-abc');
    mkdirSync(planted);
    writeFileSync(join(planted, 'node.json'), '{"planted": true}');
    writeFileSync(
      join(planted, '.ready'),
      JSON.stringify({ aside: join(shared, 'web2', 'replaced-x'), items: ['node.json'] }),
    );
    chownSync(join(planted, 'node.json'), OTHER_UID, OTHER_UID);
    chownSync(join(planted, '.ready'), OTHER_UID, OTHER_UID);
    chownSync(planted, OTHER_UID, OTHER_UID);
    const home = join(shared, 'web2');
    const result = ok(importInto(home));
    expect(result.stderr).not.toContain('interrupted');
    const node = JSON.parse(readFileSync(join(home, 'node.json'), 'utf8'));
    expect(node).toMatchObject({ nodeName: 'web2' });
    expect(node.planted).toBeUndefined();
    expect(statSync(planted).uid).toBe(OTHER_UID);
    expect(existsSync(join(planted, 'node.json'))).toBe(true);
  });

  test('a folder another user made naming process 1 does not stop imports', () => {
    const parent = join(dir.path, 'pid1');
    mkdirSync(parent);
    chmodSync(parent, 0o1777);
    const planted = join(parent, '.web2.import-1-abc');
    mkdirSync(planted);
    chownSync(planted, OTHER_UID, OTHER_UID);
    ok(importInto(join(parent, 'web2')));
  });
});

describe('folders an import makes are private whatever the umask', () => {
  test('under umask 000, missing parents are 0755 and the home 0700', () => {
    const home = join(dir.path, 'made', 'by', 'import', 'web2');
    const result = spawnSync(
      '/bin/sh',
      [
        '-c',
        'umask 000; exec "$0" "$@"',
        process.execPath,
        join(REPO_ROOT, 'bin', 'ssocloneaz.js'),
        '-c',
        '-f',
        bundle(),
        '--home',
        home,
        '--node-name',
        'web2',
        '--password-file',
        pw(),
        '--keep-bundle',
      ],
      { env: testEnv(), encoding: 'utf8' },
    );
    expect([result.status, result.stderr]).toEqual([0, expect.any(String)]);
    for (const folder of ['made', 'made/by', 'made/by/import']) expect(mode(join(dir.path, folder))).toBe(0o755);
    expect(mode(home)).toBe(0o700);
    expect(mode(join(home, 'node.json'))).toBe(0o600);
  });
});
