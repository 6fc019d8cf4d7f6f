import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addBizsys,
  bizsysHealth,
  listBizsys,
  removeBizsys,
  requireBizsys,
  updateBizsys,
} from '../../src/core/clone/bizsys.js';
import { getSettings, setSetting, setSettings } from '../../src/core/clone/node-settings.js';
import { bizsysDefinitionPath, bizsysFilePath } from '../../src/node/bizsys-files.js';
import { currentInstallFacts } from '../../src/node/install-facts.js';
import { readNodeConfig } from '../../src/node/node-config.js';
import { failure } from '../helpers/failure.js';
import { systemPerTest } from '../helpers/system.js';

const t = systemPerTest();
beforeEach(async () => {
  writeFileSync(join(t.dir.path, 'site.crt'), 'CERT');
});

const shop = () =>
  addBizsys(t.sys.ctx, {
    name: 'shop',
    publicUrl: 'https://Shop.Example.com',
    protectedPaths: ['/shop'],
    authServerUrl: 'https://sso.example.com/auth',
    ssl: true,
    files: [{ role: 'certificate', source: join(t.dir.path, 'site.crt') }],
  });

describe('business systems', () => {
  test('added with GlassFish session defaults, the public URL in canonical form, files copied in privately', async () => {
    const system = await shop();
    expect(system).toMatchObject({
      publicUrl: 'https://shop.example.com:443',
      session: {
        ssoEnabled: true,
        maxInactiveSeconds: 300,
        reapIntervalSeconds: 60,
        failoverEnabled: false,
        sessionTimeoutSeconds: 1800,
      },
      files: [{ role: 'certificate', name: 'site.crt' }],
    });
    expect(statSync(bizsysFilePath(t.sys.paths, 'shop', 'site.crt')).mode & 0o777).toBe(0o600);
    expect((await listBizsys(t.sys.ctx)).map((s) => s.name)).toEqual(['shop']);
  });

  test('invalid definitions are refused with every problem', async () => {
    const error = await failure(
      addBizsys(t.sys.ctx, {
        name: 'bad',
        publicUrl: 'https://host.example.com/path',
        protectedPaths: ['no-slash'],
        authServerUrl: 'ftp://x',
        ssl: false,
        files: [],
      }),
    );
    expect(error.message).toBe('the public URL is a site: scheme, host and port only');
    const many = await failure(
      addBizsys(t.sys.ctx, {
        name: 'bad',
        publicUrl: 'https://host.example.com',
        protectedPaths: ['no-slash'],
        authServerUrl: 'ftp://x',
        ssl: false,
        files: [],
        session: { maxInactiveSeconds: 0 },
      }),
    );
    expect(many.details).toEqual([
      'the authentication server URL must be http or https',
      'protected path "no-slash" must start with / and hold no spaces',
      'sso-max-inactive-seconds must be a whole number of seconds from 1 to 999999999',
    ]);
    expect(await listBizsys(t.sys.ctx)).toEqual([]);
  });

  test('names and public URLs are unique on a node', async () => {
    await shop();
    expect((await failure(shop())).code).toBe('ALREADY_EXISTS');
    const sameUrl = await failure(
      addBizsys(t.sys.ctx, {
        name: 'shop2',
        publicUrl: 'https://shop.example.com:443',
        protectedPaths: ['/'],
        authServerUrl: '',
        ssl: true,
        files: [],
      }),
    );
    expect(sameUrl.message).toContain('already has the public URL https://shop.example.com:443');
  });

  test('the public URL is never edited: remove and add again (Interstage)', async () => {
    await shop();
    const error = await failure(updateBizsys(t.sys.ctx, 'shop', { publicUrl: 'https://new.example.com' }));
    expect([error.code, error.hint]).toEqual(['CONFLICT', expect.stringContaining('ssokit bizsys remove shop')]);
    expect(
      (await updateBizsys(t.sys.ctx, 'shop', { publicUrl: 'https://shop.example.com:443', addPaths: ['/cart'] }))
        .protectedPaths,
    ).toEqual(['/shop', '/cart']);
    await removeBizsys(t.sys.ctx, 'shop');
    expect((await failure(requireBizsys(t.sys.ctx, 'shop'))).code).toBe('NOT_FOUND');
  });
});

