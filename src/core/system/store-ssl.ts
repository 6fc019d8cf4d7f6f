/**
 * `ssoconfig -setSSL yes|no` / `ssokit db ssl MODE`: whether this node's connection to a
 * PostgreSQL store is encrypted (libpq's sslmode, kept in node.json's store location).
 * The new setting is tried before it is kept: a node never records a connection it
 * cannot make.
 */

import { SsoError } from '../../errors.js';
import { writeNodeConfig } from '../../node/node-config.js';
import { parseStoreLocation, withSslMode } from '../../store/location.js';
import { openStore } from '../../store/open-store.js';
import { type NodeContext, recordAudit } from '../shared/index.js';

/** Enterprise SSO's yes/no, or one of libpq's modes. */
export function sslModeOf(answer: string): string {
  const word = answer.toLowerCase();
  if (['yes', 'on', 'true'].includes(word)) return 'require';
  if (['no', 'off', 'false'].includes(word)) return 'disable';
  return word;
}

export async function setStoreSsl(
  node: NodeContext,
  answer: string,
): Promise<{ store: string; sslmode: string; previous: string }> {
  const location = parseStoreLocation(node.node.store);
  if (location.kind !== 'postgres') {
    throw new SsoError('CONFLICT', `the store ${location.display} is a local file: there is no connection to secure`, {
      hint: 'SSL applies to a PostgreSQL store (postgres://...)',
    });
  }
  const next = withSslMode(location, sslModeOf(answer));
  const store = await openStore(next.display, {
    busyTimeoutMs: node.deps.busyTimeoutMs,
    password: node.deps.storePassword,
  });
  try {
    await store.transaction((tx) =>
      recordAudit(tx, node, {
        operation: 'db-ssl',
        target: next.display,
        result: `success: sslmode ${next.params.sslmode}`,
      }),
    );
  } finally {
    await store.close();
  }
  await writeNodeConfig(node.paths, { ...node.node, store: next.display });
  return {
    store: next.display,
    sslmode: next.params.sslmode ?? 'disable',
    previous: location.params.sslmode ?? 'prefer',
  };
}
