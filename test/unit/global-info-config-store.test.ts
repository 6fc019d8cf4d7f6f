import { join } from 'node:path';
import { createApplicationsFromFile } from '../../src/core/manage/apps.js';
import { deleteConfig, getConfig, listConfig, setConfig } from '../../src/core/manage/config-store.js';
import {
  displayGlobalInfo,
  setSsoEnabled,
  setTickets,
  updateGlobalInfoFromFile,
} from '../../src/core/manage/database.js';
import { planRestore } from '../../src/core/secret/restore.js';
import { hasFlag, SSO_FLAG } from '../../src/core/shared/flags.js';
import { readGlobalInfo } from '../../src/core/shared/global-info.js';
import { joinStore } from '../../src/core/system/join.js';
import { homePaths } from '../../src/node/home.js';
import { failure } from '../helpers/failure.js';
import { fastDeps } from '../helpers/fast-deps.js';
import { asCaller, fixture, reopen, systemPerTest } from '../helpers/system.js';
import { appXml, xmlFile } from '../helpers/xml.js';

const t = systemPerTest();

const globalInfo = (body: string) =>
  xmlFile(t.dir.path, 'gi.xml', `<SSO>\n<globalInfo>\n${body}\n</globalInfo>\n</SSO>\n`);

describe('-updatedb', () => {
  test('applies values; --dry-run shows them and changes nothing', async () => {
    const file = globalInfo(
      '<ticketTimeout>15</ticketTimeout>\n<auditDeletedApps>50</auditDeletedApps>\n<credCacheTimeout>60</credCacheTimeout>',
    );
    const dry = await updateGlobalInfoFromFile(t.sys.ctx, file, true);
    expect(dry.changes).toEqual([
      { element: 'ticketTimeout', from: '2', to: '15' },
      { element: 'auditDeletedApps', from: '1000', to: '50' },
    ]);
    expect((await readGlobalInfo(t.sys.ctx.store)).ticketTimeout).toBe(2);
    await updateGlobalInfoFromFile(t.sys.ctx, file);
    expect(await readGlobalInfo(t.sys.ctx.store)).toMatchObject({
      ticketTimeout: 15,
      auditDeletedApps: 50,
      credCacheTimeout: 60,
    });
  });

  test('validates everything first and reports each problem with its line', async () => {
    const file = globalInfo(
      '<ticketTimeout>0</ticketTimeout>\n<auditDeletedMappings>-3</auditDeletedMappings>\n<credCacheTimeout>sixty</credCacheTimeout>\n<secretServer>bad name</secretServer>\n<ticketTimeout>5</ticketTimeout>',
    );
    expect((await failure(updateGlobalInfoFromFile(t.sys.ctx, file))).details).toEqual([
      'gi.xml:7: <ticketTimeout> is given twice',
    ]);
    const file2 = globalInfo(
      '<ticketTimeout>525601</ticketTimeout>\n<auditDeletedMappings>-3</auditDeletedMappings>\n<credCacheTimeout>sixty</credCacheTimeout>\n<secretServer>bad name</secretServer>\n<ssoAffiliateAdminAccount></ssoAffiliateAdminAccount>',
    );
    const error = await failure(updateGlobalInfoFromFile(t.sys.ctx, file2));
    expect(error.details).toEqual([
      'gi.xml:3: <ticketTimeout>: "525601" is not a whole number from 1 to 525,600',
      'gi.xml:4: <auditDeletedMappings>: "-3" is not a whole number from 1 to 2,147,483,647',
      'gi.xml:5: <credCacheTimeout>: "sixty" is not a whole number from 1 to 525,600',
      expect.stringMatching(/^gi\.xml:6: <secretServer>: the secret server name "bad name" is not a valid host name/),
      'gi.xml:7: <ssoAffiliateAdminAccount>: the account list is empty',
    ]);
    expect((await readGlobalInfo(t.sys.ctx.store)).ticketTimeout).toBe(2);
  });

  test('admin accounts change only with SSO disabled, and never so as to lock the caller out', async () => {
    const me = t.sys.ctx.caller.user;
    const file = globalInfo(`<ssoAdminAccount>${me};ssoadmins</ssoAdminAccount>`);
    const enabled = await failure(updateGlobalInfoFromFile(t.sys.ctx, file));
    expect(enabled.details).toEqual([
      'gi.xml:3: <ssoAdminAccount>: Enterprise Single Sign-On must be disabled before performing this function. (ssomanage -disablesso)',
    ]);
    await setSsoEnabled(t.sys.ctx, false);
    await updateGlobalInfoFromFile(t.sys.ctx, file);
    expect((await readGlobalInfo(t.sys.ctx.store)).ssoAdminAccount).toBe(`${me};ssoadmins`);
    const lockout = await failure(
      updateGlobalInfoFromFile(t.sys.ctx, globalInfo('<ssoAdminAccount>someone-else</ssoAdminAccount>')),
    );
    expect(lockout.details[0]).toMatch(/not a member of "someone-else", so the change would lock you out/);
  });

  test('the SDK sample on this system names accounts the caller is not in: refused, naming why', async () => {
    await setSsoEnabled(t.sys.ctx, false);
    const error = await failure(updateGlobalInfoFromFile(t.sys.ctx, fixture('xml', 'GlobalInfo.xml')));
    expect(error.details).toEqual([
      expect.stringMatching(
        /^GlobalInfo\.xml:5: <ssoAdminAccount>: you \('.*'\) are not a member of "DomainName\\SSO Administrator Group"/,
      ),
    ]);
  });

  test('from a node that is not the master secret server only <secretServer> may change; that moves the role', async () => {
    const betaPaths = homePaths(join(t.dir.path, 'beta'));
    await joinStore({
      paths: betaPaths,
      deps: fastDeps(),
      caller: t.sys.ctx.caller,
      storePath: t.sys.ctx.node.store,
      nodeName: 'beta',
      defaultNodeName: 'beta',
      clusterNames: undefined,
      domain: undefined,
    });
    const beta = await reopen(betaPaths);
    const both = await failure(
      updateGlobalInfoFromFile(beta, globalInfo('<secretServer>beta</secretServer>\n<ticketTimeout>9</ticketTimeout>')),
    );
    expect(both.details).toEqual([
      "gi.xml:4: <ticketTimeout> can only be changed on the master secret server 'alpha': from this node the file may carry only <secretServer>",
    ]);
    await expect(planRestore(beta, t.sys.backupPath, false)).rejects.toMatchObject({ code: 'NOT_SECRET_SERVER' });
    const moved = await updateGlobalInfoFromFile(beta, fixture('xml', 'SecretServer.xml'));
    expect(moved).toMatchObject({ secretServer: 'NewMSSServer', isSecretServer: false });
    await updateGlobalInfoFromFile(
      beta,
      xmlFile(t.dir.path, 'move.xml', '<sso><globalInfo><secretServer>BETA</secretServer></globalInfo></sso>'),
    );
    expect((await planRestore(beta, t.sys.backupPath, false)).match).toBe('current');
    await beta.store.close();
  });

  test('SSO administrators only; display, enable/disable and tickets', async () => {
    await expect(displayGlobalInfo(asCaller(t.sys.ctx, 'eve'))).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(
      updateGlobalInfoFromFile(asCaller(t.sys.ctx, 'eve'), fixture('xml', 'SecretServer.xml')),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await setTickets(t.sys.ctx, true, false);
    const info = await displayGlobalInfo(t.sys.ctx);
    expect(hasFlag(info.flags, SSO_FLAG.ALLOW_TICKETS)).toBe(true);
    expect(hasFlag(info.flags, SSO_FLAG.VALIDATE_TICKETS)).toBe(false);
    expect(info.store).toBe(t.sys.ctx.node.store);
  });
});

describe('config store', () => {
  beforeEach(async () => {
    await createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(
        t.dir.path,
        'apps.xml',
        appXml([
          {
            name: 'Orders',
            flags: 'configStoreApp="yes"',
            fields: '<field ordinal="0" label="Url" masked="no" />\n<field ordinal="1" label="ApiKey" masked="yes" />',
          },
          { name: 'Free', flags: 'configStoreApp="yes"', fields: '' },
          { name: 'Payroll' },
        ]),
      ),
    );
  });

  test('set, get (masked hidden unless runtime), update keeps the rest, list, delete', async () => {
    await setConfig(t.sys.ctx, 'orders', 'ConfigProperties', { url: 'https://a', ApiKey: 'k-1' });
    expect((await getConfig(t.sys.ctx, 'Orders', 'configproperties', { runtime: false })).properties).toEqual([
      { name: 'Url', masked: false, value: 'https://a' },
      { name: 'ApiKey', masked: true, value: null },
    ]);
    await setConfig(t.sys.ctx, 'Orders', 'ConfigProperties', { Url: 'https://b' });
    expect(
      (await getConfig(t.sys.ctx, 'Orders', 'ConfigProperties', { runtime: true })).properties.map((p) => p.value),
    ).toEqual(['https://b', 'k-1']);
    await setConfig(t.sys.ctx, 'Orders', '{56D74464-67EA-464d-A9D4-3EBBA4090010}', { Url: 'u', ApiKey: 'k' });
    expect((await listConfig(t.sys.ctx, 'Orders')).identifiers.map((i) => i.identifier)).toEqual([
      'ConfigProperties',
      '{56D74464-67EA-464d-A9D4-3EBBA4090010}',
    ]);
    await deleteConfig(t.sys.ctx, 'Orders', 'configproperties');
    await expect(getConfig(t.sys.ctx, 'Orders', 'ConfigProperties', { runtime: false })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  test("fields are the application's properties: the first set gives them all, unknown names are refused", async () => {
    expect((await failure(setConfig(t.sys.ctx, 'Orders', 'ConfigProperties', { Url: 'x' }))).message).toMatch(
      /must set every property; missing "ApiKey"/,
    );
    expect((await failure(setConfig(t.sys.ctx, 'Orders', 'ConfigProperties', { Colour: 'x' }))).message).toBe(
      '"Orders" has no property "Colour"',
    );
    await setConfig(t.sys.ctx, 'Free', 'ConfigProperties', { anything: '1', else: '2' });
    expect(
      (await getConfig(t.sys.ctx, 'Free', 'ConfigProperties', { runtime: false })).properties.map((p) => p.name),
    ).toEqual(['anything', 'else']);
  });

  test('a masked property given on a command line is refused; other applications are not config stores', async () => {
    const error = await failure(
      setConfig(t.sys.ctx, 'Orders', 'ConfigProperties', { Url: 'x', ApiKey: 'k' }, { fromCommandLine: ['apikey'] }),
    );
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(/"apikey" is masked/);
    await expect(setConfig(t.sys.ctx, 'Payroll', 'ConfigProperties', { a: 'b' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  test('the bag is bound to its row: moved to another identifier it does not open', async () => {
    await setConfig(t.sys.ctx, 'Orders', 'A', { Url: 'u', ApiKey: 'k' });
    await setConfig(t.sys.ctx, 'Orders', 'B', { Url: 'v', ApiKey: 'l' });
    await t.sys.ctx.store.run(
      "UPDATE config_entries SET ciphertext = (SELECT ciphertext FROM config_entries WHERE identifier = 'A') WHERE identifier = 'B'",
    );
    await expect(getConfig(t.sys.ctx, 'Orders', 'B', { runtime: true })).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
  });
});
