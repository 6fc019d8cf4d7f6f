// The BizTalk Deployment Framework's layout: one config-store entry
// {56D74464-67EA-464d-A9D4-3EBBA4090010}, property AppConfig, holding a settings document.
// The issue "Real BizTalk files", item 10. docs/formats.md describes the layout.
import { findApp } from '../../src/core/manage/app-model.js';
import { createApplicationsFromFile } from '../../src/core/manage/apps.js';
import {
  BTDF,
  configLayoutOf,
  readBtdfSetting,
  readBtdfSettings,
  readSettingsFile,
  writeBtdfSettings,
} from '../../src/core/manage/btdf-settings.js';
import { getConfig, listConfig, setConfig } from '../../src/core/manage/config-store.js';
import { hasFlag, SSO_FLAG } from '../../src/core/shared/flags.js';
import { parseSettingsText, writeAppConfigXml, writeSettingsXml } from '../../src/xml/config-settings-xml.js';
import { failure } from '../helpers/failure.js';
import { fixture, systemPerTest } from '../helpers/system.js';
import { appXml, xmlFile } from '../helpers/xml.js';

/** The production export, as EnvironmentSettingsExporter writes one (fixtures/xml/btdf/). */
const EXPORT = fixture('xml', 'btdf', 'Exported_ProdSettings.xml');
const EXPORTED = [
  ['FileSendLocation', '\\\\fileserver\\biztalk\\orders\\out'],
  ['ssoAppUserGroup', 'CORP\\BizTalk Application Users'],
  ['ssoAppAdminGroup', 'CORP\\BizTalk Server Administrators'],
  ['BAMViewsAndAccounts', 'OrdersView:CORP\\BizTalk Operators'],
  ['OrdersWebServiceUrl', 'https://orders.example.com/api/v2/submit?mode=sync&retry=3'],
  ['PollingIntervalSeconds', '60'],
  ['ArchiveEnabled', 'true'],
  ['SmtpFrom', '"BizTalk Orders" <orders@example.com>'],
  ['EmptyForProduction', ''],
  ['NestedName.One', 'Foo'],
  ['NestedName.Two', 'Baz'],
].map(([name, value]) => ({ name: name!, value: value! }));

describe('the serialisation, both ways', () => {
  test('a BTDF settings export reads in document order, comments dropped, entities decoded', () => {
    expect(readSettingsFile(EXPORT)).toEqual(EXPORTED);
  });

  test('AppConfig is written as .NET XmlSerializer writes the settings class', () => {
    expect(
      writeAppConfigXml([
        { name: 'FileSendLocation', value: 'c:\\temp\\out' },
        { name: 'Mail', value: '"Ops" <ops@example.com> & co' },
        { name: 'Empty', value: '' },
      ]),
    ).toBe(
      [
        '<?xml version="1.0" encoding="utf-16"?>',
        '<settings xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">',
        '  <property name="FileSendLocation">c:\\temp\\out</property>',
        '  <property name="Mail">"Ops" &lt;ops@example.com&gt; &amp; co</property>',
        '  <property name="Empty" />',
        '</settings>',
      ].join('\n'),
    );
    expect(writeAppConfigXml([])).toBe(
      '<?xml version="1.0" encoding="utf-16"?>\n<settings xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" />',
    );
  });

  test('what ssokit writes reads back the same; so does the export file', () => {
    expect(parseSettingsText(writeAppConfigXml(EXPORTED), 'AppConfig')).toEqual(
      EXPORTED.map((s, i) => ({ line: i + 3, ...s })),
    );
    expect(parseSettingsText(writeSettingsXml(EXPORTED), 'export').map(({ name, value }) => ({ name, value }))).toEqual(
      EXPORTED,
    );
  });

  test('AppConfig as BTDF leaves it reads: CRLF, the UTF-16 declaration, the namespaces, or one line', () => {
    const stored =
      '<?xml version="1.0" encoding="utf-16"?>\r\n<settings xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\r\n' +
      '  <property name="FileSendLocation">c:\\temp\\BizTalkSample_OutDir</property>\r\n  <property name="ProjectPath">C:\\Deploy\\Orders</property>\r\n</settings>';
    expect(parseSettingsText(stored, 'AppConfig').map((s) => [s.name, s.value])).toEqual([
      ['FileSendLocation', 'c:\\temp\\BizTalkSample_OutDir'],
      ['ProjectPath', 'C:\\Deploy\\Orders'],
    ]);
    const compact =
      '<settings><property name="FileSendLocation">c:\\temp\\BizTalkSample</property><property name="ssoAppUserGroup">BizTalk Application Users</property></settings>';
    expect(parseSettingsText(compact, 'AppConfig').map((s) => s.name)).toEqual(['FileSendLocation', 'ssoAppUserGroup']);
  });
});

