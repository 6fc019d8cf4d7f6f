// End-to-end: ssomanage, ssoclient and their modern forms against the SDK sample files.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml, xmlFile } from '../helpers/xml.js';

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
const ssoclient = (...args: string[]) => runCli('ssoclient', [...args, '--home', home()]);
const DONE = 'The operation completed successfully.\n';

function ok(result: CliResult): CliResult {
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result;
}

// The tests below run in order, on one system, as an administrator would work.
describe('an administrator working through the SDK samples', () => {
  test('-displaydb shows the global info with its labels', () => {
    const result = ok(ssomanage('-displaydb'));
    expect(result.stdout).toMatch(/^Using SSO server on this computer\n/);
    expect(result.stdout).toMatch(/SSO secret server name\s+: alpha\n/);
    expect(result.stdout).toMatch(/Size of audit table for deleted applications\s+: 1000\n/);
    expect(result.stdout).toMatch(/Ticket timeout \(in minutes\)\s+: 2\n/);
    expect(result.stdout).toMatch(/SSO enabled\s+: Yes\n/);
    expect(JSON.parse(ok(ssokit('db', 'show', '--json')).stdout)).toMatchObject({
      secretServer: 'alpha',
      ticketTimeout: 2,
    });
  });

  test('-updatedb with a value out of range changes nothing and names the line', () => {
    const file = xmlFile(
      dir.path,
      'gi.xml',
      '<SSO>\n  <globalInfo>\n    <ticketTimeout>0</ticketTimeout>\n  </globalInfo>\n</SSO>\n',
    );
    const result = ssomanage('-updatedb', file);
    expect(result.status).toBe(6);
    expect(result.stderr).toContain('gi.xml:3: <ticketTimeout>: "0" is not a whole number from 1 to 525,600');
    const valid = xmlFile(dir.path, 'gi2.xml', '<sso><globalInfo><ticketTimeout>5</ticketTimeout></globalInfo></sso>');
    expect(ok(ssokit('db', 'update', valid, '--dry-run')).stdout).toContain('would change ticketTimeout: 2 -> 5');
    expect(ok(ssomanage('-UpdateDB', valid)).stdout).toBe(
      `Using SSO server on this computer\nchanged ticketTimeout: 2 -> 5\n${DONE}`,
    );
  });

  test('-createapps with every sample', () => {
    expect(ok(ssomanage('-createapps', fixture('xml', 'AffiliateApplication.xml'))).stdout).toBe(
      `Using SSO server on this computer\ncreated Individual application SSOApplication (2 fields)\n${DONE}`,
    );
    ok(ssomanage('-createapps', fixture('xml', 'HostInitiatedApplication.xml')));
    ok(ssokit('app', 'create', fixture('xml', 'HostGroupApplication.xml')));
    ok(
      ssokit(
        'app',
        'create',
        xmlFile(dir.path, 'cs.xml', appXml([{ name: 'OrderSettings', flags: 'configStoreApp="yes"', fields: '' }])),
      ),
    );
    ok(
      ssokit(
        'app',
        'create',
        xmlFile(
          dir.path,
          'local.xml',
          appXml([
            {
              name: 'LocalApp',
              flags: 'allowLocalAccounts="yes" enableApp="yes"',
              extra: `<appUserAccount>${userInfo().username}</appUserAccount><appAdminAccount>admins</appAdminAccount>`,
            },
          ]),
        ),
      ),
    );
    // The whole file again: said plainly (a re-run after a crash must show it had completed).
    const again = ssomanage('-createapps', fixture('xml', 'AffiliateApplication.xml'));
    expect([again.status, again.stderr]).toEqual([
      52,
      expect.stringContaining(
        'every application in AffiliateApplication.xml already exists (1): the file was applied before; nothing was changed',
      ),
    ]);
    const mixed = ssomanage(
      '-createapps',
      xmlFile(dir.path, 'mixed.xml', appXml([{ name: 'Fresh' }, { name: 'SSOApplication' }])),
    );
    expect(mixed.status).toBe(6);
    expect(mixed.stderr).toContain('mixed.xml:12: application "SSOApplication": The application already exists.');
  });

  test('broken files are refused with their lines and an exit status', () => {
    const cases: [string, string][] = [
      ['fields-out-of-order.xml', 'fields-out-of-order.xml:3: field "Password" has ordinal 1'],
      ['doctype.xml', 'doctype.xml:2: a DOCTYPE or ENTITY declaration is not allowed'],
      ['not-well-formed.xml', 'not-well-formed.xml:4: not well-formed XML'],
      ['duplicate-applications.xml', 'duplicate-applications.xml:5: application "twice" is already defined at line 2'],
    ];
    for (const [file, message] of cases) {
      const result = ssomanage('-createapps', fixture('xml', 'broken', file));
      expect([file, result.status]).toEqual([file, 6]);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('-listapps hides config store applications unless all; -displayapp shows one', () => {
    expect(ok(ssomanage('-listapps')).stdout).toBe(
      `Using SSO server on this computer\nExisting applications -\n(E) LocalApp\n(E) SSOApp_Host1\n(E) SSOApp_HostGroupApp1\n(D) SSOApplication\n${DONE}`,
    );
    expect(ok(ssomanage('-listapps', 'all')).stdout).toContain('(D) OrderSettings\n');
    const apps = JSON.parse(ok(ssokit('app', 'list', '--all', '--json')).stdout);
    expect(apps.map((a: { name: string }) => a.name)).toEqual([
      'LocalApp',
      'OrderSettings',
      'SSOApp_Host1',
      'SSOApp_HostGroupApp1',
      'SSOApplication',
    ]);
    const shown = ok(ssomanage('-displayapp', 'ssoapplication')).stdout;
    expect(shown).toMatch(/Application name\s+: SSOApplication\n/);
    expect(shown).toMatch(/Field 1\s+: Password \(masked\)\n/);
    expect(ssomanage('-displayapp', 'Nope').stderr).toContain('ERROR: 0xC0002A04: The application does not exist.');
  });

  test('-createmappings, -listmappings in its three forms, enable and disable', () => {
    ok(ssomanage('-createmappings', fixture('xml', 'UserMapping.xml')));
    const byApp = ok(ssomanage('-listmappings', 'SSOApplication')).stdout;
    expect(byApp).toBe(
      `Using SSO server on this computer\nMappings for application SSOApplication -\n(D) DomainName\\UserA : ExternalUserID that corresponds to UserA\n${DONE}`,
    );
    ok(ssomanage('-enablemapping', 'DomainName\\UserA', 'SSOApplication'));
    expect(ok(ssomanage('-listmappings', 'DomainName\\UserA')).stdout).toContain(
      '(E) SSOApplication : ExternalUserID that corresponds to UserA',
    );
    expect(ok(ssomanage('-listmappings', 'DomainName\\UserA', 'SSOApplication')).stdout).toContain(
      '(E) SSOApplication',
    );
    const again = ssomanage('-createmappings', fixture('xml', 'UserMapping.xml'));
    expect([again.status, again.stderr]).toEqual([
      52,
      expect.stringContaining('every mapping in UserMapping.xml already exists (1): the file was applied before'),
    ]);
  });

  test('-setcredentials without a terminal: values from a file, masked ones never from the command line', () => {
    const fields = join(dir.path, 'fields.json');
    writeFileSync(fields, JSON.stringify({ Password: 'Sup3r-secret' }), { mode: 0o600 });
    const refused = ssomanage(
      '-setcredentials',
      'CORP\\carol',
      'SSOApplication',
      '--field',
      'Password=oops',
      '--external-user',
      'C1',
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('"Password" is masked, so it cannot be given on the command line');
    const noTerminal = ssomanage('-setcredentials', 'CORP\\carol', 'SSOApplication', '--external-user', 'C1');
    expect([noTerminal.status, noTerminal.stderr]).toEqual([
      5,
      expect.stringMatching(/no value for "User ID", "Password" and no terminal/),
    ]);
    ok(
      ssomanage(
        '-setcredentials',
        'CORP\\carol',
        'SSOApplication',
        '--external-user',
        'C1',
        '--field',
        'User ID=C1',
        '--fields-file',
        fields,
      ),
    );
    ok(ssokit('app', 'enable', 'SSOApplication'));
    const hidden = ok(ssokit('credentials', 'get', 'CORP\\carol', 'SSOApplication'));
    expect(hidden.stdout).toMatch(/Password\s+: \*+ \(masked: add --reveal\)/);
    expect(hidden.stdout).not.toContain('Sup3r-secret');
    expect(
      JSON.parse(ok(ssokit('credentials', 'get', 'CORP\\carol', 'SSOApplication', '--reveal', '--json')).stdout)
        .fields[1].value,
    ).toBe('Sup3r-secret');
    const audit =
      ok(ssokit('audit', 'list', '--json')).stdout + ok(ssokit('audit', 'list', '--kind', 'lookups', '--json')).stdout;
    expect(audit).toContain('set-credentials');
    expect(audit).not.toContain('Sup3r-secret');
  });

  test('credentials import: all or nothing, bad lines with their numbers', () => {
    const good = join(dir.path, 'good.jsonl');
    writeFileSync(
      good,
      ['CORP\\dan', 'CORP\\erin']
        .map((u, i) =>
          JSON.stringify({
            user: u,
            app: 'SSOApplication',
            externalUser: `X${i}`,
            fields: { 'User ID': `X${i}`, Password: `p${i}` },
          }),
        )
        .join('\n'),
    );
    expect(ok(ssokit('credentials', 'import', good)).stdout).toContain(
      '2 credential(s) imported; 2 mapping(s) created',
    );
    const bad = join(dir.path, 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify({ user: 'CORP\\fay', app: 'SSOApplication', externalUser: 'F', fields: { 'User ID': 'F', Password: 'p' } })}\n[1,2]\n`,
    );
    const result = ssokit('credentials', 'import', bad);
    expect([result.status, result.stderr]).toEqual([6, expect.stringContaining('bad.jsonl:2: not a JSON object')]);
    expect(ok(ssokit('mapping', 'list', '--app', 'SSOApplication')).stdout).not.toContain('CORP\\fay');
  });

  test('ssoclient acts for the OS user running it', () => {
    const fields = join(dir.path, 'mine.json');
    writeFileSync(fields, JSON.stringify({ 'User ID': 'me-ext', Password: 'mine' }), { mode: 0o600 });
    expect(ok(ssoclient('-listapps')).stdout).toContain(` - LocalApp\n`);
    ok(ssoclient('-setcredentials', 'LocalApp', '--external-user', 'me-ext', '--fields-file', fields));
    expect(ok(ssoclient('-listmappings')).stdout).toContain('(E) LocalApp : me-ext');
    ok(ssoclient('-disablemapping', 'LocalApp'));
    ok(ssoclient('-deletemapping', 'LocalApp'));
    expect(ok(ssoclient('-listmappings')).stdout).not.toContain('LocalApp');
  });

  test('-deletemapping needs the mapping disabled first; -deletemappings from a file', () => {
    const enabled = ssomanage('-deletemapping', 'CORP\\carol', 'SSOApplication');
    expect([enabled.status, enabled.stderr]).toEqual([53, expect.stringContaining('disable it before deleting it')]);
    ok(ssomanage('-disablemapping', 'CORP\\carol', 'SSOApplication'));
    ok(ssomanage('-deletemapping', 'CORP\\carol', 'SSOApplication'));
    ok(ssomanage('-deletemappings', fixture('xml', 'UserMapping.xml')));
    expect(ok(ssokit('audit', 'list', '--kind', 'deleted-mappings', '--json')).stdout).toContain('DomainName\\\\UserA');
  });

  test('config store: set, get, export to a private file, import a BTDF settings file', () => {
    ok(ssokit('config-store', 'import', 'OrderSettings', fixture('xml', 'SampleSettings.xml')));
    const bag = JSON.parse(ok(ssokit('config-store', 'get', 'OrderSettings', '--json')).stdout);
    expect(bag.properties.map((p: { name: string }) => p.name)).toEqual(['ServiceUrl', 'RetryCount', 'ArchiveFolder']);
    ok(ssokit('config-store', 'set', 'OrderSettings', '--property', 'RetryCount=9'));
    const out = join(dir.path, 'settings.json');
    ok(ssokit('config-store', 'export', 'OrderSettings', '--output', out));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    expect(exported.RetryCount).toBe('9');
  });

  test('tickets, disable and enable SSO, purge the cache, delete an application', () => {
    expect(ok(ssomanage('-tickets', 'YES', 'off')).stdout).toBe(`Using SSO server on this computer\n${DONE}`);
    expect(ssomanage('-tickets', 'maybe', 'no').status).toBe(2);
    ok(ssomanage('-disablesso'));
    const lookup = ssokit('credentials', 'get', 'CORP\\dan', 'SSOApplication');
    expect([lookup.status, lookup.stderr]).toEqual([54, expect.stringContaining('the SSO system is disabled')]);
    ok(ssomanage('-enablesso'));
    ok(ssomanage('-purgecache', 'SSOApplication'));
    const refused = ssokit('app', 'delete', 'SSOApplication');
    expect([refused.status, refused.stderr]).toEqual([5, expect.stringContaining('add --yes')]);
    expect(ok(ssokit('app', 'delete', 'SSOApplication', '--yes')).stdout).toContain('deleted with 2 mapping(s)');
    expect(ok(ssokit('audit', 'list', '--kind', 'deleted-apps')).stdout).toContain('SSOApplication');
  });

  test('unsupported and unknown options say so', () => {
    expect(ssomanage('-server', 'OTHER').status).toBe(3);
    expect(ssomanage('-enable', 'winsync').status).toBe(3);
    expect(ok(ssomanage('-enable', 'HISSO')).stdout).toContain(DONE);
    expect(ssomanage('-frobnicate').status).toBe(2);
    expect(ok(ssomanage('-help')).stdout).toMatch(/-createmappings\s+: create mappings for users/);
  });
});
