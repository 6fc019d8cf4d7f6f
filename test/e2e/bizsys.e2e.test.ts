// ssokit bizsys add|list|show|update|remove and get/set, run as the built binary.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
const home = () => join(dir.path, 'web1');
const ssokit = (...args: string[]) => runCli('ssokit', ['--home', home(), ...args]);
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir.path, 'httpd.conf'), 'Listen 443\n');
  writeFileSync(join(dir.path, 'shop.crt'), 'CERT 1');
  ok(ssokit('--node-name', 'web1', 'init', '--no-backup'));
});
afterAll(() => dir.cleanup());

test('a business system from add to remove', () => {
  const added = ok(
    ssokit(
      'bizsys',
      'add',
      'shop',
      '--public-url',
      'https://Shop.Example.com',
      '--path',
      '/shop',
      '--path',
      '/cart',
      '--file',
      `web-config=${join(dir.path, 'httpd.conf')}`,
      '--sso-max-inactive-seconds',
      '600',
    ),
  );
  expect(added.stdout).toBe('✓ business system shop added at https://shop.example.com:443\n');
  expect(ok(ssokit('bizsys', 'list')).stdout).toBe(
    'NAME  PUBLIC URL                    PATHS        SSO  FAILOVER\n' +
      'shop  https://shop.example.com:443  /shop,/cart  on   off\n',
  );
  const shown = JSON.parse(ok(ssokit('bizsys', 'show', 'shop', '--json')).stdout);
  expect(shown).toMatchObject({
    name: 'shop',
    ssl: true,
    session: {
      ssoEnabled: true,
      maxInactiveSeconds: 600,
      reapIntervalSeconds: 60,
      failoverEnabled: false,
      sessionTimeoutSeconds: 1800,
    },
    files: [{ role: 'web-config', name: 'httpd.conf' }],
  });
  expect(ok(ssokit('bizsys', 'show', 'shop')).stdout).toContain('sso-max-inactive-seconds  : 600\n');

  const updated = ok(
    ssokit(
      'bizsys',
      'update',
      'shop',
      '--remove-path',
      '/cart',
      '--file',
      `certificate=${join(dir.path, 'shop.crt')}`,
      '--sso-failover-enabled',
      'true',
    ),
  );
  expect(updated.stdout).toBe('✓ business system shop updated\n');
  expect(readFileSync(join(home(), 'bizsys/shop/files/shop.crt'), 'utf8')).toBe('CERT 1');
  expect(ok(ssokit('get', 'bizsys.shop.protected-paths')).stdout).toBe('bizsys.shop.protected-paths=/shop\n');

  const noTerminal = ssokit('bizsys', 'remove', 'shop');
  expect([noTerminal.status, noTerminal.stderr]).toEqual([
    5,
    expect.stringContaining('add --yes to confirm without a terminal'),
  ]);
  expect(ok(ssokit('bizsys', 'remove', 'shop', '--yes')).stdout).toBe('✓ business system shop removed\n');
  expect(existsSync(join(home(), 'bizsys/shop'))).toBe(false);
  expect(ok(ssokit('bizsys', 'list', '--json')).stdout).toBe('[]\n');
});

test('refusals carry their exit status and say what to do', () => {
  ok(ssokit('bizsys', 'add', 'portal', '--public-url', 'https://portal.example.com:8443'));
  const cases: [string[], number, string][] = [
    [
      ['bizsys', 'add', 'bad', '--public-url', 'https://portal'],
      6,
      'ssokit: error: "portal" is not a fully qualified host name',
    ],
    [['bizsys', 'add', 'nourl'], 2, 'ssokit: error: a business system needs its public URL'],
    [
      ['bizsys', 'add', 'Portal', '--public-url', 'https://other.example.com'],
      52,
      'business system "Portal" already exists',
    ],
    [
      ['bizsys', 'add', 'twin', '--public-url', 'https://PORTAL.example.com:8443'],
      52,
      'already has the public URL https://portal.example.com:8443',
    ],
    [
      ['bizsys', 'update', 'portal', '--public-url', 'https://new.example.com'],
      53,
      'ssokit: hint: remove the business system and add it again with the new URL',
    ],
    [
      ['bizsys', 'update', 'portal', '--sso-reap-interval-seconds', '0'],
      6,
      'sso-reap-interval-seconds is a whole number of seconds from 1',
    ],
    [
      ['bizsys', 'add', 'x', '--public-url', 'https://x.example.com', '--file', 'cert=/etc/hostname'],
      2,
      '--file takes ROLE=PATH',
    ],
    [['bizsys', 'show', 'nothing'], 51, 'there is no business system "nothing" on this node'],
    [['set', 'bizsys.portal.public-url=https://new.example.com'], 53, 'cannot be changed while it is in operation'],
    [['set', 'bizsys.portal.sso-enabled=yes'], 6, 'sso-enabled is true or false, not "yes"'],
    [['set', 'bizsys.portal.sso-enable=true'], 51, 'ssokit: hint: did you mean bizsys.portal.sso-enabled?'],
    [['set', 'nothing'], 2, 'ssokit set takes NAME=VALUE'],
    [['get', 'bizsys.nothing.*'], 51, 'there is no setting named "bizsys.nothing.*"'],
  ];
  for (const [args, status, text] of cases) {
    const result = ssokit(...args);
    expect({ args, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      args,
      status,
      stdout: '',
      stderr: expect.stringContaining(text),
    });
  }
});

test('get and set in the manner of asadmin: name=value lines, patterns, several at once', () => {
  ok(ssokit('bizsys', 'add', 'mail', '--public-url', 'https://mail.example.com'));
  expect(
    ok(ssokit('set', 'bizsys.mail.sso-failover-enabled=true', 'bizsys.mail.sso-reap-interval-seconds=30')).stdout,
  ).toBe('bizsys.mail.sso-failover-enabled=true\nbizsys.mail.sso-reap-interval-seconds=30\n');
  expect(ok(ssokit('get', 'bizsys.*.sso-failover-enabled')).stdout).toBe(
    'bizsys.mail.sso-failover-enabled=true\nbizsys.portal.sso-failover-enabled=false\n',
  );
  expect(JSON.parse(ok(ssokit('get', 'node.name', '--json')).stdout)).toEqual({ 'node.name': 'web1' });
  expect(ok(ssokit('get', 'bizsys.mail')).stdout.split('\n')).toHaveLength(10);
});

test('on a node that is not set up, business systems say so', () => {
  const result = runCli('ssokit', ['--home', join(dir.path, 'nowhere'), 'bizsys', 'list']);
  expect([result.status, result.stderr]).toEqual([
    30,
    expect.stringContaining('this node is not part of an SSO system yet'),
  ]);
});
