/**
 * The Store contract as one suite that every adapter must pass, in the manner of restic's
 * backend tests: an adapter's test file describes how to make a place for a store, how to
 * fill one with another application's tables and how to damage a store behind the
 * engine's back, then calls `storeContract`. What core may rely on is what this suite
 * holds every engine to; what differs between engines (overlapping transactions on one
 * handle) is stated by the adapter and held to what it states.
 */

import { Worker } from 'node:worker_threads';
import { SsoError } from '../../src/errors.js';
import type { OpenStoreOptions } from '../../src/store/open-store.js';
import { type Queryable, type Store, StoreConstraintError } from '../../src/store/store.js';
import type { StoreAddress } from './address.js';

export interface StorePlace {
  /** Plain data a worker thread can open its own handle from. */
  address: StoreAddress;
  /** Opens the store here (`create` makes it: the place must be empty). */
  open(options?: Partial<OpenStoreOptions>): Promise<Store>;
  /** Puts another application's table here (before any store is made). */
  makeForeign(): Promise<void>;
  /** The tables here, sorted, read without the adapter. */
  tables(): Promise<string[]>;
  /** Deletes a mappings row that credentials name, with the engine's foreign keys not enforced. */
  orphanCredentials(mappingId: number): Promise<void>;
  remove(): Promise<void>;
}

export interface ContractSubject {
  /** A new, empty place for one store. */
  place(label: string): Promise<StorePlace>;
  /** Transactions started from separate call chains on one handle. */
  overlapping: 'refused' | 'concurrent';
}

const AUDIT_INSERT = 'INSERT INTO audit (at, os_user, node, operation, target, result) VALUES (?, ?, ?, ?, ?, ?)';

function auditRow(target: string): string[] {
  return ['2024-01-01T00:00:00.000Z', 'u', 'n', 'op', target, 'ok'];
}

/** The rows every later case builds on: global info, a master secret, an application and its key. */
async function seed(q: Queryable): Promise<{ appId: number; keyId: number }> {
  await q.run(
    `INSERT INTO global_info (id, secret_server, sso_admin_account, affiliate_admin_account, audit_deleted_apps,
       audit_deleted_mappings, audit_credential_lookups, ticket_timeout, cred_cache_timeout, flags, created_at, updated_at)
     VALUES (1, ?, ?, ?, 1000, 1000, 1000, 2, 60, 0, ?, ?)`,
    ['mss', 'SSO Admins', 'SSO Affiliate Admins', 't', 't'],
  );
  await q.run(
    "INSERT INTO master_secrets (id, generation, state, created_at, created_on_node) VALUES ('ms1', 1, 'current', 't', 'n')",
  );
  const appId = await q.insert(
    `INSERT INTO applications (name, name_key, app_type, description, contact, user_accounts, admin_accounts,
       flags, ticket_timeout, purge_id, created_at, updated_at) VALUES (?, ?, 'individual', '', '', '', '', 0, 0, '', 't', 't')`,
    ['Payroll', 'payroll'],
  );
  const keyId = await q.insert(
    "INSERT INTO data_keys (app_id, state, master_secret_id, wrapped, created_at) VALUES (?, 'active', 'ms1', ?, 't')",
    [appId, new Uint8Array([1, 2, 3])],
  );
  return { appId, keyId };
}

