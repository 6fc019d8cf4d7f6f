import { join } from 'node:path';
import { SsoError } from '../../src/errors.js';
import { readApplicationsXml } from '../../src/xml/applications-xml.js';
import { readSettingsXml, writeSettingsXml } from '../../src/xml/config-settings-xml.js';
import { readGlobalInfoXml } from '../../src/xml/global-info-xml.js';
import { readMappingsXml } from '../../src/xml/mappings-xml.js';
import { parseXml, readXmlFile } from '../../src/xml/xml-document.js';
import { REPO_ROOT } from '../helpers/cli.js';

const sample = (name: string) => readXmlFile(join(REPO_ROOT, 'fixtures/xml', name));
const broken = (name: string) => readXmlFile(join(REPO_ROOT, 'fixtures/xml/broken', name));

function problemsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SsoError);
    expect((error as SsoError).code).toBe('INVALID_INPUT');
    return (error as SsoError).details;
  }
  throw new Error('expected the input to be refused');
}

describe('SDK samples', () => {
  test('GlobalInfo.xml', () => {
    const info = readGlobalInfoXml(sample('GlobalInfo.xml'));
    expect(info.values.secretServer).toEqual({ text: 'ComputerA', line: 4 });
    expect(info.values.ssoAdminAccount?.text).toBe('DomainName\\SSO Administrator Group');
    expect(Object.keys(info.values)).toHaveLength(8);
  });

  test('the one-element secretServer file, root <sso>', () => {
    expect(readGlobalInfoXml(sample('SecretServer.xml')).values).toEqual({
      secretServer: { text: 'NewMSSServer', line: 3 },
    });
  });

  test('the Sysprep file nests <globalInfo> under <UpdateConfiguration><sso>', () => {
    expect(readGlobalInfoXml(sample('UpdateInfo.xml')).values.secretServer?.text).toBe('SYSPREPPED');
  });

  test('AffiliateApplication.xml', () => {
    const [app] = readApplicationsXml(sample('AffiliateApplication.xml'));
    expect(app).toEqual({
      line: 3,
      name: 'SSOApplication',
      description: 'An SSO Application',
      contact: 'someone@companyname.com',
      appUserAccount: 'DomainName\\AppUserGroup',
      appAdminAccount: 'DomainName\\AppAdminGroup',
      fields: [
        { line: 8, ordinal: 0, label: 'User ID', masked: false },
        { line: 9, ordinal: 1, label: 'Password', masked: true },
      ],
      flags: {
        groupApp: false,
        configStoreApp: false,
        allowTickets: false,
        validateTickets: true,
        allowLocalAccounts: false,
        timeoutTickets: true,
        adminAccountSame: false,
        enableApp: false,
      },
    });
  });

  test('host-initiated variants', () => {
    expect(readApplicationsXml(sample('HostInitiatedApplication.xml'))[0]!.flags).toEqual({
      windowsInitiatedSSO: false,
      enableApp: true,
    });
    const [group] = readApplicationsXml(sample('HostGroupApplication.xml'));
    expect(group!.windowsAccount).toBe('DomainName\\WindowsUserAccount1');
    expect(group!.appUserAccount).toBeUndefined();
  });

  test('UserMapping.xml', () => {
    expect(readMappingsXml(sample('UserMapping.xml'))).toEqual([
      {
        line: 3,
        windowsDomain: 'DomainName',
        windowsUserId: 'UserA',
        externalApplication: 'SSOApplication',
        externalUserId: 'ExternalUserID that corresponds to UserA',
      },
    ]);
  });

  test('documented aliases are accepted', () => {
    const doc = parseXml(
      Buffer.from(`<sso><application name="A"><userGroup>G</userGroup><appAdminGroup>H</appAdminGroup>
        <field ordinal="0" label="User ID" masked="No"/><flags allowLocalGroups="YES" adminGroupSame="no" ticketTimeout="yes"/></application></sso>`),
      'aliases.xml',
    );
    const [app] = readApplicationsXml(doc);
    expect(app).toMatchObject({
      appUserAccount: 'G',
      appAdminAccount: 'H',
      flags: { allowLocalAccounts: true, adminAccountSame: false, timeoutTickets: true },
    });
  });

  test('BTDF settings file, read and written back', () => {
    const settings = readSettingsXml(sample('SampleSettings.xml'));
    expect(settings.map((s) => [s.name, s.value])).toEqual([
      ['ServiceUrl', 'https://orders.example.com/api'],
      ['RetryCount', '5'],
      ['ArchiveFolder', '\\\\fileserver\\archive\\orders'],
    ]);
    const written = writeSettingsXml([{ name: 'a<b', value: 'x & "y"' }]);
    expect(readSettingsXml(parseXml(Buffer.from(written), 'w.xml'))).toEqual([
      { line: 3, name: 'a<b', value: 'x & "y"' },
    ]);
  });
});

