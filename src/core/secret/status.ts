/** `ssokit secret status`: where the master secret is, and whether this node holds it. */

import { isSsoError } from '../../errors.js';
import { listLocalSecretIds, readLocalSecret } from '../../node/local-secrets.js';
import { answersTo } from '../../node/node-config.js';
import type { StoreContext } from '../shared/index.js';
import { readGlobalInfo } from '../shared/index.js';
import { listMasterSecrets, type MasterSecretRecord } from './secret-records.js';

export type LocalCopyState = 'present' | 'missing' | 'unreadable';

export interface SecretStatus {
  nodeName: string;
  clusterNames: string[];
  secretServer: string;
  isSecretServer: boolean;
  current: MasterSecretRecord;
  previous: MasterSecretRecord | null;
  local: {
    current: LocalCopyState;
    previous: LocalCopyState | null;
    /** Why a copy is unreadable (permissions, damage), without any secret. */
    problems: string[];
    /** Secret files the store does not name as current or previous. */
    extraFiles: string[];
  };
  /** True when this node holds a readable copy of the store's current secret. */
  matchesStore: boolean;
  /** Data keys still waiting for an interrupted re-encryption to finish. */
  reencryptPending: boolean;
  warnings: string[];
}

export async function secretStatus(ctx: StoreContext): Promise<SecretStatus> {
  const info = await readGlobalInfo(ctx.store);
  const records = await listMasterSecrets(ctx.store);
  const current = records.find((r) => r.state === 'current')!;
  const previous = records.find((r) => r.state === 'previous') ?? null;
  const problems: string[] = [];
  const localState = async (record: MasterSecretRecord): Promise<LocalCopyState> => {
    try {
      return (await readLocalSecret(ctx.paths, record.id)) ? 'present' : 'missing';
    } catch (error) {
      if (!isSsoError(error)) throw error;
      problems.push(error.message);
      return 'unreadable';
    }
  };
  const localCurrent = await localState(current);
  const localPrevious = previous ? await localState(previous) : null;
  const named = new Set([current.id, previous?.id]);
  const extraFiles = (await listLocalSecretIds(ctx.paths)).filter((id) => !named.has(id));
  const pending = await ctx.store.get<{ n: number }>("SELECT COUNT(*) AS n FROM data_keys WHERE state = 'retiring'");
  const isSecretServer = answersTo(ctx.node, info.secretServer);
  return {
    nodeName: ctx.node.nodeName,
    clusterNames: ctx.node.clusterNames,
    secretServer: info.secretServer,
    isSecretServer,
    current,
    previous,
    local: { current: localCurrent, previous: localPrevious, problems, extraFiles },
    matchesStore: localCurrent === 'present',
    reencryptPending: (pending?.n ?? 0) > 0,
    warnings: warningsFor(isSecretServer, current, localCurrent),
  };
}

/**
 * What every command reminds the administrator of, as Enterprise SSO logs event 10589
 * until the secret is backed up.
 */
export async function secretWarnings(ctx: StoreContext): Promise<string[]> {
  const info = await readGlobalInfo(ctx.store);
  const isSecretServer = answersTo(ctx.node, info.secretServer);
  if (!isSecretServer) return [];
  const current = (await listMasterSecrets(ctx.store)).find((r) => r.state === 'current');
  if (!current) return [];
  const local = (await listLocalSecretIds(ctx.paths)).includes(current.id) ? 'present' : 'missing';
  return warningsFor(isSecretServer, current, local);
}

function warningsFor(isSecretServer: boolean, current: MasterSecretRecord, local: LocalCopyState): string[] {
  const warnings: string[] = [];
  if (current.backedUpAt === null) {
    warnings.push(
      `the master secret ${current.id} has not been backed up: if it is lost, every credential in the store is lost permanently (run ssokit secret backup FILE)`,
    );
  }
  if (isSecretServer && local !== 'present') {
    warnings.push(
      `this node is the master secret server but holds no usable copy of the current master secret ${current.id} (run ssokit secret restore FILE)`,
    );
  }
  return warnings;
}
