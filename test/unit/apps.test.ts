import { findApp } from '../../src/core/manage/app-model.js';
import {
  createApplicationsFromFile,
  deleteApplication,
  displayApplication,
  listApplications,
  setApplicationEnabled,
  updateApplicationsFromFile,
} from '../../src/core/manage/apps.js';
import { listAudit } from '../../src/core/shared/audit.js';
import { hasFlag, SSO_FLAG } from '../../src/core/shared/flags.js';
import { failure } from '../helpers/failure.js';
import { asCaller, fixture, systemPerTest } from '../helpers/system.js';
import { appXml, xmlFile } from '../helpers/xml.js';

const t = systemPerTest();

const count = async (table: string) =>
  (await t.sys.ctx.store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;

describe('create applications', () => {
  test('the SDK sample: fields, flags, a data key, created disabled', async () => {
    const result = await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'AffiliateApplication.xml'));
    expect(result.created).toEqual([{ name: 'SSOApplication', type: 'individual', fields: 2, enabled: false }]);
    const app = (await findApp(t.sys.ctx.store, 'ssoapplication'))!;
    expect(app).toMatchObject({
      name: 'SSOApplication',
      type: 'individual',
      userAccounts: 'DomainName\\AppUserGroup',
      adminAccounts: 'DomainName\\AppAdminGroup',
      fields: [
        { ordinal: 0, label: 'User ID', masked: false },
        { ordinal: 1, label: 'Password', masked: true },
      ],
    });
    expect(hasFlag(app.flags, SSO_FLAG.ENABLED)).toBe(false);
    expect(hasFlag(app.flags, SSO_FLAG.VALIDATE_TICKETS)).toBe(true);
    expect(hasFlag(app.flags, SSO_FLAG.APP_TICKET_TIMEOUT)).toBe(true);
    expect(await count("data_keys WHERE state = 'active'")).toBe(1);
  });

  test('each type from its sample; enableApp="yes" enables once the fields are in', async () => {
    await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'HostGroupApplication.xml'));
    await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'HostInitiatedApplication.xml'));
    const group = xmlFile(t.dir.path, 'g.xml', appXml([{ name: 'GroupApp', flags: 'groupApp="yes" enableApp="yes"' }]));
    const store = xmlFile(
      t.dir.path,
      's.xml',
      appXml([
        { name: 'Settings', flags: 'configStoreApp="yes"', fields: '<field ordinal="0" label="Url" masked="no" />' },
      ]),
    );
    await createApplicationsFromFile(t.sys.ctx, group);
    await createApplicationsFromFile(t.sys.ctx, store);
    const hostGroup = (await findApp(t.sys.ctx.store, 'SSOApp_HostGroupApp1'))!;
    expect(hostGroup.type).toBe('host-group');
    expect(hasFlag(hostGroup.flags, SSO_FLAG.ENABLED)).toBe(true);
    expect(hasFlag(hostGroup.flags, SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS)).toBe(true);
    expect(hasFlag((await findApp(t.sys.ctx.store, 'SSOApp_Host1'))!.flags, SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL)).toBe(
      false,
    );
    expect((await findApp(t.sys.ctx.store, 'groupapp'))!.type).toBe('group');
    expect((await findApp(t.sys.ctx.store, 'settings'))!.type).toBe('config-store');
    expect(await count('data_keys')).toBe(4);
  });

  test('names are case-insensitive: an existing name is refused with its line, and nothing is created', async () => {
    await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'AffiliateApplication.xml'));
    const file = xmlFile(t.dir.path, 'two.xml', appXml([{ name: 'Fresh' }, { name: 'SSOAPPLICATION' }]));
    const error = await failure(createApplicationsFromFile(t.sys.ctx, file));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toEqual(['two.xml:12: application "SSOAPPLICATION": The application already exists.']);
    expect(await findApp(t.sys.ctx.store, 'Fresh')).toBeNull();
  });

  test('every problem is reported; all or nothing', async () => {
    const file = xmlFile(
      t.dir.path,
      'bad.xml',
      appXml([
        { name: 'Good' },
        { name: 'Has Space' },
        { name: 'NoAdmins', extra: '<appUserAccount>CORP\\U</appUserAccount>' },
        { name: 'Both', flags: 'groupApp="yes" configStoreApp="yes"' },
        { name: 'MaskedId', fields: '<field ordinal="0" label="User ID" masked="yes" />' },
        { name: 'Everyone', extra: '<appUserAccount>Everyone</appUserAccount><appAdminAccount>a</appAdminAccount>' },
      ]),
    );
    const error = await failure(createApplicationsFromFile(t.sys.ctx, file));
    expect(error.details.map((d) => d.replace(/^bad\.xml:\d+: /, ''))).toEqual([
      'application "Has Space": the application name "Has Space" contains spaces or control characters',
      'application "NoAdmins": <appAdminAccount> is required (or set adminAccountSame="yes")',
      'application "Both": groupApp and configStoreApp cannot both be yes',
      'application "MaskedId": the first field (ordinal 0) is the user id and cannot be masked',
      'application "Everyone": <appUserAccount>: "Everyone" is not allowed (built-in accounts and Everyone are refused)',
    ]);
    expect(await count('applications')).toBe(0);
  });

  test('--dry-run checks and creates nothing', async () => {
    const result = await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'AffiliateApplication.xml'), true);
    expect(result).toMatchObject({ dryRun: true, created: [{ name: 'SSOApplication' }] });
    expect(await count('applications')).toBe(0);
  });

  test('only SSO and affiliate administrators create applications; a denial changes nothing', async () => {
    const error = await failure(
      createApplicationsFromFile(asCaller(t.sys.ctx, 'mallory', ['staff']), fixture('xml', 'AffiliateApplication.xml')),
    );
    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain(`SSO Administrators: ${t.sys.ctx.caller.user}`);
    expect(error.esso.text).toMatch(
      /^Access denied\. The client user must be a member of one of the following accounts/,
    );
    expect(await count('applications')).toBe(0);
    const denial = (await listAudit(t.sys.ctx.store, { kind: 'operations', limit: 1 }))[0]!;
    expect(denial).toMatchObject({ osUser: 'mallory', operation: 'create-apps', result: 'failure: ACCESS_DENIED' });
  });
});

