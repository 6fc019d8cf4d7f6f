/**
 * What every concern of core shares: the context an operation runs in (node, store,
 * caller, injected dependencies), the roles and accounts that decide who may do it, the
 * store's global info and flags, and the audit log that records it.
 */

export {
  accountListProblems,
  callerIdentity,
  callerIsIn,
  type Identity,
  identityProblem,
  parseIdentity,
  splitAccounts,
} from './accounts.js';
export {
  type AuditActor,
  type AuditKind,
  type AuditRecord,
  auditDenial,
  auditFailures,
  listAudit,
  readAuditLog,
  recordAudit,
  trimRing,
} from './audit.js';
export { type HomeContext, loadNode, type NodeContext, openNodeStore, type StoreContext } from './context.js';
export {
  belowProductionCost,
  type Deps,
  type HeldSecret,
  type MasterSecretSource,
  productionDeps,
  type SecretUse,
} from './deps.js';
export { hasFlag, NEW_SYSTEM_FLAGS, SSO_FLAG, withFlag } from './flags.js';
export { type GlobalInfo, insertGlobalInfo, readGlobalInfo } from './global-info.js';
export { holdsRole, type Role, type RoleCheck, requireRole, roleCheck } from './roles.js';
