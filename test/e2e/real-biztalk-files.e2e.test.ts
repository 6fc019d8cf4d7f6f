// End-to-end, the issue "Real BizTalk files": host-initiated applications show (and get)
// password validation; a pasted pseudo-comment is refused at its line and column; a BizTalk
// Deployment Framework settings export is imported with --create into a fresh system, one
// setting is read back and changed, and the settings are exported again.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';
import { xmlFile } from '../helpers/xml.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir.path, 'pw'), 'correct-horse-1\n');
  const init = ssokit('--node-name', 'alpha', 'init', '--password-file', join(dir.path, 'pw'), '--reminder', 'r');
  if (init.status !== 0) throw new Error(init.stderr);
});
afterAll(() => dir.cleanup());

const home = () => join(dir.path, 'alpha');
const ssokit = (...args: string[]) => runCli('ssokit', ['--home', home(), ...args]);
const ssomanage = (...args: string[]) => runCli('ssomanage', [...args, '--home', home()]);
const EXPORT = fixture('xml', 'btdf', 'Exported_ProdSettings.xml');
const BTDF_ID = '{56D74464-67EA-464d-A9D4-3EBBA4090010}';

function ok(result: CliResult): CliResult {
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe('host-initiated applications validate passwords, and the display says so', () => {
  test('-displayapp, app show and app show --json', () => {
    ok(ssomanage('-createapps', fixture('xml', 'HostGroupApplication.xml')));
    ok(ssomanage('-createapps', fixture('xml', 'AffiliateApplication.xml')));
    expect(ok(ssomanage('-displayapp', 'SSOApp_HostGroupApp1')).stdout).toMatch(/\nValidate password\s+: Yes\n/);
    expect(ok(ssokit('app', 'show', 'SSOApp_HostGroupApp1')).stdout).toMatch(/\nValidate password\s+: Yes\n/);
    expect(ok(ssokit('app', 'show', 'SSOApplication')).stdout).toMatch(/\nValidate password\s+: No\n/);
    const shown = JSON.parse(ok(ssokit('app', 'show', 'SSOApp_HostGroupApp1', '--json')).stdout);
    expect(shown.flags & 0x10).toBe(0x10); // SSO_FLAG_SSO_VERIFY_EXTERNAL_CREDS
  });
});

describe('a pasted pseudo-comment', () => {
  test('is refused at its line and column with the way a comment is written; nothing is created', () => {
    const result = ssomanage('-createapps', fixture('xml', 'broken', 'pseudo-comment.xml'));
    expect(result.status).toBe(6);
    expect(result.stderr).toContain(
      'pseudo-comment.xml:7: not well-formed XML: "‹!" is not the start of a comment: "‹" (U+2039) only looks like "<"',
    );
    expect(result.stderr).toContain('a comment is written <!-- … -->');
    expect(result.stderr).toContain('(line 7, column 3)');
    const half = ssokit('app', 'create', fixture('xml', 'broken', 'pseudo-comment-end.xml'));
    expect([half.status, half.stderr]).toEqual([
      6,
      expect.stringContaining('pseudo-comment-end.xml:7: not well-formed XML'),
    ]);
    expect(half.stderr).not.toContain('Invalid');
    expect(ok(ssokit('app', 'list', '--json')).stdout).not.toContain('PastedFromTheDocs');
  });
});

describe("the BizTalk Deployment Framework's layout", () => {
  test('a missing application is NOT_FOUND (exit 51) with the remedy; --create makes it and imports', () => {
    const missing = ssokit('config-store', 'import', 'Orders.Deploy', EXPORT);
    expect(missing.status).toBe(51);
    expect(missing.stderr).toContain('add --create');
    const created = ok(ssokit('config-store', 'import', 'Orders.Deploy', EXPORT, '--create'));
    expect(created.stdout).toContain('created application Orders.Deploy');
    expect(created.stdout).toContain('11 setting(s) added, 0 changed (11 in all)');
    const app = JSON.parse(ok(ssokit('app', 'show', 'Orders.Deploy', '--json')).stdout);
    expect(app).toMatchObject({
      type: 'config-store',
      description: 'Orders.Deploy Configuration Data',
      contact: 'someone@microsoft.com',
      userAccounts: 'BizTalk Application Users',
      adminAccounts: 'BizTalk Server Administrators',
      flags: 0x100000 | 0x40000 | 0x4 | 0x2,
      fields: [
        { ordinal: 0, label: 'someone@microsoft.com', masked: false },
        { ordinal: 1, label: 'AppConfig', masked: false },
      ],
    });
    expect(JSON.parse(ok(ssokit('config-store', 'list', 'Orders.Deploy', '--json')).stdout).identifiers).toEqual([
      { identifier: BTDF_ID, updatedAt: expect.any(String) },
    ]);
    // the raw entry: one property, the settings document
    const raw = JSON.parse(ok(ssokit('config-store', 'get', 'Orders.Deploy', BTDF_ID, '--json')).stdout);
    expect(raw.properties.map((p: { name: string }) => p.name)).toEqual(['AppConfig']);
    expect(raw.properties[0].value).toMatch(/^<\?xml version="1\.0" encoding="utf-16"\?>\n<settings xmlns:xsi=/);
  });

  test('one setting read back, changed, and the settings exported again', () => {
    expect(ok(ssokit('config-store', 'get', 'Orders.Deploy', '--setting', 'FileSendLocation')).stdout).toBe(
      '\\\\fileserver\\biztalk\\orders\\out\n',
    );
    expect(ok(ssokit('config-store', 'get', 'Orders.Deploy')).stdout).toMatch(/PollingIntervalSeconds\s+: 60\n/);
    const changed = ok(
      ssokit(
        'config-store',
        'set',
        'Orders.Deploy',
        '--setting',
        'PollingIntervalSeconds=15',
        '--setting',
        'ProjectPath=C:\\Deploy',
      ),
    );
    expect(changed.stdout).toContain('1 setting(s) added, 1 changed (12 in all): PollingIntervalSeconds, ProjectPath');
    expect(
      JSON.parse(
        ok(ssokit('config-store', 'get', 'Orders.Deploy', '--setting', 'pollingintervalseconds', '--json')).stdout,
      ),
    ).toEqual({ app: 'Orders.Deploy', identifier: BTDF_ID, name: 'PollingIntervalSeconds', value: '15' });

    const out = join(dir.path, 'Exported_Again.xml');
    ok(ssokit('config-store', 'export', 'Orders.Deploy', '--output', out));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const again = readFileSync(out, 'utf8');
    expect(again).toContain('<property name="PollingIntervalSeconds">15</property>');
    expect(again).toContain('<property name="ProjectPath">C:\\Deploy</property>');
    expect(again).toContain(
      '<property name="SmtpFrom">&quot;BizTalk Orders&quot; &lt;orders@example.com&gt;</property>',
    );
    // the export is a settings file again: it imports into another application, unchanged
    ok(ssokit('config-store', 'import', 'Orders.Copy', out, '--create', '--user-accounts', 'CORP\\BizUsers'));
    expect(ok(ssokit('config-store', 'export', 'Orders.Copy', '--btdf', '--format', 'json')).stdout).toBe(
      ok(ssokit('config-store', 'export', 'Orders.Deploy', '--format', 'json')).stdout,
    );
    expect(JSON.parse(ok(ssokit('app', 'show', 'Orders.Copy', '--json')).stdout).userAccounts).toBe('CORP\\BizUsers');
  });

  test('an application of that shape made from AffiliateApplication XML imports without --btdf', () => {
    const shaped = xmlFile(
      dir.path,
      'btdf-app.xml',
      `<SSO><application name="BtdfCreated"><description>d</description><contact>someone@microsoft.com</contact>
        <appUserAccount>CORP\\BizUsers</appUserAccount><appAdminAccount>CORP\\BizAdmins</appAdminAccount>
        <field ordinal="0" label="someone@microsoft.com" masked="no" /><field ordinal="1" label="AppConfig" masked="no" />
        <flags configStoreApp="yes" enableApp="yes" /></application></SSO>`,
    );
    ok(ssokit('app', 'create', shaped));
    ok(ssokit('config-store', 'import', 'BtdfCreated', EXPORT));
    expect(ok(ssokit('config-store', 'get', 'BtdfCreated', '--setting', 'NestedName.Two')).stdout).toBe('Baz\n');
    const wrong = ssokit('config-store', 'set', 'BtdfCreated', '--property', 'FileSendLocation=x');
    expect(wrong.status).toBe(6);
    expect(wrong.stderr).toContain('give one with --setting NAME=VALUE');
    expect(ssokit('config-store', 'import', 'BtdfCreated', EXPORT, '--btdf', '--identifier', 'X').status).toBe(2);
  });
});