describe('update applications', () => {
  beforeEach(() =>
    createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'a.xml', appXml([{ name: 'Payroll', flags: 'enableApp="no"' }])),
    ),
  );

  test('the SDK update sample changes only what it gives', async () => {
    await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'AffiliateApplication.xml'));
    const file = xmlFile(
      t.dir.path,
      'u.xml',
      '<SSO><application name="ssoapplication"><description>New words</description><flags enableApp="yes"/></application></SSO>',
    );
    const result = await updateApplicationsFromFile(t.sys.ctx, file);
    expect(result.updated).toEqual([
      { name: 'SSOApplication', changes: ['description: "An SSO Application" -> "New words"', 'enableApp: yes'] },
    ]);
    const app = (await findApp(t.sys.ctx.store, 'SSOApplication'))!;
    expect(app.description).toBe('New words');
    expect(app.contact).toBe('someone@companyname.com');
    expect(hasFlag(app.flags, SSO_FLAG.ENABLED)).toBe(true);
    const unchanged = await updateApplicationsFromFile(t.sys.ctx, fixture('xml', 'UpdateApplication.xml'));
    expect(unchanged.updated[0]!.changes).toContain('description: "New words" -> "An SSO Application"');
  });

  test('fields, type and adminAccountSame cannot change', async () => {
    const file = xmlFile(
      t.dir.path,
      'u.xml',
      '<SSO><application name="Payroll"><field ordinal="0" label="Login" masked="no"/><flags groupApp="yes" adminAccountSame="yes"/></application></SSO>',
    );
    const error = await failure(updateApplicationsFromFile(t.sys.ctx, file));
    expect(error.details.map((d) => d.replace(/^u\.xml:1: /, ''))).toEqual([
      'application "Payroll": fields cannot change after an application is created',
      'application "Payroll": groupApp cannot change after an application is created',
      'application "Payroll": adminAccountSame cannot change after an application is created',
    ]);
  });

  test('application administrators may update, but not the admin account or the ticket flags', async () => {
    const admin = asCaller(t.sys.ctx, 'alice', ['appadmins']);
    const ok = xmlFile(
      t.dir.path,
      'ok.xml',
      '<SSO><application name="Payroll"><contact>alice@example.com</contact></application></SSO>',
    );
    await updateApplicationsFromFile(admin, ok);
    const file = xmlFile(
      t.dir.path,
      'u.xml',
      '<SSO><application name="Payroll"><appAdminAccount>alice</appAdminAccount><flags allowTickets="yes"/></application></SSO>',
    );
    const error = await failure(updateApplicationsFromFile(admin, file));
    expect(error.details).toEqual([
      'u.xml:1: application "Payroll": only SSO and affiliate administrators can change the application administrators account',
      'u.xml:1: application "Payroll": only SSO administrators can change allowTickets',
    ]);
    expect((await findApp(t.sys.ctx.store, 'Payroll'))!.contact).toBe('alice@example.com');
    const stranger = await failure(updateApplicationsFromFile(asCaller(t.sys.ctx, 'bob', ['appusers']), ok));
    expect(stranger.code).toBe('ACCESS_DENIED');
  });
});

