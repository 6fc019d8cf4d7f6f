/**
 * The audit log: who did what, when, on which node, to which object, with what result.
 * Never a secret: targets are names, results are outcomes and error codes.
 */

import { isSsoError, type SsoError } from '../../errors.js';
import type { Queryable } from '../../store/store.js';
import type { StoreContext } from './context.js';
import { requireRole, roleCheck } from './roles.js';

export interface AuditEntry {
  operation: string;
  target: string;
  result?: string;
}

/** Who acts: the clock, the OS user, the node. */
export type AuditActor = Pick<StoreContext, 'deps' | 'caller'> & { node: { nodeName: string } };

export async function recordAudit(q: Queryable, ctx: AuditActor, entry: AuditEntry): Promise<void> {
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
      error.audited = true;
    }
    throw error;
  }
}

/**
 * Every refusal is audited. Operations that change something record their own failures
 * (auditFailures); a refusal of anything else — a read, a check made before a question is
 * asked — reaches the command's boundary unrecorded, and is recorded there.
 */
export async function auditDenial(ctx: StoreContext, error: SsoError, operation: string): Promise<void> {
  if (error.code !== 'ACCESS_DENIED' || error.audited) return;
  await ctx.store
    .transaction((tx) =>
      recordAudit(tx, ctx, { operation, target: error.action ?? '', result: `failure: ${error.code}` }),
    )
    .catch(() => undefined); // a store this user may only read cannot take the row
  error.audited = true;
}

export type AuditKind = 'operations' | 'deleted-apps' | 'deleted-mappings' | 'lookups';

export interface AuditRecord {
  id: number;
  at: string;
  osUser: string;
  node: string;
  /** operations: what was done, to what, with what result. */
  operation?: string;
  target?: string;
  result?: string;
  /** The ring-buffer tables: which application, mapping or lookup. */
  app?: string;
  localUser?: string;
  externalUser?: string;
}

const AUDIT_TABLES: Record<AuditKind, string> = {
  operations: 'audit',
  'deleted-apps': 'audit_deleted_apps',
  'deleted-mappings': 'audit_deleted_mappings',
  lookups: 'audit_credential_lookups',
};

/** The newest `limit` entries of one audit table, oldest first. */
export async function listAudit(q: Queryable, options: { kind: AuditKind; limit: number }): Promise<AuditRecord[]> {
  const rows = await q.all<Record<string, string | number>>(
    `SELECT * FROM ${AUDIT_TABLES[options.kind]} ORDER BY id DESC LIMIT ?`,
    [options.limit],
  );
  return rows.reverse().map((r) => {
    const record: AuditRecord = { id: Number(r.id), at: String(r.at), osUser: String(r.os_user), node: String(r.node) };
    if (r.operation !== undefined)
      Object.assign(record, { operation: r.operation, target: r.target, result: r.result });
    if (r.app_name !== undefined) record.app = String(r.app_name);
    if (r.local_user !== undefined) Object.assign(record, { localUser: r.local_user, externalUser: r.external_user });
    return record;
  });
}

/** The three bounded audit tables and their global-info sizes. */
export type AuditRing = 'audit_deleted_apps' | 'audit_deleted_mappings' | 'audit_credential_lookups';

/** Keeps only the newest `max` rows of a ring-buffer audit table (Enterprise SSO's sizes). */
export async function trimRing(q: Queryable, table: AuditRing, max: number): Promise<void> {
  await q.run(`DELETE FROM ${table} WHERE id <= (SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?)`, [max]);
}

/** `ssokit audit list`: SSO administrators read the audit log. */
export async function readAuditLog(
  ctx: StoreContext,
  options: { kind: AuditKind; limit: number },
): Promise<AuditRecord[]> {
  requireRole(await roleCheck(ctx), 'sso-admin', 'reading the audit log');
  return listAudit(ctx.store, options);
}
