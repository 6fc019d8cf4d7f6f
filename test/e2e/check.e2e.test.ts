// End-to-end: `ssokit check` on real homes — a sound node, a joined node, a damaged one.
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
let pw: string;
beforeEach(() => {
  dir = tempDir();
  pw = join(dir.path, 'pw');
  writeFileSync(pw, 'correct-horse-1\n', { mode: 0o600 });
});
afterEach(() => dir.cleanup());

const home = (name: string) => join(dir.path, name);
const ssokit = (name: string, ...args: string[]) => runCli('ssokit', ['--home', home(name), ...args]);

function expectOk(result: CliResult): void {
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stderr}`);
}

function initAlpha(): void {
  expectOk(
    ssokit(
      'alpha',
      '--node-name',
      'alpha',
      'init',
      '--backup',
      join(dir.path, 'first.bak'),
      '--password-file',
      pw,
      '--reminder',
      'r',
    ),
  );
}

test('a sound master secret server and a joined node both pass; --json gives the report', () => {
  initAlpha();
  const alpha = ssokit('alpha', 'check');
  expect([alpha.status, alpha.stderr]).toEqual([0, '']);
  expect(alpha.stdout).toMatch(
    /^ok {7}secret {7}this node holds the store's current master secret \{[0-9A-F-]{36}\} \(generation 1\)$/m,
  );
  expect(alpha.stdout).toMatch(/^ok {7}store {8}SQLite integrity check and foreign keys: ok$/m);
  expect(alpha.stdout.trimEnd().split('\n').at(-1)).toBe('no problems');

  expectOk(ssokit('beta', '--node-name', 'beta', 'join', join(home('alpha'), 'ssodb.sqlite')));
  const beta = ssokit('beta', 'check', '--json');
  expect(beta.status).toBe(0);
  const report = JSON.parse(beta.stdout) as {
    node: string;
    problems: number;
    counts: { opened: number };
    findings: { area: string; message: string }[];
  };
  expect(report).toMatchObject({ node: 'beta', problems: 0, counts: { opened: 0 } });
  expect(report.findings).toContainEqual({
    area: 'secret',
    level: 'ok',
    message: 'this node is not the master secret server and holds no secret, as it should',
  });
});

test('a secret file others can read: exit 70, each problem on its own line, no stack trace', () => {
  initAlpha();
  const secretDir = join(home('alpha'), 'secret');
  chmodSync(join(secretDir, readdirSync(secretDir)[0]!), 0o644);
  const result = ssokit('alpha', 'check');
  expect(result.status).toBe(70);
  expect(result.stdout.split('\n').filter((line) => line.startsWith('PROBLEM'))).toEqual([
    expect.stringMatching(
      /^PROBLEM {2}files {8}the secret file .* has mode 0644: group or others can reach it \(chmod 0600 .*\)$/,
    ),
    expect.stringMatching(
      /^PROBLEM {2}secret {7}this node is the master secret server and has the current master secret's file, but cannot use it/,
    ),
  ]);
  expect(result.stderr).toBe(
    'ssokit: error: the check found 2 problem(s)\nssokit: hint: each is listed above with what to do\n',
  );
});

test('a home that was never set up exits 30', () => {
  const result = ssokit('nowhere', 'check');
  expect([result.status, result.stderr]).toEqual([
    30,
    expect.stringMatching(/^ssokit: error: this node is not part of an SSO system yet/),
  ]);
});
