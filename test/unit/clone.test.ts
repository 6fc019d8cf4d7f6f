// Environment bundles in-process: export's refusals and preflight, import's staging,
// checks against the manifest, placement into an existing home, and interruption.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { addBizsys, removeBizsys } from '../../src/core/clone/bizsys.js';
import { exportEnvironment } from '../../src/core/clone/export.js';
import { type ImportResult, importEnvironment, planImport } from '../../src/core/clone/import.js';
import { setSetting } from '../../src/core/clone/node-settings.js';
import { createStaging, moveIntoPlace } from '../../src/core/clone/place.js';
import type { HomeContext } from '../../src/core/shared/context.js';
import { homePaths } from '../../src/node/home.js';
import { readNodeConfig } from '../../src/node/node-config.js';
import { currentCaller } from '../../src/node/os-identity.js';
import {
  bizsysFile,
  type CraftedFile,
  manifestFor,
  tarOf,
  writeBundleOf,
  writeCraftedBundle,
} from '../helpers/bundles.js';
import { failure } from '../helpers/failure.js';
import { fastDeps } from '../helpers/fast-deps.js';
import { newSystem, systemPerTest, TEST_ENGINE } from '../helpers/system.js';

const PASSWORD = 'bundle-password-1';
const NOW = new Date('2026-11-23T10:20:30.000Z');
const t = systemPerTest('source');
beforeEach(async () => {
  writeFileSync(join(t.dir.path, 'site.key'), 'KEY');
  writeFileSync(join(t.dir.path, 'run.sh'), '#!/bin/sh\n');
  await addBizsys(t.sys.ctx, {
    name: 'shop',
    publicUrl: 'https://shop.example.com',
    protectedPaths: ['/shop'],
    authServerUrl: 'https://sso.example.com/auth',
    ssl: true,
    files: [
      { role: 'key', source: join(t.dir.path, 'site.key') },
      { role: 'web-config', source: join(t.dir.path, 'run.sh') },
    ],
  });
  await setSetting(t.sys.ctx, 'bizsys.shop.sso-max-inactive-seconds=900');
});

const home = (name: string): HomeContext => ({
  paths: homePaths(join(t.dir.path, name)),
  deps: fastDeps({ now: () => NOW }),
  caller: currentCaller(),
});
const bundlePath = () => join(t.dir.path, 'env.bundle');
const exportTo = (path = bundlePath(), extra: { includeSecret?: boolean; overwrite?: boolean } = {}) =>
  exportEnvironment(t.sys.ctx, { path, password: PASSWORD, includeSecret: false, overwrite: false, ...extra });