describe('the layout in the store', () => {
  const t = systemPerTest();
  const ACCOUNTS = { userAccounts: BTDF.userAccounts, adminAccounts: BTDF.adminAccounts };

  test('import with create makes the application as BTDF does and stores ONE entry holding AppConfig', async () => {
    const result = await writeBtdfSettings(t.sys.ctx, 'Orders.Deploy', readSettingsFile(EXPORT), { create: ACCOUNTS });
    expect(result).toEqual({
      app: 'Orders.Deploy',
      identifier: BTDF.identifier,
      appCreated: true,
      settings: EXPORTED.map((s) => s.name),
      added: EXPORTED.length,
      changed: 0,
      total: EXPORTED.length,
    });
    const app = (await findApp(t.sys.ctx.store, 'orders.deploy'))!;
    expect(app).toMatchObject({
      type: 'config-store',
      description: 'Orders.Deploy Configuration Data',
      contact: 'someone@microsoft.com',
      userAccounts: 'BizTalk Application Users',
      adminAccounts: 'BizTalk Server Administrators',
      fields: [
        { ordinal: 0, label: 'someone@microsoft.com', masked: false },
        { ordinal: 1, label: 'AppConfig', masked: false },
      ],
    });
    expect(app.flags).toBe(
      SSO_FLAG.APP_CONFIG_STORE | SSO_FLAG.APP_ALLOW_LOCAL | SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL | SSO_FLAG.ENABLED,
    );
    expect((await listConfig(t.sys.ctx, 'Orders.Deploy')).identifiers.map((i) => i.identifier)).toEqual([
      '{56D74464-67EA-464d-A9D4-3EBBA4090010}',
    ]);
    const raw = await getConfig(t.sys.ctx, 'Orders.Deploy', BTDF.identifier, { runtime: false });
    expect(raw.properties).toEqual([{ name: 'AppConfig', masked: false, value: writeAppConfigXml(EXPORTED) }]);
    expect((await readBtdfSettings(t.sys.ctx, 'Orders.Deploy', { runtime: false })).settings).toEqual(EXPORTED);
    expect(await configLayoutOf(t.sys.ctx, 'ORDERS.DEPLOY')).toEqual({ app: 'Orders.Deploy', layout: 'btdf' });
  });

  test("one setting read, changed and added (BTDF's WriteSetting); the rest kept; --replace keeps only the new", async () => {
    await writeBtdfSettings(t.sys.ctx, 'Orders', readSettingsFile(EXPORT), { create: ACCOUNTS });
    expect((await readBtdfSetting(t.sys.ctx, 'Orders', 'filesendlocation', { runtime: false })).value).toBe(
      '\\\\fileserver\\biztalk\\orders\\out',
    );
    const changed = await writeBtdfSettings(t.sys.ctx, 'Orders', [
      { name: 'fileSendLocation', value: 'D:\\out' },
      { name: 'ProjectPath', value: 'C:\\Deploy\\Orders' },
    ]);
    expect(changed).toMatchObject({ appCreated: false, added: 1, changed: 1, total: EXPORTED.length + 1 });
    expect(changed.settings).toEqual(['FileSendLocation', 'ProjectPath']); // an existing name keeps its spelling
    const after = (await readBtdfSettings(t.sys.ctx, 'Orders', { runtime: false })).settings;
    expect(after[0]).toEqual({ name: 'FileSendLocation', value: 'D:\\out' });
    expect(after.at(-1)).toEqual({ name: 'ProjectPath', value: 'C:\\Deploy\\Orders' });
    expect(after.slice(1, -1)).toEqual(EXPORTED.slice(1));
    await writeBtdfSettings(t.sys.ctx, 'Orders', [{ name: 'Only', value: '1' }], { replace: true });
    expect((await readBtdfSettings(t.sys.ctx, 'Orders', { runtime: false })).settings).toEqual([
      { name: 'Only', value: '1' },
    ]);
    expect((await failure(readBtdfSetting(t.sys.ctx, 'Orders', 'Nope', { runtime: false }))).message).toBe(
      '"Orders" has no setting "Nope"',
    );
  });

  test('an application in that shape made by -createapps is found to be in the BTDF layout, and imports into it', async () => {
    const fields =
      '<field ordinal="0" label="someone@microsoft.com" masked="no" />\n<field ordinal="1" label="AppConfig" masked="no" />';
    await createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'btdf.xml', appXml([{ name: 'BtdfCreated', flags: 'configStoreApp="yes"', fields }])),
    );
    expect(await configLayoutOf(t.sys.ctx, 'BtdfCreated')).toEqual({ app: 'BtdfCreated', layout: 'btdf' });
    // What ssokit did before: each setting as a property of ConfigProperties.
    const asBag = await failure(setConfig(t.sys.ctx, 'BtdfCreated', 'ConfigProperties', { FileSendLocation: 'x' }));
    expect(asBag.message).toBe('"BtdfCreated" has no property "FileSendLocation"');
    expect(String(asBag.hint)).toContain('--setting NAME=VALUE');
    await writeBtdfSettings(t.sys.ctx, 'BtdfCreated', readSettingsFile(EXPORT));
    expect((await readBtdfSetting(t.sys.ctx, 'BtdfCreated', 'PollingIntervalSeconds', { runtime: false })).value).toBe(
      '60',
    );
  });

  test('a fieldless config store application takes the layout and is then found in it', async () => {
    await createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'free.xml', appXml([{ name: 'Free', flags: 'configStoreApp="yes"', fields: '' }])),
    );
    expect(await configLayoutOf(t.sys.ctx, 'Free')).toEqual({ app: 'Free', layout: 'bag' });
    await writeBtdfSettings(t.sys.ctx, 'Free', [{ name: 'A', value: '1' }]);
    expect(await configLayoutOf(t.sys.ctx, 'Free')).toEqual({ app: 'Free', layout: 'btdf' });
  });

  test('refused: a missing application without create (NOT_FOUND, exit 51), an application of other fields, bad accounts', async () => {
    const missing = await failure(writeBtdfSettings(t.sys.ctx, 'Nowhere', [{ name: 'A', value: '1' }]));
    expect(missing.code).toBe('NOT_FOUND');
    expect(String(missing.hint)).toContain('--create');
    await createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(
        t.dir.path,
        'orders.xml',
        appXml([
          { name: 'Props', flags: 'configStoreApp="yes"', fields: '<field ordinal="0" label="Url" masked="no" />' },
        ]),
      ),
    );
    expect((await failure(writeBtdfSettings(t.sys.ctx, 'Props', [{ name: 'A', value: '1' }]))).message).toBe(
      '"Props" has no AppConfig property, so it keeps no BTDF settings',
    );
    const bad = await failure(
      writeBtdfSettings(t.sys.ctx, 'Fresh', [{ name: 'A', value: '1' }], {
        create: { userAccounts: 'Everyone', adminAccounts: BTDF.adminAccounts },
      }),
    );
    expect(bad.code).toBe('INVALID_INPUT');
    expect(await findApp(t.sys.ctx.store, 'Fresh')).toBeNull();
    expect(
      (
        await failure(
          writeBtdfSettings(t.sys.ctx, 'Props', [
            { name: 'a', value: '1' },
            { name: 'A', value: '2' },
          ]),
        )
      ).message,
    ).toBe('setting "A" is given twice');
  });

  test('a settings document that does not parse leaves the application as it was', async () => {
    await writeBtdfSettings(t.sys.ctx, 'Orders', [{ name: 'A', value: '1' }], { create: ACCOUNTS });
    // Someone wrote a broken AppConfig through the raw bag.
    await setConfig(t.sys.ctx, 'Orders', BTDF.identifier, { AppConfig: '<settings><property name="A">1</settings>' });
    const error = await failure(writeBtdfSettings(t.sys.ctx, 'Orders', [{ name: 'B', value: '2' }]));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details[0]).toMatch(/^Orders\/AppConfig:1: not well-formed XML: Expected closing tag 'property'/);
    const raw = await getConfig(t.sys.ctx, 'Orders', BTDF.identifier, { runtime: false });
    expect(raw.properties[0]!.value).toBe('<settings><property name="A">1</settings>');
    expect(hasFlag((await findApp(t.sys.ctx.store, 'Orders'))!.flags, SSO_FLAG.ENABLED)).toBe(true);
  });
});
