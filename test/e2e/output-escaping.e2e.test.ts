// Issue 11, item 9: no string printed from the store, a file or the command line reaches
// the terminal with its control characters: a line cannot be erased, moved or faked.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

let dir: ReturnType<typeof tempDir>;
const home = () => join(dir.path, 'alpha');
const ssokit = (...args: string[]) => runCli('ssokit', ['--home', home(), ...args]);
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
/** What a terminal would act on: ESC, BEL, CR, backspace, and the bidirectional overrides. */
const RAW_CONTROLS = /[\u0007\u0008\u000d\u001b\u009b\u202e\u2066-\u2069]/;

const HOSTILE = '/tmp/r\u001b]2;owned\u0007\u001b[2K\rFAKE LINE\u202e';

beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir.path, 'pw'), 'correct-horse-1\n');
  ok(
    ssokit(
      '--node-name',
      'alpha',
      'init',
      '--backup',
      join(dir.path, 'a.bak'),
      '--password-file',
      join(dir.path, 'pw'),
      '--reminder',
      'r',
    ),
  );
  writeFileSync(join(dir.path, 'apps.xml'), appXml([{ name: 'Payroll', flags: 'enableApp="yes"' }]));
  ok(ssokit('app', 'create', join(dir.path, 'apps.xml')));
});
afterAll(() => dir.cleanup());

test('a hostile path is audited, and audit list shows it escaped', () => {
  const refused = ssokit('secret', 'restore', HOSTILE, '--password-file', join(dir.path, 'pw'));
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).not.toMatch(RAW_CONTROLS);
  const listed = ok(ssokit('audit', 'list'));
  expect(listed.stdout).toContain('\\u001b]2;owned\\u0007\\u001b[2K\\u000dFAKE LINE\\u202e');
  expect(listed.stdout).not.toMatch(RAW_CONTROLS);
  // JSON carries the value exactly, escaped by construction.
  const json = JSON.parse(ok(ssokit('audit', 'list', '--json')).stdout) as { target: string }[];
  expect(json.some((r) => r.target.includes(HOSTILE))).toBe(true);
});

test('credential values are printed escaped, and exact in JSON', () => {
  const fields = join(dir.path, 'fields.json');
  writeFileSync(fields, JSON.stringify({ 'User ID': 'A1\u001b[2K\rroot', Password: 'p\u001b]2;x\u0007w' }), {
    mode: 0o600,
  });
  ok(ssokit('credentials', 'set', 'CORP\\alice', 'Payroll', '--external-user', 'E1', '--fields-file', fields));
  const shown = ok(ssokit('credentials', 'get', 'CORP\\alice', 'Payroll', '--reveal'));
  expect(shown.stdout).not.toMatch(RAW_CONTROLS);
  expect(shown.stdout).toContain('A1\\u001b[2K\\u000droot');
  const json = JSON.parse(ok(ssokit('credentials', 'get', 'CORP\\alice', 'Payroll', '--reveal', '--json')).stdout);
  expect(json.fields[0].value).toBe('A1\u001b[2K\rroot');
});
