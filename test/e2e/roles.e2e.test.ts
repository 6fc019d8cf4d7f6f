// Roles with real OS identities: SSO admin ⊇ affiliate admin ⊇ application admin ⊇ application user.
// The test users run the installed package (installed-package.ts), which they can read
// wherever the checkout is; root runs the checkout's bin/.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/cli.js';
import {
  INSTALL_TIMEOUT_MS,
  type InstalledPackage,
  installedPackage,
  type Tool,
} from '../helpers/installed-package.js';
import { createIdentities, runCliAs, type TestIdentities, whyNoOsUsers } from '../helpers/os-users.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

const describeWithUsers = describeNeeding(whyNoOsUsers(), 'roles e2e');

describeWithUsers('roles, checked against the OS identity of the caller', () => {
  let dir: ReturnType<typeof tempDir>;
  let ids: TestIdentities;
  let pkg: InstalledPackage;
  let store: string;
  const root = userInfo().username;

  const ok = (r: CliResult) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const homeOf = (user: string) => join(dir.path, `home-${user}`);
  const as = (who: string, tool: Tool, ...args: string[]) =>
    runCliAs(ids.users[who]!, pkg, tool, [...args, '--home', homeOf(who)]);
  const asRoot = (tool: string, ...args: string[]) => runCli(tool, [...args, '--home', homeOf('root')]);
  const shared = (name: string, text: string, owner?: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, text, { mode: owner ? 0o600 : 0o644 });
    if (owner) chownSync(path, ids.uids[owner]!, -1);
    return path;
  };

  beforeAll(async () => {
    pkg = await installedPackage();
    dir = tempDir();
    chmodSync(dir.path, 0o777);
    ids = createIdentities(['aff', 'appadm', 'users'], { aff: ['aff'], adm: ['appadm'], user: ['users'], none: [] });
    store = join(dir.path, 'ssodb.sqlite');
    writeFileSync(join(dir.path, 'pw'), 'correct-horse-1\n');
    ok(
      asRoot(
        'ssokit',
        '--node-name',
        'alpha',
        '--db',
        store,
        'init',
        '--affiliate-admin',
        ids.groups.aff!,
        '--password-file',
        join(dir.path, 'pw'),
        '--reminder',
        'r',
      ),
    );
    // The test shares one store between OS users through file modes.
    chmodSync(store, 0o666);
    const apps = appXml([
      {
        name: 'AppA',
        flags: 'allowLocalAccounts="yes" enableApp="yes"',
        extra: `<appUserAccount>${ids.groups.users}</appUserAccount><appAdminAccount>${ids.groups.appadm}</appAdminAccount>`,
      },
      {
        name: 'AppB',
        extra: '<appUserAccount>CORP\\Others</appUserAccount><appAdminAccount>someoneelse</appAdminAccount>',
      },
    ]);
    ok(asRoot('ssomanage', '-createapps', shared('apps.xml', apps)));
    ok(
      asRoot(
        'ssomanage',
        '-createmappings',
        shared(
          'm.xml',
          `<SSO><mapping><windowsUserId>${ids.users.user}</windowsUserId><externalApplication>AppA</externalApplication><externalUserId>U1</externalUserId></mapping><mapping><windowsUserId>other</windowsUserId><externalApplication>AppA</externalApplication><externalUserId>O1</externalUserId></mapping></SSO>`,
        ),
      ),
    );
    for (const who of ['aff', 'adm', 'user', 'none']) {
      ok(
        runCliAs(ids.users[who]!, pkg, 'ssokit', [
          '--home',
          homeOf(who),
          '--node-name',
          `${who}-node`,
          'join',
          '--db',
          store,
          ...(who === 'adm' ? ['--cluster-name', 'alpha'] : []),
        ]),
      );
    }
    // The application administrator's node is a member of the master secret server cluster.
    const secretDir = join(homeOf('root'), 'secret');
    const admSecretDir = join(homeOf('adm'), 'secret');
    mkdirSync(admSecretDir, { mode: 0o700 });
    for (const file of readdirSync(secretDir)) {
      copyFileSync(join(secretDir, file), join(admSecretDir, file));
      chownSync(join(admSecretDir, file), ids.uids.adm!, -1);
    }
    chownSync(admSecretDir, ids.uids.adm!, -1);
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => {
    ids?.cleanup();
    dir?.cleanup();
  });

  const appCount = () => JSON.parse(ok(asRoot('ssokit', 'app', 'list', '--all', '--json')).stdout).length;

  test('a user in no account is denied, in Enterprise SSO words, and nothing changes', () => {
    const before = appCount();
    const denied = as('none', 'ssomanage', '-createapps', join(dir.path, 'apps.xml'));
    expect(denied.status).toBe(50);
    expect(denied.stderr).toContain(
      `ERROR: 0xC0002A5A: Access denied. The client user must be a member of one of the following accounts to perform this function. SSO Administrators: ${root} SSO Affiliate Administrators: ${ids.groups.aff}`,
    );
    expect(appCount()).toBe(before);
    expect(as('none', 'ssomanage', '-listapps').status).toBe(50);
    expect(as('none', 'ssomanage', '-displaydb').status).toBe(50);
    expect(
      as(
        'none',
        'ssoconfig',
        '-backupSecret',
        join(dir.path, 'x.bak'),
        '--password-file',
        join(dir.path, 'pw'),
        '--reminder',
        'r',
      ).status,
    ).toBe(50);
  });

  test('an application administrator sees and manages their application only', () => {
    expect(ok(as('adm', 'ssomanage', '-listapps')).stdout).toContain('(E) AppA\n');
    expect(ok(as('adm', 'ssomanage', '-listapps')).stdout).not.toContain('AppB');
    ok(as('adm', 'ssomanage', '-disableapp', 'AppA'));
    ok(as('adm', 'ssomanage', '-enableapp', 'AppA'));
    const del = as('adm', 'ssomanage', '-deleteapp', 'AppA');
    expect([del.status, del.stderr]).toEqual([50, expect.stringContaining('SSO Affiliate Administrators')]);
    expect(as('adm', 'ssomanage', '-disableapp', 'AppB').status).toBe(50);
  });

  test("an application administrator on a master secret server node sets a user's credentials", () => {
    const fields = shared('fields.json', JSON.stringify({ 'User ID': 'U1', Password: 'pw-1' }), 'adm');
    ok(as('adm', 'ssomanage', '-setcredentials', ids.users.user!, 'AppA', '--fields-file', fields));
    const got = JSON.parse(
      ok(asRoot('ssokit', 'credentials', 'get', ids.users.user!, 'AppA', '--reveal', '--json')).stdout,
    );
    expect(got.fields[1].value).toBe('pw-1');
    const audit = ok(asRoot('ssokit', 'audit', 'list', '--json')).stdout;
    expect(audit).toContain(`"osUser": "${ids.users.adm}"`);
  });

  test('an application user manages only their own mapping, through ssoclient', () => {
    expect(ok(as('user', 'ssoclient', '-listapps')).stdout).toContain(
      `Applications available for ${ids.users.user} - AppA`,
    );
    expect(as('user', 'ssomanage', '-listapps').status).toBe(50);
    expect(as('user', 'ssomanage', '-enablemapping', 'other', 'AppA').status).toBe(50);
    ok(as('user', 'ssoclient', '-disablemapping', 'AppA'));
    expect(ok(as('user', 'ssoclient', '-listmappings')).stdout).toContain('(D) AppA : U1');
    ok(as('user', 'ssoclient', '-enablemapping', 'AppA'));
    const gi = shared('gi-user.xml', '<sso><globalInfo><ticketTimeout>7</ticketTimeout></globalInfo></sso>');
    expect(as('user', 'ssomanage', '-updatedb', gi).status).toBe(50);
  });

  test('an affiliate administrator deletes applications but cannot change global info', () => {
    ok(as('aff', 'ssomanage', '-deleteapp', 'AppB'));
    const gi = shared('gi.xml', '<sso><globalInfo><ticketTimeout>7</ticketTimeout></globalInfo></sso>');
    const denied = as('aff', 'ssomanage', '-updatedb', gi);
    expect([denied.status, denied.stderr]).toEqual([50, expect.stringContaining(`SSO Administrators: ${root}`)]);
  });

  test('every refusal is audited, reads included; exporting the secret needs an SSO administrator', () => {
    const pw = join(dir.path, 'pw');
    const refusals: [string, Tool, string[]][] = [
      [
        'secret-backup',
        'ssoconfig',
        ['-backupSecret', join(dir.path, 'y.bak'), '--password-file', pw, '--reminder', 'r'],
      ],
      ['secret-rotate', 'ssokit', ['secret', 'rotate', '--backup', join(dir.path, 'z.bak'), '--password-file', pw]],
      ['app-list', 'ssomanage', ['-listapps']],
      ['db-show', 'ssokit', ['db', 'show']],
      ['audit-list', 'ssokit', ['audit', 'list']],
      ['app-show', 'ssokit', ['app', 'show', 'AppA']],
    ];
    for (const [, tool, args] of refusals) expect([args[0], as('none', tool, ...args).status]).toEqual([args[0], 50]);
    // An application administrator on a master secret server node may not take the secret away.
    const bundle = join(dir.path, 'adm.bundle');
    const exported = as('adm', 'ssocloneaz', '-p', '-f', bundle, '--include-secret', '--password-file', pw);
    expect([exported.status, exported.stderr]).toEqual([50, expect.stringContaining('exporting the master secret')]);
    expect(existsSync(bundle)).toBe(false);

    const audit = JSON.parse(ok(asRoot('ssokit', 'audit', 'list', '--limit', '1000', '--json')).stdout) as {
      osUser: string;
      operation: string;
      result: string;
    }[];
    const denied = (user: string) =>
      audit.filter((r) => r.osUser === user && r.result === 'failure: ACCESS_DENIED').map((r) => r.operation);
    for (const [operation] of refusals) expect(denied(ids.users.none!)).toContain(operation);
    expect(denied(ids.users.adm!)).toContain('clone-export');
  });
});
