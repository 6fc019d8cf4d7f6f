import type { StoreContext } from './context.js';
import { roleCheck } from './role-check.js';
import { requireRole } from './roles.js';
import { loadMasterKeyring } from './master-keyring.js';

/**
 * Checks, before any question is asked, that this node can use the master secret for
 * `action`: it is the master secret server and holds the store's current secret.
 */
export async function assertSecretAvailable(ctx: StoreContext, action: string): Promise<void> {
  requireRole(await roleCheck(ctx), 'sso-admin', action);
  await loadMasterKeyring(ctx, action);
}
