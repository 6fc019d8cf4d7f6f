// An import killed during its swap (a few renames) is finished by the next import into that home.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recoverStaging } from '../../src/core/clone/place.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

/** A process id no process has (beyond Linux's largest pid_max). */
const DEAD_PID = 99_999_999;

function staged(
  parent: string,
  name: string,
  items: Record<string, string>,
  ready: { aside: string; items: string[] } | null,
): string {
  const staging = join(parent, name);
  mkdirSync(staging, { recursive: true });
  for (const [path, text] of Object.entries(items)) {
    mkdirSync(join(staging, path, '..'), { recursive: true });
    writeFileSync(join(staging, path), text);
  }
  if (ready) writeFileSync(join(staging, '.ready'), JSON.stringify(ready));
  return staging;
}

test('killed after bizsys/ moved in and before node.json: the next import moves node.json in', async () => {
  const home = join(dir.path, 'web2');
  mkdirSync(join(home, 'bizsys', 'shop'), { recursive: true });
  writeFileSync(join(home, 'bizsys', 'shop', 'bizsys.json'), 'new');
  const aside = join(home, 'replaced-x');
  staged(home, `.import-${DEAD_PID}-ab12`, { 'node.json': 'new node' }, { aside, items: ['bizsys', 'node.json'] });
  expect(await recoverStaging(home)).toBe(true);
  expect(readdirSync(home).sort()).toEqual(['bizsys', 'node.json']);
  expect(readFileSync(join(home, 'node.json'), 'utf8')).toBe('new node');
});

test('killed after the old item was set aside and before the new one moved in', async () => {
  const home = join(dir.path, 'web2');
  const aside = join(home, 'replaced-x');
  mkdirSync(join(aside, 'bizsys'), { recursive: true });
  writeFileSync(join(home, 'node.json'), 'old node');
  staged(
    home,
    `.import-${DEAD_PID}-ab12`,
    { 'bizsys/shop/bizsys.json': 'new', 'node.json': 'new node' },
    { aside, items: ['bizsys', 'node.json'] },
  );
  expect(await recoverStaging(home)).toBe(true);
  expect(readFileSync(join(home, 'bizsys', 'shop', 'bizsys.json'), 'utf8')).toBe('new');
  expect(readFileSync(join(home, 'node.json'), 'utf8')).toBe('new node');
  expect(readFileSync(join(aside, 'node.json'), 'utf8')).toBe('old node');
});

test('an old secret/ the environment lacks is set aside, not kept', async () => {
  const home = join(dir.path, 'web2');
  mkdirSync(join(home, 'secret'), { recursive: true });
  const aside = join(home, 'replaced-x');
  staged(home, `.import-${DEAD_PID}-ab12`, { 'node.json': 'new node' }, { aside, items: ['node.json'] });
  await recoverStaging(home);
  expect(existsSync(join(home, 'secret'))).toBe(false);
  expect(existsSync(join(aside, 'secret'))).toBe(true);
});

test('a new home killed before its one rename: the staging beside it becomes the home', async () => {
  const home = join(dir.path, 'web2');
  staged(
    dir.path,
    `.web2.import-${DEAD_PID}-ab12`,
    { 'node.json': 'new node' },
    { aside: join(home, 'replaced-x'), items: ['node.json'] },
  );
  expect(await recoverStaging(home)).toBe(true);
  expect(readdirSync(home)).toEqual(['node.json']);
});

test('staging that never got ready is removed, and the home is left alone', async () => {
  const home = join(dir.path, 'web2');
  mkdirSync(home);
  staged(home, `.import-${DEAD_PID}-ab12`, { 'node.json': 'half written' }, null);
  expect(await recoverStaging(home)).toBe(false);
  expect(readdirSync(home)).toEqual([]);
});

test('staging of a live import is refused', async () => {
  const home = join(dir.path, 'web2');
  staged(home, `.import-${process.ppid}-ab12`, {}, null);
  await expect(recoverStaging(home)).rejects.toMatchObject({ code: 'CONFLICT' });
});