const importInto = async (
  target: HomeContext,
  path = bundlePath(),
  options: { force?: boolean; signal?: AbortSignal; onProgress?: (d: number, t: number) => void } = {},
): Promise<ImportResult> =>
  importEnvironment(target, await planImport(target, path, { force: Boolean(options.force) }), PASSWORD, {
    nodeName: 'web2',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
/** Names in a folder, hidden ones included. */
const names = (path: string) => (existsSync(path) ? readdirSync(path).sort() : []);

describe('export', () => {
  test('refuses an existing file, a file inside the environment and a missing folder before writing anything', async () => {
    writeFileSync(bundlePath(), 'old');
    expect((await failure(exportTo())).code).toBe('FILE_EXISTS');
    expect(readFileSync(bundlePath(), 'utf8')).toBe('old');
    expect((await failure(exportTo(join(t.sys.paths.root, 'bizsys', 'shop', 'env.bundle')))).code).toBe(
      'INVALID_INPUT',
    );
    expect((await failure(exportTo(join(t.dir.path, 'no-such-folder', 'env.bundle')))).code).toBe('FILE_NOT_FOUND');
    await exportTo(bundlePath(), { overwrite: true });
    expect(readFileSync(bundlePath()).subarray(0, 16).toString()).toBe('ssokit/bundle/v1');
    expect(statSync(bundlePath()).mode & 0o777).toBe(0o600);
  });

  test('the preflight lists every fault of a broken source, and nothing is written', async () => {
    const shop = join(t.sys.paths.root, 'bizsys', 'shop');
    writeFileSync(
      join(shop, 'bizsys.json'),
      readFileSync(join(shop, 'bizsys.json'), 'utf8').replace('"/shop"', '"no-slash"'),
    );
    rmSync(join(shop, 'files', 'site.key'));
    symlinkSync('/etc/passwd', join(shop, 'files', 'passwd'));
    mkdirSync(join(t.sys.paths.root, 'bizsys', 'orphan'));
    const error = await failure(exportTo());
    expect(error.code).toBe('PREFLIGHT_FAILED');
    expect(error.details).toEqual([
      expect.stringMatching(/^bizsys\/orphan is not a business system/),
      'business system "shop": protected path "no-slash" must start with / and hold no spaces',
      'business system "shop": its key file site.key is missing',
      'bizsys/shop/files/passwd is neither a regular file nor a folder (a bundle carries regular files only)',
    ]);
    expect(names(t.dir.path).filter((n) => n.includes('bundle'))).toEqual([]);
  });

  test('--include-secret needs a node that reaches the master secret server role by a cluster name', async () => {
    const error = await failure(exportTo(bundlePath(), { includeSecret: true }));
    expect(error.details).toEqual([
      expect.stringContaining(
        "the store names 'source' as master secret server, which is not a cluster name of this node",
      ),
    ]);
  });

  test('a master secret file that no longer opens the store fails the preflight', async () => {
    const secretDir = t.sys.paths.secretDir;
    const file = join(secretDir, names(secretDir)[0]!);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/secret: (.)/, (_m, c: string) => `secret: ${c === 'A' ? 'B' : 'A'}`),
    );
    const error = await failure(exportTo());
    expect(error.details).toEqual([expect.stringContaining('the master secret on this node does not open the store')]);
  });

  test('a password outside the rules is refused', async () => {
    const error = await failure(
      exportEnvironment(t.sys.ctx, { path: bundlePath(), password: 'short', includeSecret: false, overwrite: false }),
    );
    expect(error.code).toBe('PASSWORD_POLICY');
  });

  test('an interrupted export leaves neither the bundle nor its temporary file', async () => {
    writeFileSync(join(t.dir.path, 'big.bin'), Buffer.alloc(3 << 20, 7));
    await addBizsys(t.sys.ctx, {
      name: 'big',
      publicUrl: 'https://big.example.com',
      protectedPaths: ['/'],
      authServerUrl: '',
      ssl: true,
      files: [{ role: 'message', source: join(t.dir.path, 'big.bin') }],
    });
    const controller = new AbortController();
    const error = await failure(
      exportEnvironment(
        t.sys.ctx,
        { path: bundlePath(), password: PASSWORD, includeSecret: false, overwrite: false },
        { signal: controller.signal, onProgress: () => controller.abort() },
      ),
    );
    expect([error.code, error.message]).toEqual(['CANCELLED', 'the export was interrupted; nothing was changed']);
    expect(names(t.dir.path).filter((n) => n.includes('bundle'))).toEqual([]);
  });
});

