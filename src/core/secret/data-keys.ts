/**
 * Data keys: one active key per application, wrapped by the master secret, encrypting
 * that application's credentials and config-store bags. Unwrapped keys are cached for the
 * life of one command.
 */

import type { Rng } from '../../crypto/random.js';
import { open, SECRETBOX_KEY_BYTES, seal } from '../../crypto/sealed-box.js';
import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';
import type { SecretUse, StoreContext } from '../shared/index.js';
import { loadDataKeyring, type MasterKeyring, secretById } from './keyring.js';

export function dataKeyOwner(appId: number): string {
  return `datakey:${appId}`;
}

export function wrapDataKey(master: Uint8Array, appId: number, key: Uint8Array, rng: Rng): Uint8Array {
  return seal(master, dataKeyOwner(appId), key, rng);
}

export function unwrapDataKey(master: Uint8Array, appId: number, wrapped: Uint8Array): Uint8Array | null {
  const key = open(master, dataKeyOwner(appId), wrapped);
  return key && key.length === SECRETBOX_KEY_BYTES ? key : null;
}

/** Creates and stores a new active data key for an application; returns its id. */
export async function createDataKey(
  q: Queryable,
  keyring: MasterKeyring,
  appId: number,
  rng: Rng,
  now: string,
): Promise<number> {
  const wrapped = wrapDataKey(keyring.current.secret, appId, rng(SECRETBOX_KEY_BYTES), rng);
  return q.insert(
    `INSERT INTO data_keys (app_id, state, master_secret_id, wrapped, created_at) VALUES (?, 'active', ?, ?, ?)`,
    [appId, keyring.current.id, wrapped, now],
  );
}

interface DataKeyRow {
  id: number;
  app_id: number;
  master_secret_id: string;
  wrapped: Uint8Array;
}

export interface DataKey {
  id: number;
  appId: number;
  key: Uint8Array;
}

/**
 * Unwraps data keys on demand and remembers them for the rest of the command. The active
 * key of an application is remembered too: a command that replaces active keys (a
 * re-encryption starting) must use a ring created after that change.
 */
export class DataKeyRing {
  readonly #byId = new Map<number, DataKey>();
  readonly #activeByApp = new Map<number, DataKey>();

  /**
   * `reload` reads the keyring again when a data key names a master secret this one does
   * not hold: a rotation by another process committed after this command loaded its keyring.
   */
  constructor(
    private keyring: MasterKeyring,
    private readonly reload?: () => Promise<MasterKeyring>,
  ) {}

  /** The key if it was unwrapped already (no store read, no await: for per-row loops). */
  cached(id: number): DataKey | undefined {
    return this.#byId.get(id);
  }

  async byId(q: Queryable, id: number): Promise<DataKey> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const row = await q.get<DataKeyRow>('SELECT id, app_id, master_secret_id, wrapped FROM data_keys WHERE id = ?', [
      id,
    ]);
    if (!row)
      throw new SsoError('STORE_ERROR', `data key ${id} is missing from the store`, {
        hint: remedy`run ${command('check')}`,
      });
    await this.#refreshFor(row.master_secret_id);
    return this.#unwrap(row);
  }

  async activeFor(q: Queryable, appId: number): Promise<DataKey> {
    const cached = this.#activeByApp.get(appId);
    if (cached) return cached;
    const row = await q.get<DataKeyRow>(
      "SELECT id, app_id, master_secret_id, wrapped FROM data_keys WHERE app_id = ? AND state = 'active'",
      [appId],
    );
    if (!row) {
      throw new SsoError('STORE_ERROR', `application ${appId} has no active data key`, {
        hint: remedy`run ${command('check')}`,
      });
    }
    let key = this.#byId.get(row.id);
    if (!key) {
      await this.#refreshFor(row.master_secret_id);
      key = this.#unwrap(row);
    }
    this.#activeByApp.set(appId, key);
    return key;
  }

  async #refreshFor(masterSecretId: string): Promise<void> {
    const held = this.keyring.current.id === masterSecretId || this.keyring.previous?.id === masterSecretId;
    if (!held && this.reload) this.keyring = await this.reload();
  }

  #unwrap(row: DataKeyRow): DataKey {
    const key = unwrapDataKey(secretById(this.keyring, row.master_secret_id), row.app_id, row.wrapped);
    if (!key) {
      throw new SsoError(
        'DECRYPT_FAILED',
        `data key ${row.id} of application ${row.app_id} does not open with master secret ${row.master_secret_id}`,
        {
          hint: remedy`the store or the local secret file was altered; run ${command('check')}`,
        },
      );
    }
    const dataKey = { id: row.id, appId: row.app_id, key };
    this.#byId.set(row.id, dataKey);
    return dataKey;
  }
}

/** A data key ring on this node's master secret, following rotations made meanwhile. */
export async function openDataKeyRing(ctx: StoreContext, use: SecretUse, action: string): Promise<DataKeyRing> {
  return new DataKeyRing(await loadDataKeyring(ctx, use, action), () => loadDataKeyring(ctx, use, action));
}
