/**
 * `ssokit join --db PATH` / `ssoconfig -setDB PATH`: points this node at an existing
 * store. On a node that already has one it re-points it (what -setDB does after a store
 * moved), keeping the node's name and cluster names unless new ones are given.
 */

import type { HomePaths } from '../../node/home.js';
import { currentInstallFacts } from '../../node/install-facts.js';
import {
  answersTo,
  type NodeConfig,
  readNodeConfig,
  validateNodeName,
  writeNodeConfig,
} from '../../node/node-config.js';
import { ensureNodeKeys } from '../../node/node-keys.js';
import type { Caller } from '../../node/os-identity.js';
import { openStore } from '../../store/open-store.js';
import { registerNode } from '../nodes/index.js';
import type { Deps } from '../shared/index.js';
import { readGlobalInfo, recordAudit } from '../shared/index.js';

export interface JoinOptions {
  paths: HomePaths;
  deps: Deps;
  caller: Caller;
  storePath: string;
  /** Used when the node is new, or to rename it. */
  nodeName: string | undefined;
  defaultNodeName: string;
  clusterNames: string[] | undefined;
  /** The directory domain of this node's OS accounts (kept when not given). */
  domain: string | undefined;
  /** The OS user the SSO service runs as here (kept when not given). */
  serviceAccount?: string;
}

export interface JoinResult {
  nodeName: string;
  clusterNames: string[];
  storePath: string;
  previousStore: string | null;
  secretServer: string;
  isSecretServer: boolean;
}

export async function joinStore(options: JoinOptions): Promise<JoinResult> {
  const { paths, deps } = options;
  const existing = await readNodeConfig(paths);
  const nodeName = validateNodeName(options.nodeName ?? existing?.nodeName ?? options.defaultNodeName);
  const clusterNames = options.clusterNames ?? existing?.clusterNames ?? [];
  for (const name of clusterNames) validateNodeName(name, 'cluster name');
  const domain = options.domain ?? existing?.domain;
  const serviceAccount = options.serviceAccount ?? existing?.serviceAccount;
  const node: NodeConfig = {
    nodeName,
    clusterNames,
    ...(domain ? { domain: validateNodeName(domain, 'domain') } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    store: options.storePath,
    install: existing?.install ?? currentInstallFacts(),
    createdAt: existing?.createdAt ?? deps.now().toISOString(),
  };
  const store = await openStore(options.storePath, { busyTimeoutMs: deps.busyTimeoutMs, password: deps.storePassword });
  let secretServer: string;
  try {
    secretServer = (await readGlobalInfo(store)).secretServer;
    const nodeKeys = await ensureNodeKeys(paths);
    await store.transaction(async (tx) => {
      const actor = { deps, caller: options.caller, node };
      await recordAudit(tx, actor, { operation: existing ? 'set-db' : 'join', target: options.storePath });
      // Pending until an SSO administrator approves it (ssokit node approve).
      await registerNode(tx, actor, { name: nodeName, publicKey: nodeKeys.publicKey, approved: false });
    });
  } finally {
    await store.close();
  }
  await writeNodeConfig(paths, node);
  return {
    nodeName,
    clusterNames,
    storePath: options.storePath,
    previousStore: existing && existing.store !== options.storePath ? existing.store : null,
    secretServer,
    isSecretServer: answersTo(node, secretServer),
  };
}
