import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApplicationsFromFile, setApplicationEnabled } from '../../src/core/manage/apps.js';
import { applicationsForCaller, planSetCredentials, setCredentials } from '../../src/core/manage/credentials.js';
import { importCredentialsFromFile } from '../../src/core/manage/credentials-import.js';
import { setSsoEnabled } from '../../src/core/manage/database.js';
import { lookupCredentials } from '../../src/core/manage/lookup.js';
import {
  createMappingsFromFile,
  deleteMapping,
  deleteMappingsFromFile,
  listMappings,
  setMappingEnabled,
} from '../../src/core/manage/mappings.js';
import { listAudit } from '../../src/core/shared/audit.js';
import { failure } from '../helpers/failure.js';
import { asCaller, fixture, reopen, systemPerTest } from '../helpers/system.js';
import { appXml, mappingXml, xmlFile } from '../helpers/xml.js';

const t = systemPerTest();
beforeEach(async () => {
  await createApplicationsFromFile(
    t.sys.ctx,
    xmlFile(
      t.dir.path,
      'apps.xml',
      appXml([
        { name: 'Payroll' },
        { name: 'Local', flags: 'allowLocalAccounts="yes" enableApp="yes"' },
        {
          name: 'Team',
          flags: 'groupApp="yes" enableApp="yes"',
          extra:
            '<appUserAccount>CORP\\Team A;CORP\\Team B</appUserAccount><appAdminAccount>appadmins</appAdminAccount>',
        },
      ]),
    ),
  );
  await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'HostGroupApplication.xml'));
});

const SECRET = 'pa55-w0rd-that-must-not-leak';