describe('list, show, enable, delete', () => {
  beforeEach(async () => {
    await createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(
        t.dir.path,
        'apps.xml',
        appXml([
          { name: 'Payroll' },
          {
            name: 'Crm',
            extra: '<appUserAccount>CORP\\U</appUserAccount><appAdminAccount>crmadmins</appAdminAccount>',
          },
          { name: 'Settings', flags: 'configStoreApp="yes"' },
        ]),
      ),
    );
  });

  test('config store applications only with all; application administrators see their own', async () => {
    expect((await listApplications(t.sys.ctx, { all: false })).map((a) => a.name)).toEqual(['Crm', 'Payroll']);
    expect((await listApplications(t.sys.ctx, { all: true })).map((a) => a.name)).toEqual([
      'Crm',
      'Payroll',
      'Settings',
    ]);
    expect(
      (await listApplications(asCaller(t.sys.ctx, 'alice', ['appadmins']), { all: true })).map((a) => a.name),
    ).toEqual(['Payroll', 'Settings']);
    expect((await failure(listApplications(asCaller(t.sys.ctx, 'bob'), { all: true }))).code).toBe('ACCESS_DENIED');
  });

  test('show needs the application administrators account; users may only with the client role', async () => {
    expect((await displayApplication(asCaller(t.sys.ctx, 'alice', ['appadmins']), 'payroll')).name).toBe('Payroll');
    expect((await failure(displayApplication(asCaller(t.sys.ctx, 'u', ['u']), 'Crm'))).code).toBe('ACCESS_DENIED');
    await expect(displayApplication(asCaller(t.sys.ctx, 'u', ['u']), 'Crm', 'app-user')).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    const user = asCaller(t.sys.ctx, 'carol', []);
    await expect(displayApplication(user, 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      esso: { hresult: 0xc0002a04 },
    });
  });

  test('enable and disable; an application without fields cannot be enabled', async () => {
    await setApplicationEnabled(t.sys.ctx, 'Crm', false);
    expect(hasFlag((await findApp(t.sys.ctx.store, 'Crm'))!.flags, SSO_FLAG.ENABLED)).toBe(false);
    await createApplicationsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'e.xml', appXml([{ name: 'Empty', fields: '', flags: 'enableApp="no"' }])),
    );
    await expect(setApplicationEnabled(t.sys.ctx, 'Empty', true)).rejects.toMatchObject({
      code: 'CONFLICT',
      esso: { hresult: 0xc0002a11 },
    });
  });

  test('delete cascades and is recorded in the deleted-apps audit, trimmed to its size', async () => {
    await t.sys.ctx.store.run('UPDATE global_info SET audit_deleted_apps = 2');
    await t.sys.ctx.store.run(
      "INSERT INTO mappings (app_id, local_user, local_key, local_unique, external_user, external_key, enabled, created_at, updated_at) SELECT id, 'C\\u', 'c\\u', 'c\\u', 'x', 'x', 0, 't', 't' FROM applications WHERE name = 'Payroll'",
    );
    expect(await deleteApplication(t.sys.ctx, 'PAYROLL')).toEqual({ name: 'Payroll', mappings: 1 });
    await deleteApplication(t.sys.ctx, 'Crm');
    await deleteApplication(t.sys.ctx, 'Settings');
    expect(await count('mappings')).toBe(0);
    expect(await count('data_keys')).toBe(0);
    expect(await count('fields')).toBe(0);
    expect((await listAudit(t.sys.ctx.store, { kind: 'deleted-apps', limit: 10 })).map((r) => r.app)).toEqual([
      'Crm',
      'Settings',
    ]);
    await expect(deleteApplication(asCaller(t.sys.ctx, 'alice', ['appadmins']), 'x')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  test('application administrators cannot delete their application', async () => {
    await expect(deleteApplication(asCaller(t.sys.ctx, 'alice', ['appadmins']), 'Payroll')).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    expect(await findApp(t.sys.ctx.store, 'Payroll')).not.toBeNull();
  });
});
