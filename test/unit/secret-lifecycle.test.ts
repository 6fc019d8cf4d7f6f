import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupSecret } from '../../src/core/secret/backup.js';
import { readSecretBackup } from '../../src/core/secret/backup-file.js';
import { loadMasterKeyring } from '../../src/core/secret/keyring.js';
import { reencryptStore } from '../../src/core/secret/reencrypt.js';
import { completeRestore, planRestore } from '../../src/core/secret/restore.js';
import { rotateSecret } from '../../src/core/secret/rotate.js';
import { listMasterSecrets } from '../../src/core/secret/secret-records.js';
import { secretStatus, secretWarnings } from '../../src/core/secret/status.js';
import { verifyBackup } from '../../src/core/secret/verify.js';
import { initSystem } from '../../src/core/system/init.js';
import { joinStore } from '../../src/core/system/join.js';
import type { SsoError } from '../../src/errors.js';
import { homePaths } from '../../src/node/home.js';
import { currentCaller } from '../../src/node/os-identity.js';
import { failure } from '../helpers/failure.js';
import { fastDeps } from '../helpers/fast-deps.js';
import { newSystem, openAllCredentials, PASSWORD, reopen, seedCredentials, TEST_ENGINE } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const mode = (path: string) => statSync(path).mode & 0o777;
const backupTo = (name: string, overwrite = false) => ({
  path: join(dir.path, name),
  password: PASSWORD,
  reminder: 'hint',
  overwrite,
});

