import type { StoreContext } from './context.js';
import { listAudit, type AuditKind, type AuditRecord } from './audit.js';
import { roleCheck } from './role-check.js';
import { requireRole } from './roles.js';

/** `ssokit audit list`: SSO administrators read the audit log. */
export async function readAuditLog(ctx: StoreContext, options: { kind: AuditKind; limit: number }): Promise<AuditRecord[]> {
  requireRole(await roleCheck(ctx), 'sso-admin', 'reading the audit log');
  return listAudit(ctx.store, options);
}