describe('import', () => {
  test("a round trip: definitions, files and node settings, under the node's own name", async () => {
    await setSetting(t.sys.ctx, 'node.domain=CORP');
    await exportTo();
    const target = home('dest');
    const progress: number[] = [];
    const result = await importInto(target, bundlePath(), { onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({
      nodeName: 'web2',
      sourceNode: 'source',
      files: 3,
      includesSecret: false,
      replacedKeptAt: null,
      warnings: [],
    });
    expect(result.businessSystems).toEqual([{ name: 'shop', publicUrl: 'https://shop.example.com:443' }]);
    for (const file of ['bizsys.json', 'files/site.key', 'files/run.sh']) {
      expect(readFileSync(join(target.paths.root, 'bizsys/shop', file))).toEqual(
        readFileSync(join(t.sys.paths.root, 'bizsys/shop', file)),
      );
    }
    expect(await readNodeConfig(target.paths)).toMatchObject({
      nodeName: 'web2',
      domain: 'CORP',
      store: t.sys.ctx.node.store,
      clusterNames: [],
    });
    expect(progress.at(-1)).toBe(statSync(bundlePath()).size - (readFileSync(bundlePath()).indexOf('\nmac: ') + 51));
    expect(names(t.dir.path).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test("the owner's execute bit is restored and nothing else: files 0600 or 0700, folders 0700", async () => {
    chmodSync(join(t.sys.paths.root, 'bizsys/shop/files/run.sh'), 0o755);
    await exportTo();
    const target = home('dest');
    await importInto(target);
    const mode = (p: string) => statSync(join(target.paths.root, p)).mode & 0o777;
    expect([
      mode('bizsys/shop/files/run.sh'),
      mode('bizsys/shop/files/site.key'),
      mode('bizsys/shop'),
      mode('bizsys'),
    ]).toEqual([0o700, 0o600, 0o700, 0o700]);
  });

  test('into an existing, fresh home: what else is there stays, nothing is set aside', async () => {
    await exportTo();
    const target = home('dest');
    mkdirSync(join(target.paths.root, 'backup'), { recursive: true });
    mkdirSync(join(target.paths.root, 'bizsys'));
    writeFileSync(join(target.paths.root, 'backup', 'SSO1A2B.bak'), 'backup');
    await importInto(target);
    expect(names(target.paths.root)).toEqual(['backup', 'bizsys', 'node.json']);
    expect(readFileSync(join(target.paths.root, 'backup', 'SSO1A2B.bak'), 'utf8')).toBe('backup');
  });

  test('--force replaces only the environment, and keeps the one it replaced aside', async () => {
    await exportTo();
    // The destination is a configured node of its own, with a store in its home.
    const other = await newSystem(t.dir.path, 'dest');
    await addBizsys(other.ctx, {
      name: 'old',
      publicUrl: 'https://old.example.com',
      protectedPaths: ['/'],
      authServerUrl: '',
      ssl: true,
      files: [],
    });
    await other.ctx.store.close();
    const target = home('dest');
    const refused = await failure(importInto(target));
    expect([refused.code, refused.message]).toEqual([
      'NODE_NOT_FRESH',
      `this node is not in the state right after installation: it is already set up (${target.paths.nodeFile}); it has business systems; it holds a master secret${
        // A PostgreSQL store is not in the home.
        TEST_ENGINE === 'sqlite' ? `; it has a credential store (${target.paths.defaultStore})` : ''
      }`,
    ]);
    const result = await importInto(target, bundlePath(), { force: true });
    const aside = join(target.paths.root, 'replaced-20261123T102030Z');
    expect(result.replacedKeptAt).toBe(aside);
    expect(names(target.paths.root)).toEqual([
      'bizsys',
      'node.json',
      'node.key',
      'replaced-20261123T102030Z',
      ...(TEST_ENGINE === 'sqlite' ? ['ssodb.sqlite'] : []),
    ]);
    expect(names(aside)).toEqual(['bizsys', 'node.json', 'secret']);
    expect(names(join(aside, 'bizsys'))).toEqual(['old']);
    expect(names(join(target.paths.root, 'bizsys'))).toEqual(['shop']);
    expect((await readNodeConfig(target.paths))!.nodeName).toBe('web2');
  });

  test('a swap that fails half-way puts every item back', async () => {
    const target = home('dest');
    mkdirSync(join(target.paths.root, 'bizsys', 'old'), { recursive: true });
    writeFileSync(target.paths.nodeFile, 'old node');
    const staging = await createStaging(target.paths.root);
    mkdirSync(join(staging.dir, 'bizsys', 'new'), { recursive: true });
    writeFileSync(join(staging.dir, 'node.json'), 'new node');
    let calls = 0;
    const rename = async (from: string, to: string) => {
      if (++calls === 4) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      const { rename: real } = await import('node:fs/promises');
      await real(from, to);
    };
    const error = await failure(moveIntoPlace(staging, target.paths.root, { keepReplaced: true, stamp: 'x', rename }));
    expect(error.message).toContain('it was left as it was');
    expect(names(join(target.paths.root, 'bizsys'))).toEqual(['old']);
    expect(readFileSync(target.paths.nodeFile, 'utf8')).toBe('old node');
    expect(existsSync(join(target.paths.root, 'replaced-x'))).toBe(false);
    expect(names(join(staging.dir, 'bizsys'))).toEqual(['new']);
  });

  test('an interrupted import leaves the destination as it was, without a staging folder', async () => {
    writeFileSync(join(t.dir.path, 'big.bin'), Buffer.alloc(3 << 20, 7));
    await addBizsys(t.sys.ctx, {
      name: 'big',
      publicUrl: 'https://big.example.com',
      protectedPaths: ['/'],
      authServerUrl: '',
      ssl: true,
      files: [{ role: 'message', source: join(t.dir.path, 'big.bin') }],
    });
    await exportTo();
    const controller = new AbortController();
    const target = home('dest');
    const error = await failure(
      importInto(target, bundlePath(), {
        signal: controller.signal,
        onProgress: (done) => done > 1 << 20 && controller.abort(),
      }),
    );
    expect(error.code).toBe('CANCELLED');
    expect(existsSync(target.paths.root)).toBe(false);
    expect(names(t.dir.path).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('a staging folder left by a dead import is removed; a running import is not disturbed', async () => {
    await exportTo();
    const target = home('dest');
    const dead = join(t.dir.path, '.dest.import-999999999-abcdef');
    mkdirSync(dead);
    await importInto(target);
    expect(existsSync(dead)).toBe(false);
    const running = join(t.dir.path, `.other.import-${process.ppid}-abcdef`);
    mkdirSync(running);
    const error = await failure(importInto(home('other')));
    expect([error.code, error.message]).toEqual([
      'CONFLICT',
      `another import into ${join(t.dir.path, 'other')} is running (process ${process.ppid})`,
    ]);
    expect(existsSync(running)).toBe(true);
  });

  const shopDef = bizsysFile('shop', 'https://shop.example.com:443');
  const shopListed = { businessSystems: [{ name: 'shop', publicUrl: 'https://shop.example.com:443' }] };
  const body = Buffer.from('content');
  test.each<[string, () => Promise<void>, string, string]>([
    [
      'a file the manifest lists and the archive lacks',
      () =>
        writeCraftedBundle(
          bundlePath(),
          PASSWORD,
          manifestFor([shopDef, { path: 'bizsys/shop/files/gone', body }], shopListed),
          tarOf([shopDef]),
        ),
      'DAMAGED_FILE',
      'the bundle lacks files its manifest lists: bizsys/shop/files/gone',
    ],
    [
      'a file whose content differs from its manifest entry',
      () =>
        writeCraftedBundle(
          bundlePath(),
          PASSWORD,
          manifestFor([shopDef, { path: 'bizsys/shop/files/a', body }], shopListed),
          tarOf([shopDef, { path: 'bizsys/shop/files/a', body: Buffer.from('other!!') }]),
        ),
      'DAMAGED_FILE',
      'bizsys/shop/files/a in the bundle does not match its manifest (size or SHA-256)',
    ],
    [
      'a master secret file in a bundle that says it has none',
      () => writeBundleOf(bundlePath(), PASSWORD, [{ path: 'secret/x.secret', body }]),
      'UNSAFE_ARCHIVE',
      'a master secret file in a bundle whose header says it holds none',
    ],
    [
      'a compressed archive',
      () =>
        writeCraftedBundle(
          bundlePath(),
          PASSWORD,
          manifestFor([]),
          Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(1020)]),
        ),
      'UNSAFE_ARCHIVE',
      'a compressed archive',
    ],
    [
      'a path that is both a file and a folder',
      () =>
        writeBundleOf(bundlePath(), PASSWORD, [
          { path: 'bizsys/a', body },
          { path: 'bizsys/a/b', body },
        ]),
      'UNSAFE_ARCHIVE',
      'a path that is both a file and a folder',
    ],
    [
      'the same path twice',
      () =>
        writeBundleOf(bundlePath(), PASSWORD, [
          { path: 'bizsys/a', body },
          { path: 'bizsys/a', body },
        ]),
      'UNSAFE_ARCHIVE',
      'a second entry with the same path',
    ],
    [
      'a hidden name',
      () => writeBundleOf(bundlePath(), PASSWORD, [{ path: 'bizsys/.x', body }]),
      'UNSAFE_ARCHIVE',
      'a hidden name',
    ],
    [
      'a business system definition that is not valid',
      () =>
        writeBundleOf(
          bundlePath(),
          PASSWORD,
          [{ ...shopDef, body: Buffer.from(shopDef.body.toString().replace('"/"', '"no-slash"')) }],
          shopListed,
        ),
      'BAD_FORMAT',
      'its business systems are not valid',
    ],
    [
      'business systems other than the manifest lists',
      () => writeBundleOf(bundlePath(), PASSWORD, [shopDef]),
      'BAD_FORMAT',
      'differ from the list in its manifest',
    ],
    [
      'a header and a manifest that disagree about the secret',
      () => writeBundleOf(bundlePath(), PASSWORD, [shopDef], shopListed, { includesSecret: true }),
      'BAD_FORMAT',
      'disagree about the master secret',
    ],
    [
      'a store that is not an absolute path',
      () => writeBundleOf(bundlePath(), PASSWORD, [], { environment: { clusterNames: [], store: 'relative.sqlite' } }),
      'BAD_FORMAT',
      'the store is not an absolute path',
    ],
    [
      'a PostgreSQL store named with its password',
      () =>
        writeBundleOf(bundlePath(), PASSWORD, [], {
          environment: { clusterNames: [], store: 'postgres://sso:hunter2@db1/ssodb' },
        }),
      'BAD_FORMAT',
      'the store is not a usable PostgreSQL URL',
    ],
  ])('refused, with nothing written: %s', async (_what, craft, code, text) => {
    await craft();
    const target = home('dest');
    const error = await failure(importInto(target));
    expect([error.code, error.message]).toEqual([code, expect.stringContaining(text)]);
    expect(existsSync(target.paths.root)).toBe(false);
    expect(names(t.dir.path).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('a crafted bundle that tells the truth imports (the checks above fail for their own reason)', async () => {
    const files: CraftedFile[] = [
      bizsysFile('shop', 'https://shop.example.com:443'),
      { path: 'bizsys/shop/files/extra', body },
    ];
    await writeBundleOf(bundlePath(), PASSWORD, files, shopListed);
    const target = home('dest');
    expect((await importInto(target)).files).toBe(2);
    expect(readFileSync(join(target.paths.root, 'bizsys/shop/files/extra'), 'utf8')).toBe('content');
    expect((await readNodeConfig(target.paths))!.store).toBe('/nowhere/ssodb.sqlite');
  });

  test('an environment without business systems (an archive of zero blocks) travels too', async () => {
    await removeBizsys(t.sys.ctx, 'shop');
    await setSetting(t.sys.ctx, 'node.cluster-names=web-cluster');
    await exportTo();
    const target = home('dest');
    const result = await importInto(target);
    expect([result.files, result.businessSystems]).toEqual([0, []]);
    expect(await readNodeConfig(target.paths)).toMatchObject({ nodeName: 'web2', clusterNames: ['web-cluster'] });
  });
});