describe('init', () => {
  test('creates a private home, secret file, store and backup', async () => {
    const { ctx, paths, backupPath } = await newSystem(dir.path);
    expect(mode(paths.root)).toBe(0o700);
    expect(mode(paths.secretDir)).toBe(0o700);
    const [secretFile] = readdirSync(paths.secretDir);
    expect(mode(join(paths.secretDir, secretFile!))).toBe(0o600);
    // A SQLite store is a file of the home; a PostgreSQL one is not on this disk at all.
    if (TEST_ENGINE === 'sqlite') expect(mode(paths.defaultStore)).toBe(0o600);
    expect(mode(backupPath)).toBe(0o600);
    expect(mode(paths.nodeFile)).toBe(0o600);
    const status = await secretStatus(ctx);
    expect(status).toMatchObject({ isSecretServer: true, matchesStore: true, warnings: [] });
    expect(status.current.generation).toBe(1);
    expect(status.current.backedUpAt).not.toBeNull();
    // The store never holds the secret: its bytes appear nowhere in the database file.
    const secret = (await loadMasterKeyring(ctx, 'test')).current.secret;
    if (TEST_ENGINE === 'sqlite') expect(readFileSync(paths.defaultStore).includes(Buffer.from(secret))).toBe(false);
    await ctx.store.close();
  });

  test('without a backup every later command is warned, until one is made', async () => {
    const paths = homePaths(join(dir.path, 'n'));
    const caller = currentCaller();
    await initSystem({
      paths,
      deps: fastDeps(),
      caller,
      nodeName: 'n',
      clusterNames: [],
      storePath: paths.defaultStore,
      ssoAdminAccount: caller.user,
      affiliateAdminAccount: caller.user,
      backup: null,
    });
    const ctx = await reopen(paths);
    expect((await secretWarnings(ctx)).join()).toMatch(/has not been backed up/);
    await backupSecret(ctx, backupTo('late.bak'));
    expect(await secretWarnings(ctx)).toEqual([]);
    await ctx.store.close();
  });

  test('a too-short backup password is refused before anything is written', async () => {
    const paths = homePaths(join(dir.path, 'n'));
    await expect(
      initSystem({
        paths,
        deps: fastDeps(),
        caller: currentCaller(),
        nodeName: 'n',
        clusterNames: [],
        storePath: paths.defaultStore,
        ssoAdminAccount: 'a',
        affiliateAdminAccount: 'a',
        backup: { path: join(dir.path, 'b.bak'), password: 'short', reminder: '', overwrite: false },
      }),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    expect(existsSync(paths.root)).toBe(false);
    expect(existsSync(join(dir.path, 'b.bak'))).toBe(false);
  });

  test('a failed init removes everything it created', async () => {
    const paths = homePaths(join(dir.path, 'n'));
    writeFileSync(join(dir.path, 'taken.bak'), 'x');
    await expect(
      initSystem({
        paths,
        deps: fastDeps(),
        caller: currentCaller(),
        nodeName: 'n',
        clusterNames: [],
        storePath: join(dir.path, 'nofolder', 's.sqlite'),
        ssoAdminAccount: 'a',
        affiliateAdminAccount: 'a',
        backup: backupTo('b.bak'),
      }),
    ).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(existsSync(join(dir.path, 'b.bak'))).toBe(false);
    // The missing folder is found before anything is made: not even the home is left.
    expect(existsSync(paths.root)).toBe(false);
  });
});

describe('rotate', () => {
  test('re-wraps data keys only: credential ciphertexts are untouched and all still open', async () => {
    const { ctx } = await newSystem(dir.path);
    await seedCredentials(ctx, 3, 5);
    const before = await openAllCredentials(ctx);
    const ciphertextsBefore = await ctx.store.all('SELECT mapping_id, ciphertext FROM credentials ORDER BY mapping_id');
    const oldId = (await loadMasterKeyring(ctx, 't')).current.id;

    const result = await rotateSecret(ctx, backupTo('rotated.bak'));
    expect(result).toMatchObject({ previousId: oldId, generation: 2, dataKeysRewrapped: 3 });

    const after = await reopen(ctx.paths);
    expect(await openAllCredentials(after)).toEqual(before);
    expect(await after.store.all('SELECT mapping_id, ciphertext FROM credentials ORDER BY mapping_id')).toEqual(
      ciphertextsBefore,
    );
    const keys = await after.store.all<{ master_secret_id: string }>('SELECT master_secret_id FROM data_keys');
    expect(new Set(keys.map((k) => k.master_secret_id))).toEqual(new Set([result.currentId]));
    const registry = await listMasterSecrets(after.store);
    expect(registry.map((r) => [r.generation, r.state])).toEqual([
      [2, 'current'],
      [1, 'previous'],
    ]);
    // The new backup holds the new secret as current and the old one as previous.
    const header = (await readSecretBackup(join(dir.path, 'rotated.bak'))).header;
    expect([header.currentId, header.previousId]).toEqual([result.currentId, oldId]);
    await after.store.close();
    await ctx.store.close();
  });

  test('a third rotation retires the oldest secret and prunes its file', async () => {
    const { ctx, paths } = await newSystem(dir.path);
    const first = (await loadMasterKeyring(ctx, 't')).current.id;
    await rotateSecret(ctx, backupTo('r2.bak'));
    const third = await rotateSecret(ctx, backupTo('r3.bak'));
    expect(third.prunedSecretFiles).toEqual([first]);
    expect(readdirSync(paths.secretDir)).toHaveLength(2);
    expect((await listMasterSecrets(ctx.store)).map((r) => r.state)).toEqual(['current', 'previous', 'retired']);
    await ctx.store.close();
  });

  test('an existing backup file stops the rotation before anything changes', async () => {
    const { ctx, paths } = await newSystem(dir.path);
    writeFileSync(join(dir.path, 'exists.bak'), 'keep me');
    const filesBefore = readdirSync(paths.secretDir);
    await expect(rotateSecret(ctx, backupTo('exists.bak'))).rejects.toMatchObject({ code: 'FILE_EXISTS' });
    expect(readFileSync(join(dir.path, 'exists.bak'), 'utf8')).toBe('keep me');
    expect(readdirSync(paths.secretDir)).toEqual(filesBefore);
    expect(await listMasterSecrets(ctx.store)).toHaveLength(1);
    await ctx.store.close();
  });

  test('the pre-rotation backup is reported stale afterwards', async () => {
    const { ctx, backupPath } = await newSystem(dir.path);
    await rotateSecret(ctx, backupTo('new.bak'));
    const stale = await verifyBackup(ctx, backupPath, await readSecretBackup(backupPath), PASSWORD).catch(
      (e: unknown) => e,
    );
    expect(stale).toMatchObject({ code: 'STALE_BACKUP' });
    expect((stale as SsoError).message).toMatch(/generation 1.*generation 2/);
    const fresh = await verifyBackup(ctx, 'new.bak', await readSecretBackup(join(dir.path, 'new.bak')), PASSWORD);
    expect(fresh).toMatchObject({ state: 'current', generation: 2, matchesLocalCopy: true });
    await ctx.store.close();
  });
});

describe('reencrypt', () => {
  test('every credential gets a new ciphertext under a new data key, values unchanged', async () => {
    const { ctx } = await newSystem(dir.path);
    await seedCredentials(ctx, 4, 6);
    const before = await openAllCredentials(ctx);
    const oldKeys = await ctx.store.all<{ id: number }>('SELECT id FROM data_keys');
    const oldCipher = await ctx.store.all<{ ciphertext: Uint8Array }>(
      'SELECT ciphertext FROM credentials ORDER BY mapping_id',
    );
    const progress: number[] = [];
    const result = await reencryptStore(ctx, { batchSize: 5, onProgress: (p) => progress.push(p.done) });
    expect(result).toMatchObject({ resumed: false, applications: 4, credentials: 24, retiredKeys: 4 });
    expect(progress.at(-1)).toBe(24);
    const after = await reopen(ctx.paths);
    expect(await openAllCredentials(after)).toEqual(before);
    const newKeys = await after.store.all<{ id: number }>('SELECT id FROM data_keys');
    expect(newKeys.some((k) => oldKeys.some((o) => o.id === k.id))).toBe(false);
    const newCipher = await after.store.all<{ ciphertext: Uint8Array }>(
      'SELECT ciphertext FROM credentials ORDER BY mapping_id',
    );
    for (const [i, row] of newCipher.entries()) {
      expect(Buffer.from(row.ciphertext).equals(Buffer.from(oldCipher[i]!.ciphertext))).toBe(false);
    }
    await after.store.close();
    await ctx.store.close();
  });

  test('an interrupted re-encryption resumes where it stopped', async () => {
    const { ctx } = await newSystem(dir.path);
    await seedCredentials(ctx, 2, 10);
    const before = await openAllCredentials(ctx);
    let batches = 0;
    await expect(
      reencryptStore(ctx, {
        batchSize: 3,
        onProgress: () => {
          if (++batches === 3) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    // Mid-way: some rows on new keys, some on retiring ones, all of them open.
    expect(await openAllCredentials(ctx)).toEqual(before);
    expect((await secretStatus(ctx)).reencryptPending).toBe(true);
    const resumed = await reencryptStore(ctx, { batchSize: 3 });
    expect(resumed).toMatchObject({ resumed: true, credentials: 14 });
    expect(await openAllCredentials(ctx)).toEqual(before);
    expect((await secretStatus(ctx)).reencryptPending).toBe(false);
    await ctx.store.close();
  });
});

describe('restore', () => {
  test('a second node restores the secret once it is named secret server, and credentials open there', async () => {
    const { ctx, backupPath } = await newSystem(dir.path);
    await seedCredentials(ctx, 2, 2);
    const expected = await openAllCredentials(ctx);
    const betaPaths = homePaths(join(dir.path, 'beta'));
    await joinStore({
      paths: betaPaths,
      deps: fastDeps(),
      caller: currentCaller(),
      storePath: ctx.node.store,
      nodeName: 'beta',
      defaultNodeName: 'beta',
      clusterNames: undefined,
      domain: undefined,
    });
    const beta = await reopen(betaPaths);
    // Not the master secret server yet: refused, naming both nodes.
    const refused = await planRestore(beta, backupPath, false).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'NOT_SECRET_SERVER' });
    expect((refused as SsoError).message).toMatch(/'alpha'.*'beta'/);

    await beta.store.run("UPDATE global_info SET secret_server = 'beta'");
    const plan = await planRestore(beta, backupPath, false);
    expect(plan.reminder).toBe('test');
    await expect(completeRestore(beta, plan, 'not the password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(existsSync(betaPaths.secretDir)).toBe(false);
    await completeRestore(beta, plan, PASSWORD);
    expect(await openAllCredentials(beta)).toEqual(expected);
    await beta.store.close();
    await ctx.store.close();
  });

  test('a backup of another system is refused unless forced', async () => {
    const { ctx } = await newSystem(dir.path, 'alpha');
    const other = await newSystem(dir.path, 'other');
    const error = await planRestore(ctx, other.backupPath, false).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WRONG_SECRET' });
    const otherId = (await loadMasterKeyring(other.ctx, 't')).current.id;
    const ownId = (await loadMasterKeyring(ctx, 't')).current.id;
    expect((error as SsoError).message).toContain(otherId);
    expect((error as SsoError).message).toContain(ownId);
    const plan = await planRestore(ctx, other.backupPath, true);
    expect(plan.match).toBe('forced');
    await ctx.store.close();
    await other.ctx.store.close();
  });
});

describe('secret file hygiene', () => {
  test('a secret file group or others can read is refused', async () => {
    const { ctx, paths } = await newSystem(dir.path);
    const file = join(paths.secretDir, readdirSync(paths.secretDir)[0]!);
    chmodSync(file, 0o644);
    const error = await loadMasterKeyring(ctx, 'testing').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FILE_PERMISSIONS' });
    expect((error as SsoError).message).toMatch(/0644.*too open/);
    expect((error as SsoError).hint).toContain('chmod 600');
    await ctx.store.close();
  });

  test('a secret file whose content does not match its name is refused', async () => {
    const { ctx, paths } = await newSystem(dir.path);
    const file = join(paths.secretDir, readdirSync(paths.secretDir)[0]!);
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace(/secret: ./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A')),
    );
    await expect(loadMasterKeyring(ctx, 'testing')).rejects.toMatchObject({ code: 'DAMAGED_FILE' });
    await ctx.store.close();
  });

  test('a credential moved onto another mapping row does not open there', async () => {
    const { ctx } = await newSystem(dir.path);
    await seedCredentials(ctx, 1, 2);
    const [a, b] = await ctx.store.all<{ mapping_id: number; ciphertext: Uint8Array }>(
      'SELECT mapping_id, ciphertext FROM credentials ORDER BY mapping_id',
    );
    await ctx.store.run('UPDATE credentials SET ciphertext = ? WHERE mapping_id = ?', [a!.ciphertext, b!.mapping_id]);
    await expect(openAllCredentials(ctx)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    await ctx.store.close();
  });
});

describe('re-encryption interrupted', () => {
  test('stops between batches with a sentence on how to finish, and running again finishes it', async () => {
    const t = await newSystem(dir.path, 'reenc');
    await seedCredentials(t.ctx, 2, 30);
    const controller = new AbortController();
    const stopped = await failure(
      reencryptStore(t.ctx, {
        batchSize: 10,
        signal: controller.signal,
        onProgress: ({ done }) => {
          if (done > 0) controller.abort();
        },
      }),
    );
    expect(stopped.code).toBe('CANCELLED');
    expect(stopped.message).toMatch(/^re-encryption interrupted after 10 of 60 credentials and config-store bags/);
    expect(stopped.hint).toBe('run ssokit secret reencrypt again to finish it');
    const finished = await reencryptStore(t.ctx);
    expect(finished).toMatchObject({ resumed: true, credentials: 50 });
    await t.ctx.store.close();
  });
});
