/**
 * What every core operation works in: this node (its home and node.json), the injected
 * dependencies, who is calling, and (once opened) the store.
 */

import { SsoError } from '../../errors.js';
import type { HomePaths } from '../../node/home.js';
import { type NodeConfig, readNodeConfig } from '../../node/node-config.js';
import type { Caller } from '../../node/os-identity.js';
import { command, option, remedy } from '../../remedy.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import type { Deps } from './deps.js';

export interface HomeContext {
  paths: HomePaths;
  deps: Deps;
  caller: Caller;
}

export interface NodeContext extends HomeContext {
  node: NodeConfig;
}

export interface StoreContext extends NodeContext {
  store: Store;
}

/** Loads node.json; NOT_CONFIGURED when this home has never been set up. */
export async function loadNode(home: HomeContext): Promise<NodeContext> {
  const node = await readNodeConfig(home.paths);
  if (!node) {
    throw new SsoError('NOT_CONFIGURED', `this node is not part of an SSO system yet (no ${home.paths.nodeFile})`, {
      hint: remedy`create a new system with ${command('init')}, or join an existing store with ${command('join', option('db', 'PATH'))}`,
    });
  }
  return { ...home, node };
}

/** Opens the node's store (or `storeOverride`, from --db / SSOKIT_DB). */
export async function openNodeStore(node: NodeContext, storeOverride?: string): Promise<StoreContext> {
  const location = storeOverride ?? node.node.store;
  const store = await openStore(location, {
    busyTimeoutMs: node.deps.busyTimeoutMs,
    password: node.deps.storePassword,
  });
  return { ...node, store };
}