async function addMapping(q: Queryable, appId: number, keyId: number, user: string): Promise<number> {
  const id = await q.insert(
    `INSERT INTO mappings (app_id, local_user, local_key, local_unique, external_user, external_key, enabled, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 1, 't', 't')`,
    [appId, user, user, user, `x-${user}`, `x-${user}`],
  );
  await q.run('INSERT INTO credentials (mapping_id, data_key_id, ciphertext, updated_at) VALUES (?, ?, ?, ?)', [
    id,
    keyId,
    new Uint8Array([9, 9]),
    't',
  ]);
  return id;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Runs `count` writer threads, each with its own handle; returns the errors they met. */
async function writers(address: StoreAddress, count: number, rounds: number): Promise<string[]> {
  const url = new URL('./writer-worker.js', import.meta.url);
  const runs = Array.from({ length: count }, () => {
    const worker = new Worker(url, { workerData: { address, rounds } });
    const errors: string[] = [];
    return new Promise<string[]>((resolve, reject) => {
      worker.on('message', (m: { error?: string; done?: boolean }) => {
        if (m.error) errors.push(m.error);
        if (m.done) resolve(errors);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => (code === 0 ? resolve(errors) : reject(new Error(`a writer exited with ${code}`))));
    });
  });
  return (await Promise.all(runs)).flat();
}

export function storeContract(name: string, subject: ContractSubject): void {
  describe(`Store contract: ${name}`, () => {
    let place: StorePlace;
    let store: Store;
    const places: StorePlace[] = [];
    const fresh = async (label: string) => {
      const p = await subject.place(label);
      places.push(p);
      return p;
    };

    beforeEach(async () => {
      place = await fresh(expect.getState().currentTestName ?? 'case');
      store = await place.open({ create: true });
    });
    afterEach(async () => {
      await store?.close();
      for (const p of places.splice(0)) await p.remove();
    });

    test('a new store is at the latest schema, each migration recorded once', async () => {
      expect(store.schemaVersion).toBe(store.latestSchemaVersion);
      const versions = await store.values('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions).toEqual(Array.from({ length: store.latestSchemaVersion }, (_, i) => [i + 1]));
      for (const table of ['global_info', 'master_secrets', 'applications', 'credentials', 'audit']) {
        expect(await place.tables()).toContain(table);
      }
    });

    test('queries: rows as objects by column name, integers as numbers, null as null, no row as undefined', async () => {
      const { appId } = await seed(store);
      const row = await store.get<Record<string, unknown>>(
        'SELECT id, name, flags, ticket_timeout, description FROM applications WHERE id = ?',
        [appId],
      );
      expect(row).toEqual({ id: appId, name: 'Payroll', flags: 0, ticket_timeout: 0, description: '' });
      expect(await store.get('SELECT backed_up_at FROM master_secrets')).toEqual({ backed_up_at: null });
      expect(await store.get('SELECT id FROM applications WHERE id = ?', [appId + 1000])).toBeUndefined();
      expect(await store.all('SELECT id FROM applications WHERE id < ?', [0])).toEqual([]);
      expect(await store.get('SELECT COUNT(*) AS n, MAX(id) AS m FROM applications')).toEqual({ n: 1, m: appId });
    });

    test('placeholders bind in order; a ? in a string literal is text; a wrong count throws', async () => {
      await store.run(
        "INSERT INTO audit (at, os_user, node, operation, target, result) VALUES ('what?', ?, 'n', ?, 'it''s ? here', ?)",
        ['u1', 'op?', 'ok'],
      );
      const row = await store.get(
        'SELECT at, os_user, operation, target, result FROM audit WHERE os_user = ? AND at = ?',
        ['u1', 'what?'],
      );
      expect(row).toEqual({ at: 'what?', os_user: 'u1', operation: 'op?', target: "it's ? here", result: 'ok' });
      // -- and /* */ comments hide a ? too.
      expect(
        await store.get('SELECT COUNT(*) AS n FROM audit /* a ? here */ WHERE os_user = ? -- and ? here\n', ['u1']),
      ).toEqual({ n: 1 });
      await expect(store.get('SELECT id FROM audit WHERE id = ?', [])).rejects.toThrow();
      await expect(store.get('SELECT id FROM audit WHERE id = ?', [1, 2])).rejects.toThrow();
    });

    test('bytes, text and large integers round-trip exactly', async () => {
      const { appId } = await seed(store);
      const every = new Uint8Array(256).map((_, i) => i);
      const samples = [every, new Uint8Array(0), new Uint8Array(100_000).fill(0xa5)];
      const ids: number[] = [];
      for (const bytes of samples) {
        ids.push(
          await store.insert(
            "INSERT INTO data_keys (app_id, state, master_secret_id, wrapped, created_at) VALUES (?, 'retiring', 'ms1', ?, 't')",
            [appId, bytes],
          ),
        );
      }
      for (const [i, id] of ids.entries()) {
        const row = await store.get<{ wrapped: Uint8Array }>('SELECT wrapped FROM data_keys WHERE id = ?', [id]);
        expect(row!.wrapped).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(row!.wrapped).equals(Buffer.from(samples[i]!))).toBe(true);
      }
      // A Buffer view into a larger buffer binds only its own bytes.
      const view = Buffer.from([7, 7, 1, 2, 3, 7]).subarray(2, 5);
      await store.run('UPDATE data_keys SET wrapped = ? WHERE id = ?', [view, ids[0]!]);
      const back = await store.get<{ wrapped: Uint8Array }>('SELECT wrapped FROM data_keys WHERE id = ?', [ids[0]!]);
      expect([...back!.wrapped]).toEqual([1, 2, 3]);

      const text = 'Zoë \u{1F511} "quoted" \'single\' back\\slash ?\n\ttab';
      await store.run(AUDIT_INSERT, auditRow(text));
      expect(await store.get('SELECT target FROM audit WHERE target = ?', [text])).toEqual({ target: text });

      await store.run('UPDATE master_secrets SET generation = ?', [2n ** 40n]);
      expect(await store.get('SELECT generation FROM master_secrets')).toEqual({ generation: 2 ** 40 });
      await store.run('UPDATE master_secrets SET generation = ?', [Number.MAX_SAFE_INTEGER]);
      expect(await store.get('SELECT generation FROM master_secrets')).toEqual({ generation: Number.MAX_SAFE_INTEGER });
    });

    test('text orders byte by byte, whatever the locale', async () => {
      for (const t of ['b', 'B', 'a', 'é', 'A', '_', 'Z']) await store.run(AUDIT_INSERT, auditRow(t));
      const rows = await store.values('SELECT target FROM audit ORDER BY target');
      expect(rows.flat()).toEqual(['A', 'B', 'Z', '_', 'a', 'b', 'é']);
    });

    test('insert returns each new id, increasing, never reusing a deleted one', async () => {
      const first = await store.insert(AUDIT_INSERT, auditRow('a'));
      const second = await store.insert(AUDIT_INSERT, auditRow('b'));
      expect(second).toBeGreaterThan(first);
      await store.run('DELETE FROM audit WHERE id = ?', [second]);
      const third = await store.insert(AUDIT_INSERT, auditRow('c'));
      expect(third).toBeGreaterThan(second);
      expect(typeof third).toBe('number');
      const inTx = await store.transaction((tx) => tx.insert(AUDIT_INSERT, auditRow('d')));
      expect(inTx).toBeGreaterThan(third);
    });

    test('values() gives rows as arrays in select-list order; run() counts the rows changed', async () => {
      await store.runMany(AUDIT_INSERT, [auditRow('a'), auditRow('b'), auditRow('c')]);
      expect(await store.values('SELECT target, result, id > 0 FROM audit ORDER BY target')).toEqual([
        ['a', 'ok', 1],
        ['b', 'ok', 1],
        ['c', 'ok', 1],
      ]);
      expect(await store.values('SELECT target FROM audit WHERE target = ?', ['none'])).toEqual([]);
      expect(await store.run("UPDATE audit SET result = 'x' WHERE target <> ?", ['a'])).toBe(2);
      expect(await store.run('DELETE FROM audit WHERE target = ?', ['none'])).toBe(0);
    });

    test('runMany runs one statement per row, in a transaction as outside one', async () => {
      const rows = Array.from({ length: 1000 }, (_, i) => auditRow(`t${i}`));
      expect(await store.runMany(AUDIT_INSERT, rows)).toBe(1000);
      const changed = await store.transaction((tx) =>
        tx.runMany(
          'UPDATE audit SET result = ? WHERE target = ?',
          rows.map((r, i) => [`r${i}`, r[4]!]),
        ),
      );
      expect(changed).toBe(1000);
      expect(await store.get("SELECT COUNT(*) AS n FROM audit WHERE result LIKE 'r%'")).toEqual({ n: 1000 });
      expect(await store.runMany(AUDIT_INSERT, [])).toBe(0);
    });

    test("a runMany row that fails fails the transaction whole, with that row's error", async () => {
      await seed(store);
      const secret =
        "INSERT INTO master_secrets (id, generation, state, created_at, created_on_node) VALUES (?, ?, 'retired', 't', 'n')";
      const rows = Array.from({ length: 1200 }, (_, i) => [`s${i}`, i + 10]);
      rows[700] = ['ms1', 5000]; // the seeded secret's id: a duplicate
      const error = await store.transaction((tx) => tx.runMany(secret, rows)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/unique|UNIQUE|duplicate/) });
      expect(await store.get('SELECT COUNT(*) AS n FROM master_secrets')).toEqual({ n: 1 });
    });

    test('a transaction commits all of its work, and returns what its work returns', async () => {
      const result = await store.transaction(async (tx) => {
        await tx.run(AUDIT_INSERT, auditRow('a'));
        await tx.run(AUDIT_INSERT, auditRow('b'));
        // The handle itself sees the transaction's own rows, as the transaction does.
        expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 2 });
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 2 });
    });

    test('a transaction whose work throws changes nothing, and the handle goes on working', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.run(AUDIT_INSERT, auditRow('a'));
          await tx.runMany(AUDIT_INSERT, [auditRow('b'), auditRow('c')]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
      await store.transaction((tx) => tx.run(AUDIT_INSERT, auditRow('d')));
      expect(await store.values('SELECT target FROM audit')).toEqual([['d']]);
    });

    test('constraint violations are StoreConstraintErrors with their kind; inside a transaction, a CONFLICT that changed nothing', async () => {
      const { appId } = await seed(store);
      const secret =
        "INSERT INTO master_secrets (id, generation, state, created_at, created_on_node) VALUES (?, ?, 'retired', 't', 'n')";
      await expect(store.run(secret, ['ms1', 7])).rejects.toMatchObject({ constraint: 'unique' });
      await expect(
        store.run("INSERT INTO fields (app_id, ordinal, label, label_key, masked) VALUES (?, 0, 'l', 'l', 0)", [
          appId + 999,
        ]),
      ).rejects.toMatchObject({ constraint: 'foreign_key' });
      await expect(store.run("UPDATE master_secrets SET state = 'lost'")).rejects.toMatchObject({
        constraint: 'check',
      });
      await expect(store.run(secret, ['ms2', 1])).rejects.toBeInstanceOf(StoreConstraintError);

      const error = await store
        .transaction(async (tx) => {
          await tx.run(AUDIT_INSERT, auditRow('before'));
          await tx.run(secret, ['ms1', 8]);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SsoError);
      expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('nothing was changed') });
      expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
      expect(await store.values('SELECT id FROM master_secrets')).toEqual([['ms1']]);
    });

    test('deleting an application takes its data keys, mappings and their credentials with it', async () => {
      const { appId, keyId } = await seed(store);
      await addMapping(store, appId, keyId, 'alice');
      await addMapping(store, appId, keyId, 'bob');
      await store.transaction((tx) => tx.run('DELETE FROM applications WHERE id = ?', [appId]));
      for (const table of ['applications', 'data_keys', 'mappings', 'credentials']) {
        expect(await store.get(`SELECT COUNT(*) AS n FROM ${table}`)).toEqual({ n: 0 });
      }
      expect(await store.integrityProblems()).toEqual([]);
    });

    test('a data key that credentials still name cannot be deleted, in a transaction or outside one', async () => {
      const { appId, keyId } = await seed(store);
      await addMapping(store, appId, keyId, 'alice');
      await expect(store.run('DELETE FROM data_keys WHERE id = ?', [keyId])).rejects.toMatchObject({
        constraint: 'foreign_key',
      });
      await expect(
        store.transaction(async (tx) => {
          await tx.run(AUDIT_INSERT, auditRow('before'));
          await tx.run('DELETE FROM data_keys WHERE id = ?', [keyId]);
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.get('SELECT COUNT(*) AS n FROM data_keys')).toEqual({ n: 1 });
      expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
    });

    test('a transaction inside another on the same call chain is refused, and the outer one still commits', async () => {
      await store.transaction(async (tx) => {
        await tx.run(AUDIT_INSERT, auditRow('outer'));
        await expect(store.transaction((inner) => inner.run(AUDIT_INSERT, auditRow('inner')))).rejects.toThrow(
          /another transaction is open/,
        );
      });
      expect(await store.values('SELECT target FROM audit')).toEqual([['outer']]);
    });

    test(`overlapping transactions on one handle: ${subject.overlapping}, never interleaved`, async () => {
      const held = deferred();
      const entered = deferred();
      const log: string[] = [];
      const first = store.transaction(async (tx) => {
        log.push('first begins');
        await tx.run(AUDIT_INSERT, auditRow('first'));
        entered.resolve();
        await held.promise;
        log.push('first commits');
      });
      await entered.promise;
      const second = store.transaction(async (tx) => {
        log.push('second begins');
        // A writer that began after the first sees what the first committed.
        const seen = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit');
        await tx.run(AUDIT_INSERT, auditRow(`second saw ${seen!.n}`));
      });
      // Whatever fails below, the first transaction ends (a failing case must not hang).
      const release = setTimeout(held.resolve, 10_000);
      if (subject.overlapping === 'refused') {
        await expect(second).rejects.toThrow(/another transaction is open/);
        held.resolve();
        await first;
        expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['first']]);
      } else {
        // The second waits for the writers' lock: its work cannot start before the first commits.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(log).toEqual(['first begins']);
        // Meanwhile a read on the same handle, outside both, answers at once with what is committed.
        expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
        held.resolve();
        await Promise.all([first, second]);
        expect(log).toEqual(['first begins', 'first commits', 'second begins']);
        expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['first'], ['second saw 1']]);
      }
      clearTimeout(release);
    });

    test('eight writers on handles of their own queue: every read-modify-write counted, none failed', async () => {
      await seed(store);
      const errors = await writers(place.address, 8, 6);
      expect(errors).toEqual([]);
      expect(await store.get('SELECT flags FROM global_info WHERE id = 1')).toEqual({ flags: 48 });
      expect(await store.integrityProblems()).toEqual([]);
    });

    test('a second writer waits up to the busy timeout, then gets STORE_BUSY; readers do not wait', async () => {
      const other = await place.open({ busyTimeoutMs: 300 });
      try {
        const held = deferred();
        const entered = deferred();
        const holding = store.transaction(async (tx) => {
          await tx.run(AUDIT_INSERT, auditRow('held'));
          entered.resolve();
          await held.promise;
        });
        await entered.promise;
        const started = Date.now();
        expect(await other.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
        const error = await other.transaction((tx) => tx.run(AUDIT_INSERT, auditRow('late'))).catch((e: unknown) => e);
        const waited = Date.now() - started;
        held.resolve();
        await holding;
        expect(error).toMatchObject({ code: 'STORE_BUSY' });
        // The wait blocks this thread for SQLite (a busy handler), so allow for it, but it ends.
        expect(waited).toBeGreaterThanOrEqual(250);
        expect(waited).toBeLessThan(20_000);
        await other.transaction((tx) => tx.run(AUDIT_INSERT, auditRow('later')));
        expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['held'], ['later']]);
      } finally {
        await other.close();
      }
    });

    test('a snapshot reads one committed state while another handle writes, and blocks no writer', async () => {
      const other = await place.open({ busyTimeoutMs: 300 });
      try {
        await store.run(AUDIT_INSERT, auditRow('before'));
        const seen = await store.snapshot(async (q) => {
          const first = await q.values('SELECT target FROM audit ORDER BY id');
          // A writer commits in the middle of the snapshot without waiting for it.
          await other.transaction((tx) => tx.run(AUDIT_INSERT, auditRow('during')));
          const second = await q.values('SELECT target FROM audit ORDER BY id');
          return { first, second };
        });
        expect(seen.first).toEqual([['before']]);
        expect(seen.second).toEqual([['before']]);
        expect(await store.values('SELECT target FROM audit ORDER BY id')).toEqual([['before'], ['during']]);
      } finally {
        await other.close();
      }
    });

    test('id high-water marks: what a table handed out, deletions included; raised, never lowered', async () => {
      expect(await store.idHighWater(store, 'audit')).toBe(0);
      const first = await store.insert(AUDIT_INSERT, auditRow('a'));
      const second = await store.insert(AUDIT_INSERT, auditRow('b'));
      await store.run('DELETE FROM audit WHERE id = ?', [second]);
      expect(await store.idHighWater(store, 'audit')).toBe(second);
      await store.transaction((tx) => store.raiseIdHighWater(tx, 'audit', first + 100));
      await store.transaction((tx) => store.raiseIdHighWater(tx, 'audit', first + 1));
      expect(await store.idHighWater(store, 'audit')).toBe(first + 100);
      expect(await store.insert(AUDIT_INSERT, auditRow('c'))).toBe(first + 101);
    });

    test('a store from a newer ssokit is refused before anything is written; read-only it reports its version', async () => {
      await store.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 't')");
      await store.close();
      const error = await place.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SsoError);
      expect(error).toMatchObject({ code: 'STORE_SCHEMA', message: expect.stringContaining('999') });
      const readOnly = await place.open({ readOnly: true });
      expect(readOnly.schemaVersion).toBe(999);
      expect(await readOnly.get('SELECT COUNT(*) AS n FROM schema_migrations')).toEqual({
        n: readOnly.latestSchemaVersion + 1,
      });
      store = readOnly;
    });

    test('creating where a store exists is STORE_EXISTS; the store is untouched', async () => {
      await store.run(AUDIT_INSERT, auditRow('kept'));
      await expect(place.open({ create: true })).rejects.toMatchObject({ code: 'STORE_EXISTS' });
      expect(await store.values('SELECT target FROM audit')).toEqual([['kept']]);
    });

    test("another application's database is refused, opened or created: nothing written, nothing migrated", async () => {
      const foreign = await fresh('foreign');
      await foreign.makeForeign();
      const before = await foreign.tables();
      for (const options of [{}, { readOnly: true }]) {
        const error = await foreign.open(options).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SsoError);
        expect(error).toMatchObject({
          code: 'STORE_ERROR',
          message: expect.stringMatching(/is not an ssokit credential store .*nothing was changed/),
        });
      }
      // init refuses it too (SQLite: the file exists; PostgreSQL: the database is not empty).
      const created = await foreign.open({ create: true }).catch((e: unknown) => e);
      expect(created).toBeInstanceOf(SsoError);
      expect(['STORE_ERROR', 'STORE_EXISTS']).toContain((created as SsoError).code);
      expect(await foreign.tables()).toEqual(before);
    });

    test('integrityProblems: none on a sound store; on a damaged one, a sentence naming the table and its missing parent', async () => {
      const { appId, keyId } = await seed(store);
      const alice = await addMapping(store, appId, keyId, 'alice');
      await addMapping(store, appId, keyId, 'bob');
      expect(await store.integrityProblems()).toEqual([]);
      await store.close();
      await place.orphanCredentials(alice);
      store = await place.open();
      const problems = await store.integrityProblems();
      expect(problems).toContainEqual(expect.stringMatching(/^1 row\(s\) of credentials name a missing mappings row/));
      expect(problems.filter((p) => /mappings row/.test(p))).toHaveLength(1);
    });

    test('a read-only handle reads the store as it is; closing twice is harmless', async () => {
      await store.close();
      store = await place.open({ readOnly: true });
      expect(store.schemaVersion).toBe(store.latestSchemaVersion);
      expect(await store.get('SELECT COUNT(*) AS n FROM audit')).toEqual({ n: 0 });
      await store.close();
      await store.close();
      store = await place.open();
    });
  });
}
