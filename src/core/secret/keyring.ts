/**
 * The master secret as core uses it: the local copies of the store's current (and
 * previous) secret on the master secret server, checked against the store's key registry.
 */

import { SsoError } from '../../errors.js';
import { type LocalSecret, pruneLocalSecrets, readLocalSecret } from '../../node/local-secrets.js';
import { answersTo } from '../../node/node-config.js';
import { command, option, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';
import type { NodeContext, StoreContext } from '../shared/index.js';
import { readGlobalInfo, requireRole, roleCheck, type SecretUse } from '../shared/index.js';
import { listMasterSecrets } from './secret-records.js';

export interface MasterKeyring {
  current: LocalSecret;
  previous: LocalSecret | null;
}

/** NOT_SECRET_SERVER unless this node answers to the store's secretServer name. */
export function requireSecretServer(ctx: NodeContext, secretServer: string, action: string): void {
  if (answersTo(ctx.node, secretServer)) return;
  const names = [ctx.node.nodeName, ...ctx.node.clusterNames].map((n) => `'${n}'`).join(', ');
  throw new SsoError(
    'NOT_SECRET_SERVER',
    `${action} runs only on the master secret server '${secretServer}'; this node answers to ${names}`,
    {
      hint:
        `run it on '${secretServer}', or make this node the master secret server first ` +
        `(ssomanage -updatedb with <secretServer>${ctx.node.nodeName}</secretServer>)`,
    },
  );
}

/**
 * The keyring for data operations: from the SSO service's cached copy when this process
 * holds one (a node that is not the master secret server), else from this node's secret
 * files, as the master secret server reads it.
 */
export async function loadDataKeyring(
  ctx: StoreContext,
  use: SecretUse,
  action: string,
  q: Queryable = ctx.store,
): Promise<MasterKeyring> {
  const source = ctx.deps.masterSecrets;
  if (!source) return loadMasterKeyring(ctx, action, q);
  const current = (await listMasterSecrets(q)).find((r) => r.state === 'current');
  if (!current) {
    throw new SsoError('STORE_ERROR', 'the credential store names no current master secret', {
      hint: remedy`run ${command('check')}`,
    });
  }
  return source.keyring(current.id, use, action);
}

/** How often a reader re-reads the registry after a rotation pruned the file it named. */
const REREADS = 3;

export async function loadMasterKeyring(
  ctx: StoreContext,
  action: string,
  q: Queryable = ctx.store,
): Promise<MasterKeyring> {
  const info = await readGlobalInfo(q);
  requireSecretServer(ctx, info.secretServer, action);
  for (let attempt = 0; ; attempt++) {
    const read = await readKeyring(ctx, q);
    if ('keyring' in read) return read.keyring;
    // A missing file may only mean the registry moved on after we read it (another
    // process rotated and pruned): read it again before calling the secret missing.
    if (attempt === REREADS) throw read.missing;
  }
}

type KeyringRead = { keyring: MasterKeyring } | { missing: SsoError };

async function readKeyring(ctx: StoreContext, q: Queryable): Promise<KeyringRead> {
  const records = await listMasterSecrets(q);
  const currentRecord = records.find((r) => r.state === 'current');
  if (!currentRecord) {
    throw new SsoError('STORE_ERROR', 'the credential store names no current master secret', {
      hint: remedy`run ${command('check')}`,
    });
  }
  const current = await readLocalSecret(ctx.paths, currentRecord.id);
  if (!current) {
    return {
      missing: new SsoError(
        'NO_SECRET',
        `this node holds no copy of the current master secret ${currentRecord.id} (generation ${currentRecord.generation})`,
        { hint: remedy`restore it from its backup: ${command('secret restore', 'FILE')}` },
      ),
    };
  }
  const previousRecord = records.find((r) => r.state === 'previous');
  const previous = previousRecord ? await readLocalSecret(ctx.paths, previousRecord.id) : null;
  return { keyring: { current, previous } };
}

/**
 * Removes the secret files the store no longer names (retired secrets, and secrets of
 * rotations that never committed), deciding under the store's write lock: every rotation
 * writes its new secret's file while it holds that lock, so none can be mid-way now.
 */
export async function pruneUnnamedSecrets(ctx: StoreContext): Promise<string[]> {
  return ctx.store.transaction(async (tx) => {
    const named = (await listMasterSecrets(tx)).filter((r) => r.state !== 'retired').map((r) => r.id);
    return pruneLocalSecrets(ctx.paths, named);
  });
}

/** The local secret with this id, or DECRYPT/NO_SECRET when the keyring does not hold it. */
export function secretById(keyring: MasterKeyring, id: string): Uint8Array {
  if (keyring.current.id === id) return keyring.current.secret;
  if (keyring.previous?.id === id) return keyring.previous.secret;
  throw new SsoError('NO_SECRET', `a data key is wrapped by master secret ${id}, which this node does not hold`, {
    hint: remedy`restore the backup that holds that secret, then run ${command('secret rotate', option('backup', 'FILE'))} to re-wrap every key`,
  });
}

/**
 * Checks, before any question is asked, that this node can use the master secret for
 * `action`: it is the master secret server and holds the store's current secret.
 */
export async function assertSecretAvailable(ctx: StoreContext, action: string): Promise<void> {
  requireRole(await roleCheck(ctx), 'sso-admin', action);
  await loadMasterKeyring(ctx, action);
}