describe('business system files and definitions', () => {
  test('--file on update replaces the file of the same name; --remove-file deletes it', async () => {
    await shop();
    const renewedDir = join(t.dir.path, 'renewed-cert');
    mkdirSync(renewedDir);
    writeFileSync(join(renewedDir, 'site.crt'), 'NEW CERT');
    const updated = await updateBizsys(t.sys.ctx, 'shop', {
      addFiles: [{ role: 'certificate', source: join(renewedDir, 'site.crt') }],
    });
    expect(updated.files).toEqual([{ role: 'certificate', name: 'site.crt' }]);
    expect(readFileSync(bizsysFilePath(t.sys.paths, 'shop', 'site.crt'), 'utf8')).toBe('NEW CERT');
    await updateBizsys(t.sys.ctx, 'shop', { removeFiles: ['site.crt'] });
    expect(existsSync(bizsysFilePath(t.sys.paths, 'shop', 'site.crt'))).toBe(false);
    expect((await failure(updateBizsys(t.sys.ctx, 'shop', { removeFiles: ['site.crt'] }))).code).toBe('NOT_FOUND');
    expect((await failure(updateBizsys(t.sys.ctx, 'shop', { removePaths: ['/nowhere'] }))).message).toBe(
      '"shop" does not protect the path /nowhere',
    );
  });

  test('an update that cannot read its new file changes nothing', async () => {
    await shop();
    const error = await failure(
      updateBizsys(t.sys.ctx, 'shop', {
        ssl: false,
        addFiles: [{ role: 'key', source: join(t.dir.path, 'missing.key') }],
      }),
    );
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect((await requireBizsys(t.sys.ctx, 'shop')).ssl).toBe(true);
  });

  test('a hand-edited definition of the wrong shape is BAD_FORMAT with every problem, and fails the health check', async () => {
    await shop();
    writeFileSync(
      bizsysDefinitionPath(t.sys.paths, 'shop'),
      JSON.stringify({ format: 'ssokit-bizsys/v1', name: 'shop', publicUrl: 7, ssl: 'yes' }),
    );
    const error = await failure(requireBizsys(t.sys.ctx, 'shop'));
    expect(error.code).toBe('BAD_FORMAT');
    expect(error.details).toEqual(
      expect.arrayContaining([
        'publicUrl is not a string',
        'ssl is not true or false',
        'files is not a list of {role, name}',
      ]),
    );
    expect(await bizsysHealth(t.sys.ctx)).toEqual([
      expect.stringContaining('is not a readable ssokit-bizsys/v1 definition: '),
    ]);
  });

  test('public URLs: a fully qualified host, http or https, nothing after the port', async () => {
    const add = (publicUrl: string) =>
      addBizsys(t.sys.ctx, { name: 'x', publicUrl, protectedPaths: ['/'], authServerUrl: '', ssl: false, files: [] });
    for (const bad of [
      'https://localhost',
      'https://10.0.0.1',
      'ftp://x.example.com',
      'https://u:p@x.example.com',
      'https://x.example.com/?q',
      'not a url',
    ]) {
      expect((await failure(add(bad))).code).toBe('INVALID_INPUT');
    }
    expect((await add('http://X.Example.COM:8080')).publicUrl).toBe('http://x.example.com:8080');
  });
});

