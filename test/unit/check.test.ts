import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { checkNode } from '../../src/core/check/check.js';
import type { CheckReport } from '../../src/core/check/report.js';
import { currentCaller } from '../../src/node/os-identity.js';
import { ensurePrivateDir } from '../../src/node/private-files.js';
import { failure } from '../helpers/failure.js';
import { fastDeps } from '../helpers/fast-deps.js';
import { testNeeding } from '../helpers/requirements.js';
import { seedCredentials, systemPerTest } from '../helpers/system.js';

const t = systemPerTest();
beforeEach(async () => {
  await seedCredentials(t.sys.ctx, 3, 4);
});

const check = () => checkNode({ paths: t.sys.paths, deps: fastDeps(), caller: currentCaller() });
const problems = (report: CheckReport) =>
  report.findings.filter((f) => f.level === 'problem').map((f) => `${f.area}: ${f.message}`);
const warnings = (report: CheckReport) =>
  report.findings.filter((f) => f.level === 'warning').map((f) => `${f.area}: ${f.message}`);
const secretFile = () => join(t.sys.paths.secretDir, readdirSync(t.sys.paths.secretDir)[0]!);

function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      out[join(entry.parentPath, entry.name)] = createHash('sha256')
        .update(readFileSync(join(entry.parentPath, entry.name)))
        .digest('hex');
  }
  return out;
}

describe('ssokit check', () => {
  test('a sound node: no problems, every key, credential and bag opened, and nothing written', async () => {
    await t.sys.ctx.store.close();
    const before = hashTree(t.sys.paths.root);
    const report = await check();
    expect(problems(report)).toEqual([]);
    expect(warnings(report)).toEqual([]);
    expect(report.counts).toEqual({ applications: 3, dataKeys: 3, credentials: 12, configEntries: 0, opened: 15 });
    expect(report.findings.map((f) => f.area)).toEqual(
      expect.arrayContaining(['files', 'store', 'secret', 'backup', 'keys', 'credentials']),
    );
    // Everything, the store file included, is byte for byte as it was, and check leaves no
    // -wal or -shm file behind (issue 11, item 7: it used to, owned by whoever ran it).
    expect(hashTree(t.sys.paths.root)).toEqual(before);
  });

  test('a credential with one flipped byte, and two credentials swapped between rows', async () => {
    await t.sys.ctx.store.run('UPDATE credentials SET ciphertext = zeroblob(length(ciphertext)) WHERE mapping_id = 2');
    await t.sys.ctx.store.run(
      'UPDATE credentials SET ciphertext = (SELECT ciphertext FROM credentials WHERE mapping_id = 4) WHERE mapping_id = 3',
    );
    const report = await check();
    expect(problems(report)).toEqual([
      expect.stringMatching(/^credentials: 2 credentials do not open .*: mapping 2, mapping 3$/),
    ]);
    expect(report.counts.opened).toBe(13);
  });

  test("a credential sealed under another application's data key", async () => {
    await t.sys.ctx.store.run(
      'UPDATE credentials SET data_key_id = (SELECT MAX(id) FROM data_keys) WHERE mapping_id = 1',
    );
    expect(problems(await check())).toEqual([
      expect.stringMatching(/1 credentials are sealed under another application's data key: mapping 1/),
    ]);
  });

  test('a damaged wrapped data key', async () => {
    await t.sys.ctx.store.run('UPDATE data_keys SET wrapped = zeroblob(length(wrapped)) WHERE id = 1');
    expect(problems(await check())).toEqual([
      expect.stringMatching(/^keys: 1 data key\(s\) do not open with their master secret: data key 1$/),
    ]);
  });

  test('rows whose parent is gone (foreign keys), found by the engine', async () => {
    await t.sys.ctx.store.run('PRAGMA foreign_keys = OFF');
    await t.sys.ctx.store.run('DELETE FROM mappings WHERE id = 5');
    expect(problems(await check())).toEqual([
      expect.stringMatching(/^store: 1 row\(s\) of credentials name a missing mappings row/),
    ]);
  });

  test('a secret file others can read, and one missing on the master secret server', async () => {
    chmodSync(secretFile(), 0o644);
    expect(problems(await check())).toEqual([
      expect.stringMatching(/^files: the secret file .* has mode 0644/),
      expect.stringMatching(
        /^secret: this node is the master secret server and has the current master secret's file, but cannot use it/,
      ),
    ]);
    rmSync(secretFile());
    expect(problems(await check())).toEqual([
      expect.stringMatching(/^secret: this node is the master secret server but holds no usable copy/),
    ]);
  });

  test('a secret file whose content does not match its name', async () => {
    const path = secretFile();
    writeFileSync(path, readFileSync(path, 'utf8').replace(/secret: ./, 'secret: A'));
    expect(problems(await check())).toEqual([
      expect.stringMatching(/^secret: the secret file .* is damaged/),
      expect.stringMatching(
        /^secret: this node is the master secret server and has the current master secret's file, but cannot use it/,
      ),
    ]);
  });

  test('a secret never backed up is a problem; an interrupted re-encryption and leftovers are warnings', async () => {
    await t.sys.ctx.store.run('UPDATE master_secrets SET backed_up_at = NULL');
    await t.sys.ctx.store.run("UPDATE data_keys SET state = 'retiring' WHERE id = 1");
    writeFileSync(join(t.sys.paths.root, '.node.json.tmp-0123456789ab'), '');
    const report = await check();
    expect(problems(report)).toEqual([
      expect.stringMatching(/^backup: the current master secret .* has never been backed up/),
    ]);
    expect(warnings(report)).toEqual([
      expect.stringMatching(/^files: .*\.node\.json\.tmp-0123456789ab was left by a command that did not finish/),
      expect.stringMatching(/^keys: 1 data key\(s\) wait for an interrupted re-encryption/),
    ]);
  });

  test('a store that is not a database is one problem, and the rest is still checked', async () => {
    await t.sys.ctx.store.close();
    for (const suffix of ['-wal', '-shm']) rmSync(t.sys.paths.defaultStore + suffix, { force: true });
    writeFileSync(t.sys.paths.defaultStore, Buffer.alloc(8192, 7), { mode: 0o600 });
    const report = await check();
    expect(problems(report)).toEqual([
      expect.stringMatching(/^store: the store does not open: .*is not an ssokit credential store/),
    ]);
    expect(report.findings.some((f) => f.area === 'files' && f.level === 'ok')).toBe(true);
  });

  testNeeding(process.getuid?.() === 0 ? null : 'not root (chown needs it)', 'home ownership check')(
    'a home that another OS user owns is a problem',
    async () => {
      chownSync(t.sys.paths.root, 65534, 65534);
      expect(problems(await check())).toContainEqual(expect.stringMatching(/^files: the home .* belongs to uid 65534/));
      chownSync(t.sys.paths.root, 0, 0);
    },
  );

  test('a secret/ that is a symbolic link is a problem, and no secret is written through it', async () => {
    const elsewhere = join(t.sys.paths.root, '..', 'elsewhere');
    renameSync(t.sys.paths.secretDir, elsewhere);
    symlinkSync(elsewhere, t.sys.paths.secretDir);
    expect(problems(await check())).toContainEqual(
      expect.stringMatching(/^files: the secret folder .* is a symbolic link/),
    );
    const refused = await failure(ensurePrivateDir(t.sys.paths.secretDir));
    expect([refused.code, refused.message]).toEqual([
      'FILE_PERMISSIONS',
      expect.stringContaining('is a symbolic link'),
    ]);
  });
});
