import type { Queryable } from '../store/store.js';

/** The three bounded audit tables and their global-info sizes. */
export type AuditRing = 'audit_deleted_apps' | 'audit_deleted_mappings' | 'audit_credential_lookups';

/** Keeps only the newest `max` rows of a ring-buffer audit table (Enterprise SSO's sizes). */
export async function trimRing(q: Queryable, table: AuditRing, max: number): Promise<void> {
  await q.run(
    `DELETE FROM ${table} WHERE id <= (SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    [max],
  );
}