describe('get and set by dotted name', () => {
  test('read one, read by pattern, write with validation', async () => {
    await shop();
    expect(await getSettings(t.sys.ctx, 'bizsys.shop.sso-failover-enabled')).toEqual([
      { name: 'bizsys.shop.sso-failover-enabled', value: 'false' },
    ]);
    expect(await setSetting(t.sys.ctx, 'bizsys.shop.sso-failover-enabled=true')).toEqual({
      name: 'bizsys.shop.sso-failover-enabled',
      value: 'true',
    });
    expect((await getSettings(t.sys.ctx, 'bizsys.shop.*')).map((s) => s.name)).toEqual([
      'bizsys.shop.public-url',
      'bizsys.shop.protected-paths',
      'bizsys.shop.auth-server-url',
      'bizsys.shop.ssl',
      'bizsys.shop.sso-enabled',
      'bizsys.shop.sso-max-inactive-seconds',
      'bizsys.shop.sso-reap-interval-seconds',
      'bizsys.shop.session-timeout-seconds',
      'bizsys.shop.sso-failover-enabled',
    ]);
    await setSetting(t.sys.ctx, 'bizsys.shop.protected-paths=/a, /b');
    expect((await requireBizsys(t.sys.ctx, 'shop')).protectedPaths).toEqual(['/a', '/b']);
    expect((await failure(setSetting(t.sys.ctx, 'bizsys.shop.sso-enabled=maybe'))).message).toBe(
      'sso-enabled is true or false, not "maybe"',
    );
    expect((await failure(setSetting(t.sys.ctx, 'bizsys.shop.sso-reap-interval-seconds=0'))).code).toBe(
      'INVALID_INPUT',
    );
    expect((await failure(setSetting(t.sys.ctx, 'bizsys.shop.public-url=https://x.example.com'))).code).toBe(
      'CONFLICT',
    );
  });

  test('an unknown name is a clear error that lists the names nearby', async () => {
    await shop();
    const error = await failure(getSettings(t.sys.ctx, 'bizsys.shop.sso-timeout'));
    expect(error.message).toBe('there is no setting named "bizsys.shop.sso-timeout"');
    expect(error.hint).toContain('bizsys.shop.sso-max-inactive-seconds');
    expect((await failure(setSetting(t.sys.ctx, 'bizsys.nope.ssl=true'))).code).toBe('NOT_FOUND');
    expect((await failure(setSetting(t.sys.ctx, 'no-equals-sign'))).code).toBe('USAGE');
  });

  test('patterns, prefixes and the install facts a bundle is compared with', async () => {
    await shop();
    await addBizsys(t.sys.ctx, {
      name: 'portal',
      publicUrl: 'https://portal.example.com',
      protectedPaths: ['/'],
      authServerUrl: '',
      ssl: false,
      files: [],
    });
    expect(await getSettings(t.sys.ctx, 'bizsys.*.ssl')).toEqual([
      { name: 'bizsys.portal.ssl', value: 'false' },
      { name: 'bizsys.shop.ssl', value: 'true' },
    ]);
    expect((await getSettings(t.sys.ctx, 'bizsys.shop')).length).toBe(9);
    const install = currentInstallFacts();
    expect(await getSettings(t.sys.ctx, 'node.install')).toEqual([
      { name: 'node.install.platform', value: `${install.platform}/${install.arch}` },
      { name: 'node.install.version', value: install.version },
      { name: 'node.install.edition', value: install.edition },
      { name: 'node.install.dir', value: install.installDir },
    ]);
    expect((await failure(setSetting(t.sys.ctx, 'node.install.version=9'))).code).toBe('CONFLICT');
  });

  test('several assignments: all or none', async () => {
    await shop();
    const error = await failure(
      setSettings(t.sys.ctx, ['bizsys.shop.ssl=false', 'node.domain=CORP', 'bizsys.shop.auth-server-url=ftp://x']),
    );
    expect([error.code, error.details]).toEqual([
      'INVALID_INPUT',
      ['bizsys.shop: the authentication server URL must be http or https'],
    ]);
    expect((await requireBizsys(t.sys.ctx, 'shop')).ssl).toBe(true);
    expect((await readNodeConfig(t.sys.paths))!.domain).toBeUndefined();
    expect(
      await setSettings(t.sys.ctx, [
        'bizsys.shop.ssl=false',
        'node.domain=CORP',
        'bizsys.shop.public-url=https://SHOP.example.com:443',
      ]),
    ).toEqual([
      { name: 'bizsys.shop.ssl', value: 'false' },
      { name: 'node.domain', value: 'CORP' },
      { name: 'bizsys.shop.public-url', value: 'https://shop.example.com:443' },
    ]);
  });

  test('a typo gets the nearest names', async () => {
    await shop();
    expect((await failure(getSettings(t.sys.ctx, 'bizsys.shop.sso-enable'))).hint).toBe(
      'did you mean bizsys.shop.sso-enabled?',
    );
    expect((await failure(setSetting(t.sys.ctx, 'bizsys.shpo.ssl=true'))).hint).toBe('did you mean bizsys.shop.ssl?');
    expect((await failure(setSetting(t.sys.ctx, 'node.service-account=a\\b\\c'))).code).toBe('INVALID_INPUT');
  });

  test('node settings: cluster names and domain are written to node.json; the name and store are not settable', async () => {
    await setSetting(t.sys.ctx, 'node.cluster-names=ssocluster, backup-cluster');
    await setSetting(t.sys.ctx, 'node.domain=CORP');
    expect(await readNodeConfig(t.sys.paths)).toMatchObject({
      clusterNames: ['ssocluster', 'backup-cluster'],
      domain: 'CORP',
    });
    await setSetting(t.sys.ctx, 'node.domain=');
    expect((await readNodeConfig(t.sys.paths))!.domain).toBeUndefined();
    expect((await failure(setSetting(t.sys.ctx, 'node.name=other'))).code).toBe('CONFLICT');
    expect((await failure(setSetting(t.sys.ctx, 'node.store=/x'))).hint).toContain('ssokit join --db');
  });
});
