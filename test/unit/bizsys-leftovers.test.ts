// What interrupted bizsys commands leave (src/node/bizsys-files.ts): harmless, named by
// `ssokit check` as a warning, left out of the health check an export runs, and cleared by
// `bizsys remove` and the next `bizsys add` of the name.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkNode } from '../../src/core/check/check.js';
import {
  addBizsys,
  bizsysHealth,
  planBizsysRemoval,
  removeBizsysFound,
  requireBizsys,
} from '../../src/core/clone/bizsys.js';
import { listBizsysLeftovers } from '../../src/node/bizsys-files.js';
import { currentCaller } from '../../src/node/os-identity.js';
import { failure } from '../helpers/failure.js';
import { fastDeps } from '../helpers/fast-deps.js';
import { systemPerTest } from '../helpers/system.js';

const t = systemPerTest();
const bizsys = (...parts: string[]) => join(t.sys.paths.root, 'bizsys', ...parts);
const check = () => checkNode({ paths: t.sys.paths, deps: fastDeps(), caller: currentCaller() });
/** A pid no process has (above the kernel's pid_max). */
const DEAD_PID = 4_194_305;

const add = (name: string) =>
  addBizsys(t.sys.ctx, {
    name,
    publicUrl: `https://${name}.example.com`,
    protectedPaths: ['/'],
    authServerUrl: '',
    ssl: true,
    files: [{ role: 'web-config', source: join(t.dir.path, 'site.conf') }],
  });

beforeEach(() => {
  writeFileSync(join(t.dir.path, 'site.conf'), 'Listen 443\n');
  mkdirSync(bizsys(), { recursive: true, mode: 0o700 });
});

function leave(path: string, file = 'site.conf'): void {
  mkdirSync(join(path, 'files'), { recursive: true, mode: 0o700 });
  writeFileSync(join(path, 'files', file), 'half a file');
}

test('a staging folder of a dead add: a warning, no problem, and the next add clears it', async () => {
  leave(bizsys(`.shop.adding-${DEAD_PID}-0123456789ab`));
  const report = await check();
  expect(report.problems).toBe(0);
  expect(report.findings).toContainEqual({
    area: 'files',
    level: 'warning',
    message: expect.stringContaining(`.shop.adding-${DEAD_PID}-0123456789ab was left by an interrupted add`),
  });
  expect(await bizsysHealth(t.sys.ctx)).toEqual([]);
  await add('shop');
  expect(readdirSync(bizsys())).toEqual(['shop']);
});

test("a live process's staging folder is an add under way: not named", async () => {
  leave(bizsys(`.shop.adding-${process.pid}-0123456789ab`));
  expect(listBizsysLeftovers(t.sys.paths)).toEqual([]);
});

test('a folder of temporary files only, without a definition, is an interrupted add of an earlier ssokit', async () => {
  leave(bizsys('shop'), '.site.conf.tmp-0123456789ab');
  expect((await check()).problems).toBe(0);
  expect(await bizsysHealth(t.sys.ctx)).toEqual([]);
  const removal = await planBizsysRemoval(t.sys.ctx, 'shop');
  expect(removal).toMatchObject({ name: 'shop', system: null, folder: true, leftovers: [] });
  await removeBizsysFound(t.sys.ctx, removal);
  expect(readdirSync(bizsys())).toEqual([]);
});

test('a folder with a real file and no definition is still a problem, and remove takes it away', async () => {
  leave(bizsys('shop'));
  expect(await bizsysHealth(t.sys.ctx)).toEqual([expect.stringMatching(/^bizsys\/shop is not a business system/)]);
  expect((await failure(add('shop'))).code).toBe('ALREADY_EXISTS');
  await removeBizsysFound(t.sys.ctx, await planBizsysRemoval(t.sys.ctx, 'shop'));
  expect(existsSync(bizsys('shop'))).toBe(false);
});

test('a damaged definition can be removed, as its hint says', async () => {
  await add('shop');
  writeFileSync(bizsys('shop', 'bizsys.json'), '{ not json');
  expect((await failure(requireBizsys(t.sys.ctx, 'shop'))).code).toBe('BAD_FORMAT');
  await removeBizsysFound(t.sys.ctx, await planBizsysRemoval(t.sys.ctx, 'shop'));
  expect(readdirSync(bizsys())).toEqual([]);
});

test('a remove with nothing there is NOT_FOUND; one with only leftovers clears them', async () => {
  expect((await failure(planBizsysRemoval(t.sys.ctx, 'shop'))).code).toBe('NOT_FOUND');
  expect((await failure(planBizsysRemoval(t.sys.ctx, '../secret'))).code).toBe('NOT_FOUND');
  leave(bizsys(`.shop.adding-${DEAD_PID}-0123456789ab`));
  leave(bizsys(`.shop.removed-${DEAD_PID}-lz3k9x`));
  leave(bizsys(`.other.adding-${DEAD_PID}-0123456789ab`));
  const removal = await planBizsysRemoval(t.sys.ctx, 'shop');
  expect(removal.folder).toBe(false);
  expect(removal.leftovers).toHaveLength(2);
  await removeBizsysFound(t.sys.ctx, removal);
  expect(readdirSync(bizsys())).toEqual([`.other.adding-${DEAD_PID}-0123456789ab`]);
});

test('a temporary file an interrupted update left inside a business system is a warning', async () => {
  await add('shop');
  writeFileSync(bizsys('shop', 'files', '.site.crt.tmp-0123456789ab'), 'half');
  const report = await check();
  expect(report.problems).toBe(0);
  expect(report.findings).toContainEqual(
    expect.objectContaining({ level: 'warning', message: expect.stringContaining('an interrupted change') }),
  );
});

test('an add that cannot read its second file makes nothing', async () => {
  const error = await failure(
    addBizsys(t.sys.ctx, {
      name: 'shop',
      publicUrl: 'https://shop.example.com',
      protectedPaths: ['/'],
      authServerUrl: '',
      ssl: true,
      files: [
        { role: 'web-config', source: join(t.dir.path, 'site.conf') },
        { role: 'message', source: '/dev/null' },
      ],
    }),
  );
  expect([error.code, error.message]).toEqual([
    'INVALID_INPUT',
    expect.stringContaining('/dev/null is not a regular file'),
  ]);
  expect(readdirSync(bizsys())).toEqual([]);
});