describe('mappings', () => {
  test('created disabled from the SDK format; listed by application and by user', async () => {
    const file = xmlFile(
      t.dir.path,
      'm.xml',
      mappingXml([
        ['CORP', 'alice', 'Payroll', 'A1'],
        ['CORP', 'bob', 'payroll', 'B2'],
        ['CORP', 'alice', 'Local', 'LA'],
      ]),
    );
    expect(await createMappingsFromFile(t.sys.ctx, file)).toEqual({ created: 3 });
    const byApp = await listMappings(t.sys.ctx, { app: 'Payroll' });
    expect(byApp.map((m) => [m.localUser, m.externalUser, m.enabled])).toEqual([
      ['CORP\\alice', 'A1', false],
      ['CORP\\bob', 'B2', false],
    ]);
    expect((await listMappings(t.sys.ctx, { user: 'corp\\ALICE' })).map((m) => m.app)).toEqual(['Local', 'Payroll']);
    expect((await listMappings(t.sys.ctx, { user: 'CORP\\alice', app: 'Payroll' })).map((m) => m.externalUser)).toEqual(
      ['A1'],
    );
  });

  test("Enterprise SSO's uniqueness rules, within the file and against the store, each with its line", async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'first.xml', mappingXml([['CORP', 'alice', 'Payroll', 'A1']])),
    );
    const file = xmlFile(
      t.dir.path,
      'm.xml',
      mappingXml([
        ['CORP', 'carol', 'Payroll', 'C1'],
        ['CORP', 'carol', 'Payroll', 'C2'],
        ['CORP', 'dave', 'Payroll', 'c1'],
        ['CORP', 'ALICE', 'Payroll', 'A9'],
        ['CORP', 'erin', 'Payroll', 'a1'],
        ['', 'frank', 'Payroll', 'F1'],
        ['CORP', 'gina', 'Nope', 'G1'],
        ['CORP', 'hank', 'Team', 'H1'],
      ]),
    );
    const error = await failure(createMappingsFromFile(t.sys.ctx, file));
    expect(error.details).toEqual([
      'm.xml:9: "CORP\\carol" is already mapped in Payroll at line 3',
      'm.xml:15: external user "c1" is already mapped in Payroll at line 3',
      'm.xml:21: CORP\\ALICE -> A9 in Payroll: The mapping already exists.',
      'm.xml:27: CORP\\erin -> a1 in Payroll: The mapping already exists.',
      'm.xml:33: "frank" is a local account: Local accounts are not allowed for this application. Check your application flags. (use domain\\user)',
      'm.xml:39: application "Nope": The application does not exist.',
      'm.xml:45: a group application maps one of its application users accounts (CORP\\Team A;CORP\\Team B), not "CORP\\hank"',
    ]);
    expect((await listMappings(t.sys.ctx, { app: 'Payroll' })).length).toBe(1);
  });

  test('group applications map a users account; host group applications many external accounts', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(
        t.dir.path,
        'm.xml',
        mappingXml([
          ['CORP', 'Team A', 'Team', 'shared-a'],
          ['DomainName', 'WindowsUserAccount1', 'SSOApp_HostGroupApp1', 'HOST1'],
          ['DomainName', 'WindowsUserAccount1', 'SSOApp_HostGroupApp1', 'HOST2'],
        ]),
      ),
    );
    const host = await listMappings(t.sys.ctx, { app: 'SSOApp_HostGroupApp1' });
    expect(host.map((m) => m.externalUser)).toEqual(['HOST1', 'HOST2']);
    // Host group mappings are named by their external account.
    await setMappingEnabled(t.sys.ctx, 'HOST2', 'SSOApp_HostGroupApp1', true);
    expect((await listMappings(t.sys.ctx, { app: 'SSOApp_HostGroupApp1' })).map((m) => m.enabled)).toEqual([
      false,
      true,
    ]);
  });

  test('a mapping is disabled before it is deleted; -deletemappings removes what it lists', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(
        t.dir.path,
        'm.xml',
        mappingXml([
          ['CORP', 'alice', 'Payroll', 'A1'],
          ['CORP', 'bob', 'Payroll', 'B2'],
        ]),
      ),
    );
    await setMappingEnabled(t.sys.ctx, 'CORP\\alice', 'Payroll', true);
    expect((await failure(deleteMapping(t.sys.ctx, 'CORP\\alice', 'Payroll'))).code).toBe('CONFLICT');
    await setMappingEnabled(t.sys.ctx, 'CORP\\alice', 'Payroll', false);
    await deleteMapping(t.sys.ctx, 'CORP\\alice', 'Payroll');
    const missing = await failure(
      deleteMappingsFromFile(
        t.sys.ctx,
        xmlFile(
          t.dir.path,
          'd.xml',
          mappingXml([
            ['CORP', 'bob', 'Payroll', 'B2'],
            ['CORP', 'zed', 'Payroll', 'Z'],
          ]),
        ),
      ),
    );
    expect(missing.details).toEqual([
      'd.xml:9: CORP\\zed -> Z in Payroll: The mapping does not exist. For Config Store applications, the config info has not been set.',
    ]);
    expect(
      await deleteMappingsFromFile(
        t.sys.ctx,
        xmlFile(t.dir.path, 'd2.xml', mappingXml([['CORP', 'bob', 'Payroll', 'B2']])),
      ),
    ).toEqual({ deleted: 1 });
    expect((await listAudit(t.sys.ctx.store, { kind: 'deleted-mappings', limit: 10 })).map((r) => r.localUser)).toEqual(
      ['CORP\\alice', 'CORP\\bob'],
    );
  });

  test('application users manage only their own mapping of an individual application', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(
        t.dir.path,
        'm.xml',
        mappingXml([
          ['CORP', 'alice', 'Local', 'A1'],
          ['CORP', 'bob', 'Local', 'B1'],
        ]),
      ),
    );
    // On a node in domain CORP, the OS user alice is CORP\alice and her group AppUsers is CORP\AppUsers.
    const inDomain = asCaller(t.sys.ctx, 'alice', ['AppUsers']);
    inDomain.node = { ...inDomain.node, domain: 'CORP' };
    expect((await setMappingEnabled(inDomain, 'CORP\\alice', 'Local', true)).enabled).toBe(true);
    await expect(setMappingEnabled(inDomain, 'CORP\\bob', 'Local', true)).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    // Without the domain, CORP\AppUsers names nobody on this machine.
    await expect(
      setMappingEnabled(asCaller(t.sys.ctx, 'alice', ['AppUsers']), 'CORP\\alice', 'Local', false),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
  });
});

