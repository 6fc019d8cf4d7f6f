/**
 * The source's self-test before `ssocloneaz -p` writes anything. Interstage's guide warns
 * that a broken business server copied onto new servers breaks every one of them, so the
 * export refuses unless: the store opens and holds global info, every business system is
 * valid with its files present, and — where this node holds the master secret — the secret
 * still opens what the store keeps.
 */

import { SsoError } from '../../errors.js';
import { listLocalSecretIds } from '../../node/local-secrets.js';
import { answersTo, sameName } from '../../node/node-config.js';
import { credentialOwner, currentMasterSecret, openDataKeyRing, openValues } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import { type GlobalInfo, readGlobalInfo } from '../shared/index.js';
import { bizsysHealth } from './bizsys.js';

export function preflightFailed(problems: string[]): SsoError {
  return new SsoError('PREFLIGHT_FAILED', 'this node is not a sound source for a clone; no bundle was written', {
    details: problems,
    hint: 'fix these first: every new server would get the same faults',
  });
}

/** The store could not be opened at all: the first thing a preflight checks. */
export function storeUnavailable(error: unknown): SsoError {
  return preflightFailed([`the credential store does not open: ${(error as Error).message}`]);
}

/** Every reason this node would make a broken clone (empty when it is sound). */
export async function preflightProblems(ctx: StoreContext, includeSecret: boolean): Promise<string[]> {
  let info: GlobalInfo;
  try {
    info = await readGlobalInfo(ctx.store);
  } catch (error) {
    return [`the store's global info is not readable: ${(error as Error).message}`];
  }
  const problems = await bizsysHealth(ctx);
  const current = await currentMasterSecret(ctx.store).catch(() => null);
  if (!current) return [...problems, 'the store names no current master secret'];
  const holdsSecret =
    answersTo(ctx.node, info.secretServer) && (await listLocalSecretIds(ctx.paths)).includes(current.id);
  if (includeSecret) problems.push(...includeSecretProblems(ctx, info.secretServer, holdsSecret));
  if (holdsSecret) {
    const problem = await secretOpensStore(ctx);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * The secret is carried only to a node that will be the master secret server too: one that
 * answers to the store's secretServer through a cluster name the bundle carries.
 */
function includeSecretProblems(ctx: StoreContext, secretServer: string, holdsSecret: boolean): string[] {
  if (!holdsSecret) return ['--include-secret: this node holds no copy of the current master secret'];
  if (!ctx.node.clusterNames.some((name) => sameName(name, secretServer))) {
    return [
      `--include-secret: the store names '${secretServer}' as master secret server, which is not a cluster name of this node; ` +
        'a new node would hold the secret without being the master secret server (give the cluster network name with ssokit set node.cluster-names=…)',
    ];
  }
  return [];
}

/** Opens one credential (or, without any, one data key) with the local master secret. */
async function secretOpensStore(ctx: StoreContext): Promise<string | null> {
  try {
    const ring = await openDataKeyRing(ctx, 'decrypt', 'checking the master secret');
    const row = await ctx.store.get<{ mapping_id: number; data_key_id: number; ciphertext: Uint8Array }>(
      'SELECT mapping_id, data_key_id, ciphertext FROM credentials ORDER BY mapping_id LIMIT 1',
    );
    if (row) {
      openValues((await ring.byId(ctx.store, row.data_key_id)).key, credentialOwner(row.mapping_id), row.ciphertext);
    } else {
      const key = await ctx.store.get<{ app_id: number }>(
        "SELECT app_id FROM data_keys WHERE state = 'active' LIMIT 1",
      );
      if (key) await ring.activeFor(ctx.store, key.app_id);
    }
    return null;
  } catch (error) {
    return `the master secret on this node does not open the store's credentials: ${(error as Error).message}`;
  }
}