describe('broken files are refused with every problem and its line', () => {
  test('the <globalnfo> typo from the docs', () => {
    expect(problemsOf(() => readGlobalInfoXml(broken('globalnfo-typo.xml')))).toEqual([
      'globalnfo-typo.xml:2: found <globalnfo>: the element is <globalInfo>',
    ]);
  });

  test('COM API names point to the file names', () => {
    expect(problemsOf(() => readGlobalInfoXml(broken('global-info-com-names.xml')))).toEqual([
      'global-info-com-names.xml:3: unknown element <auditAppDeleteMax>: the file calls it <auditDeletedApps>',
    ]);
  });

  test('not well-formed', () => {
    expect(problemsOf(() => broken('not-well-formed.xml'))[0]).toMatch(
      /^not-well-formed\.xml:4: not well-formed XML: Expected closing tag 'description'/,
    );
  });

  test('fields out of ordinal order', () => {
    expect(problemsOf(() => readApplicationsXml(broken('fields-out-of-order.xml')))).toEqual([
      'fields-out-of-order.xml:3: field "Password" has ordinal 1 but is field number 0 in the file: list fields in ordinal order from 0',
      'fields-out-of-order.xml:4: field "User ID" has ordinal 0 but is field number 1 in the file: list fields in ordinal order from 0',
    ]);
  });

  test('duplicate applications (names are case-insensitive)', () => {
    expect(problemsOf(() => readApplicationsXml(broken('duplicate-applications.xml')))).toEqual([
      'duplicate-applications.xml:5: application "twice" is already defined at line 2',
    ]);
  });

  test('bad flags, unknown flag, unknown element', () => {
    expect(problemsOf(() => readApplicationsXml(broken('bad-flags.xml')))).toEqual([
      'bad-flags.xml:3: masked="maybe" should be yes or no',
      'bad-flags.xml:4: flag groupApp="perhaps" should be yes or no',
      'bad-flags.xml:4: unknown flag colourApp',
      'bad-flags.xml:5: unknown element <owner> in application "BadFlags"',
    ]);
  });

  test('mapping missing parts', () => {
    expect(problemsOf(() => readMappingsXml(broken('mapping-missing-parts.xml')))).toEqual([
      'mapping-missing-parts.xml:2: <mapping> needs <windowsUserId>',
      'mapping-missing-parts.xml:2: <mapping> needs <externalUserId>',
    ]);
  });
});

describe('hostile input', () => {
  test('DOCTYPE and entity declarations are refused before parsing', () => {
    expect(problemsOf(() => broken('doctype.xml'))).toEqual([
      'doctype.xml:2: a DOCTYPE or ENTITY declaration is not allowed (no entities are expanded or fetched)',
    ]);
    const laughs =
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<lolz>&lol2;</lolz>';
    expect(problemsOf(() => parseXml(Buffer.from(laughs), 'laughs.xml'))[0]).toMatch(
      /DOCTYPE or ENTITY declaration is not allowed/,
    );
    const external = '<?xml version="1.0"?>\n<!DOCTYPE SSO SYSTEM "http://example.invalid/x.dtd">\n<SSO/>';
    expect(problemsOf(() => parseXml(Buffer.from(external), 'ext.xml'))[0]).toMatch(/ext\.xml:2: a DOCTYPE/);
  });

  test('an undefined entity reference is refused; the five XML entities and character references are decoded', () => {
    expect(problemsOf(() => parseXml(Buffer.from('<SSO>\n<x>&nbsp;</x></SSO>'), 'e.xml'))).toEqual([
      'e.xml:2: undefined entity reference "&nbsp;"',
    ]);
    const doc = parseXml(Buffer.from('<SSO a="&quot;q&apos;"><x>&lt;&amp;&gt;&#65;&#x42;</x></SSO>'), 'ok.xml');
    expect(doc.root.attrs.a).toBe('"q\'');
    expect(doc.root.children[0]!.text).toBe('<&>AB');
  });

  test('10,000-deep nesting is refused', () => {
    const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
    expect(problemsOf(() => parseXml(Buffer.from(deep), 'deep.xml'))[0]).toMatch(/nest at most 32 deep/);
  });

  test('invalid UTF-8 is refused with its line; UTF-16 with a BOM is read', () => {
    const bad = Buffer.concat([
      Buffer.from('<SSO>\n<x>ok</x>\n<y>'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('</y></SSO>'),
    ]);
    expect(problemsOf(() => parseXml(bad, 'bad.xml'))).toEqual(['bad.xml:3: the file is not valid UTF-8 text']);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<sso><globalInfo><secretServer>Ünï</secretServer></globalInfo></sso>', 'utf16le'),
    ]);
    expect(readGlobalInfoXml(parseXml(utf16, 'u16.xml')).values.secretServer?.text).toBe('Ünï');
  });

  test('an oversized file is refused before it is read', () => {
    expect(() => readXmlFile(join(REPO_ROOT, 'fixtures/xml/GlobalInfo.xml'), 100)).toThrow(/limited to/);
  });
});
