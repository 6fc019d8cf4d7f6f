/**
 * The audit log: who did what, when, on which node, to which object, with what result.
 * Never a secret: targets are names, results are outcomes and error codes.
 */

import { isSsoError } from '../errors.js';
import type { Queryable } from '../store/store.js';
import type { StoreContext } from './context.js';

export interface AuditEntry {
  operation: string;
  target: string;
  result?: string;
}

export async function recordAudit(q: Queryable, ctx: StoreContext, entry: AuditEntry): Promise<void> {
  await q.run('INSERT INTO audit (at, os_user, node, operation, target, result) VALUES (?, ?, ?, ?, ?, ?)', [
    ctx.deps.now().toISOString(),
    ctx.caller.user,
    ctx.node.nodeName,
    entry.operation,
    entry.target,
    entry.result ?? 'success',
  ]);
}

/**
 * Runs an operation and, when it fails with an SsoError, records the failure in its own
 * transaction (the operation's own transaction has rolled back). Success is recorded by
 * the operation inside its transaction, so it commits with the change it describes.
 */
export async function auditFailures<T>(ctx: StoreContext, entry: AuditEntry, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isSsoError(error) && error.code !== 'STORE_BUSY' && error.code !== 'STORE_ERROR') {
      await ctx.store
        .transaction((tx) => recordAudit(tx, ctx, { ...entry, result: `failure: ${error.code}` }))
        .catch(() => undefined);
    }
    throw error;
  }
}

export interface AuditRecord {
  id: number;
  at: string;
  osUser: string;
  node: string;
  operation: string;
  target: string;
  result: string;
}

export async function listAudit(q: Queryable, options: { limit: number }): Promise<AuditRecord[]> {
  const rows = await q.all<{ id: number; at: string; os_user: string; node: string; operation: string; target: string; result: string }>(
    'SELECT * FROM audit ORDER BY id DESC LIMIT ?',
    [options.limit],
  );
  return rows.reverse().map((r) => ({
    id: r.id,
    at: r.at,
    osUser: r.os_user,
    node: r.node,
    operation: r.operation,
    target: r.target,
    result: r.result,
  }));
}
