/**
 * What every concern of core shares: the context an operation runs in (node, store,
 * caller, injected dependencies), the roles and accounts that decide who may do it, the
 * store's global info and flags, and the audit log that records it.
 */

export { callerIdentity, callerIsIn, identityProblem, accountListProblems, parseIdentity, splitAccounts, type Identity } from './accounts.js';
export { auditFailures, listAudit, readAuditLog, recordAudit, trimRing, type AuditKind, type AuditRecord } from './audit.js';
export { loadNode, openNodeStore, type HomeContext, type NodeContext, type StoreContext } from './context.js';
export { productionDeps, type Deps } from './deps.js';
export { hasFlag, NEW_SYSTEM_FLAGS, SSO_FLAG, withFlag } from './flags.js';
export { insertGlobalInfo, readGlobalInfo, type GlobalInfo } from './global-info.js';
export { holdsRole, requireRole, roleCheck, type Role, type RoleCheck } from './roles.js';