describe('credentials', () => {
  test('set creates the mapping, seals the values, enables it; a lookup hides masked values unless asked', async () => {
    const plan = await planSetCredentials(t.sys.ctx, 'CORP\\alice', 'payroll');
    expect(plan.mapping).toBeNull();
    expect(plan.fields.map((f) => f.label)).toEqual(['User ID', 'Password']);
    const { created, mapping } = await setCredentials(t.sys.ctx, plan, {
      externalUser: 'A123',
      values: { 'user id': 'A123', Password: SECRET },
    });
    expect(created).toBe(true);
    expect(mapping).toMatchObject({ localUser: 'CORP\\alice', externalUser: 'A123', enabled: true });
    const [hidden] = await lookupCredentials(t.sys.ctx, [{ user: 'corp\\alice', app: 'Payroll' }], { reveal: false });
    expect(hidden!.fields).toEqual([
      { label: 'User ID', masked: false, value: 'A123' },
      { label: 'Password', masked: true, value: null },
    ]);
    const [shown] = await lookupCredentials(t.sys.ctx, [{ user: 'CORP\\alice', app: 'Payroll' }], { reveal: true });
    expect(shown!.fields[1]!.value).toBe(SECRET);
  });

  test('missing or unknown fields are refused; no external user for a new mapping is an input error', async () => {
    const plan = await planSetCredentials(t.sys.ctx, 'CORP\\alice', 'Payroll');
    const missing = await failure(
      setCredentials(t.sys.ctx, plan, { externalUser: 'A', values: { 'User ID': 'A', Pin: '1' } }),
    );
    expect(missing.message).toBe('no value for "Password"; no field called "pin"');
    expect((await failure(setCredentials(t.sys.ctx, plan, { values: { 'User ID': 'A', Password: 'p' } }))).code).toBe(
      'INPUT_REQUIRED',
    );
    expect((await listMappings(t.sys.ctx, { app: 'Payroll' })).length).toBe(0);
  });

  test('lookups: SSO, application and mapping must be enabled, and credentials set', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'm.xml', mappingXml([['CORP', 'bob', 'Payroll', 'B2']])),
    );
    const lookup = () => lookupCredentials(t.sys.ctx, [{ user: 'CORP\\bob', app: 'Payroll' }], { reveal: false });
    expect((await failure(lookup())).esso.hresult).toBe(0xc0002a0c); // mapping disabled
    await setMappingEnabled(t.sys.ctx, 'CORP\\bob', 'Payroll', true);
    expect((await failure(lookup())).esso.hresult).toBe(0xc0002a0d); // no credentials
    await setCredentials(t.sys.ctx, await planSetCredentials(t.sys.ctx, 'CORP\\bob', 'Payroll'), {
      values: { 'User ID': 'B2', Password: 'x' },
    });
    await setApplicationEnabled(t.sys.ctx, 'Payroll', false);
    expect((await failure(lookup())).esso.hresult).toBe(0xc0002a03); // application disabled
    await setApplicationEnabled(t.sys.ctx, 'Payroll', true);
    await setSsoEnabled(t.sys.ctx, false);
    expect((await failure(lookup())).esso.hresult).toBe(0xc0002a02); // SSO disabled
    await setSsoEnabled(t.sys.ctx, true);
    expect((await lookup())[0]!.externalUser).toBe('B2');
    expect(
      (await failure(lookupCredentials(t.sys.ctx, [{ user: 'CORP\\nobody', app: 'Payroll' }], { reveal: false }))).esso
        .hresult,
    ).toBe(0xc0002a05);
  });

  test('every lookup is counted in the credential-lookup audit, trimmed to its size', async () => {
    await t.sys.ctx.store.run('UPDATE global_info SET audit_credential_lookups = 3');
    await setCredentials(t.sys.ctx, await planSetCredentials(t.sys.ctx, 'CORP\\alice', 'Payroll'), {
      externalUser: 'A',
      values: { 'User ID': 'A', Password: SECRET },
    });
    for (let i = 0; i < 5; i++)
      await lookupCredentials(t.sys.ctx, [{ user: 'CORP\\alice', app: 'Payroll' }], { reveal: true });
    const lookups = await listAudit(t.sys.ctx.store, { kind: 'lookups', limit: 100 });
    expect(lookups).toHaveLength(3);
    expect(lookups[0]).toMatchObject({ app: 'Payroll', localUser: 'CORP\\alice', externalUser: 'A' });
  });

  test('a user looks up their own credentials; others need the application administrators account', async () => {
    await setCredentials(t.sys.ctx, await planSetCredentials(t.sys.ctx, 'carol', 'Local'), {
      externalUser: 'C',
      values: { 'User ID': 'C', Password: 'pw' },
    });
    const carol = asCaller(t.sys.ctx, 'carol', []);
    await expect(lookupCredentials(carol, [{ user: 'carol', app: 'Local' }], { reveal: false })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    await t.sys.ctx.store.run("UPDATE applications SET user_accounts = 'carol' WHERE name = 'Local'");
    expect(
      (await lookupCredentials(carol, [{ user: 'carol', app: 'Local' }], { reveal: false }))[0]!.externalUser,
    ).toBe('C');
    await expect(
      lookupCredentials(asCaller(t.sys.ctx, 'dan', []), [{ user: 'carol', app: 'Local' }], { reveal: false }),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect(await applicationsForCaller(carol)).toEqual({ user: 'carol', apps: ['Local'] });
  });

  test('no secret value reaches the audit tables', async () => {
    await setCredentials(t.sys.ctx, await planSetCredentials(t.sys.ctx, 'CORP\\alice', 'Payroll'), {
      externalUser: 'A',
      values: { 'User ID': 'A', Password: SECRET },
    });
    await lookupCredentials(t.sys.ctx, [{ user: 'CORP\\alice', app: 'Payroll' }], { reveal: true });
    await t.sys.ctx.store.close();
    const files = ['', '-wal'].map((s) => t.sys.ctx.node.store + s);
    for (const file of files) {
      try {
        expect(readFileSync(file).includes(Buffer.from(SECRET))).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    t.sys.ctx = await reopen(t.sys.paths);
  });
});

describe('credentials import', () => {
  const line = (user: string, app: string, external: string, fields: Record<string, string>) =>
    JSON.stringify({ user, app, externalUser: external, fields });

  test('creates and enables mappings as needed, in one transaction', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'm.xml', mappingXml([['CORP', 'bob', 'Payroll', 'B2']])),
    );
    const file = join(t.dir.path, 'c.jsonl');
    writeFileSync(
      file,
      `${[
        line('CORP\\alice', 'Payroll', 'A1', { 'User ID': 'A1', Password: 'p1' }),
        line('CORP\\bob', 'Payroll', 'B2', { 'User ID': 'B2', Password: 'p2' }),
        '',
        line('DomainName\\WindowsUserAccount1', 'SSOApp_HostGroupApp1', 'H1', { 'User ID': 'H1', Password: 'p3' }),
      ].join('\r\n')}\n`,
    );
    expect(await importCredentialsFromFile(t.sys.ctx, file)).toEqual({ imported: 3, mappingsCreated: 2 });
    const all = await lookupCredentials(
      t.sys.ctx,
      [
        { user: 'CORP\\alice', app: 'Payroll' },
        { user: 'CORP\\bob', app: 'Payroll' },
      ],
      { reveal: true },
    );
    expect(all.map((r) => r.fields[1]!.value)).toEqual(['p1', 'p2']);
  });

  test('every bad line is reported with its number, and nothing is applied', async () => {
    const file = join(t.dir.path, 'c.jsonl');
    writeFileSync(
      file,
      [
        line('CORP\\alice', 'Payroll', 'A1', { 'User ID': 'A1', Password: 'p1' }),
        '{not json',
        line('CORP\\bob', 'Nope', 'B', { 'User ID': 'B' }),
        line('CORP\\carol', 'Payroll', 'C', { 'User ID': 'C' }),
        JSON.stringify({
          user: 'CORP\\dan',
          app: 'Payroll',
          externalUser: 'D',
          fields: { 'User ID': 'D', Password: 'x' },
          extra: 1,
        }),
        line('CORP\\alice', 'payroll', 'A1', { 'User ID': 'A1', Password: 'p1' }),
        line('erin', 'Payroll', 'E', { 'User ID': 'E', Password: 'x' }),
      ].join('\n'),
    );
    const error = await failure(importCredentialsFromFile(t.sys.ctx, file));
    expect(error.details).toEqual([
      'c.jsonl:2: not a JSON object',
      'c.jsonl:3: application "Nope": The application does not exist.',
      'c.jsonl:4: no value for "Password"',
      'c.jsonl:5: unknown key "extra"',
      'c.jsonl:6: "CORP\\alice" in "Payroll" is already given at line 1',
      'c.jsonl:7: "erin" is a local account: Local accounts are not allowed for this application. Check your application flags. (use domain\\user)',
    ]);
    expect(await t.sys.ctx.store.get('SELECT COUNT(*) AS n FROM mappings')).toEqual({ n: 0 });
    expect(await t.sys.ctx.store.get('SELECT COUNT(*) AS n FROM credentials')).toEqual({ n: 0 });
  });

  test('an existing mapping to another external user is a conflict', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'm.xml', mappingXml([['CORP', 'bob', 'Payroll', 'B2']])),
    );
    const file = join(t.dir.path, 'c.jsonl');
    writeFileSync(file, line('CORP\\bob', 'Payroll', 'B3', { 'User ID': 'B3', Password: 'x' }));
    expect((await failure(importCredentialsFromFile(t.sys.ctx, file))).details).toEqual([
      'c.jsonl:1: "CORP\\bob" is already mapped to external user "B2" in "Payroll", not "B3"',
    ]);
  });

  test('an external user mapped to someone else, in the store or earlier in the file, is refused', async () => {
    await createMappingsFromFile(
      t.sys.ctx,
      xmlFile(t.dir.path, 'm.xml', mappingXml([['CORP', 'bob', 'Payroll', 'B2']])),
    );
    const file = join(t.dir.path, 'c.jsonl');
    writeFileSync(
      file,
      [
        line('CORP\\carol', 'Payroll', 'b2', { 'User ID': 'B2', Password: 'x' }),
        line('CORP\\dan', 'Payroll', 'D1', { 'User ID': 'D1', Password: 'x' }),
        line('CORP\\erin', 'Payroll', 'd1', { 'User ID': 'D1', Password: 'x' }),
      ].join('\n'),
    );
    expect((await failure(importCredentialsFromFile(t.sys.ctx, file))).details).toEqual([
      'c.jsonl:1: external user "b2" is already mapped to "CORP\\bob" in "Payroll"',
      'c.jsonl:3: external user "d1" is already mapped to "CORP\\dan" in "Payroll"',
    ]);
    expect(await t.sys.ctx.store.get('SELECT COUNT(*) AS n FROM mappings')).toEqual({ n: 1 });
  });

  test('a second import of the same users replaces their credentials under the same mappings', async () => {
    const file = join(t.dir.path, 'c.jsonl');
    writeFileSync(file, line('CORP\\alice', 'Payroll', 'A1', { 'User ID': 'A1', Password: 'first' }));
    expect(await importCredentialsFromFile(t.sys.ctx, file)).toEqual({ imported: 1, mappingsCreated: 1 });
    await t.sys.ctx.store.run('UPDATE mappings SET enabled = 0');
    writeFileSync(file, line('CORP\\alice', 'Payroll', 'A1', { 'User ID': 'A1', Password: 'second' }));
    expect(await importCredentialsFromFile(t.sys.ctx, file)).toEqual({ imported: 1, mappingsCreated: 0 });
    const [found] = await lookupCredentials(t.sys.ctx, [{ user: 'CORP\\alice', app: 'Payroll' }], { reveal: true });
    expect(found!.fields[1]!.value).toBe('second');
    expect(await t.sys.ctx.store.get('SELECT COUNT(*) AS n FROM credentials')).toEqual({ n: 1 });
  });
});
