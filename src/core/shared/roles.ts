/**
 * Enterprise SSO's roles: SSO administrators ⊇ affiliate administrators ⊇ application
 * administrators ⊇ application users. Each is a list of OS accounts; the caller holds a
 * role when it is in the accounts of that role or of any role above it.
 */

import { SsoError } from '../../errors.js';
import type { NodeConfig } from '../../node/node-config.js';
import type { Caller } from '../../node/os-identity.js';
import type { Queryable } from '../../store/store.js';
import { callerIsIn, splitAccounts } from './accounts.js';
import type { StoreContext } from './context.js';
import { hasFlag, SSO_FLAG } from './flags.js';
import { type GlobalInfo, readGlobalInfo } from './global-info.js';

export type Role = 'sso-admin' | 'affiliate-admin' | 'app-admin' | 'app-user';

/** What a role check needs to know about an application. */
export interface RoleApp {
  name: string;
  userAccounts: string;
  adminAccounts: string;
  flags: number;
}

interface Tier {
  label: string;
  accounts: string[];
}

function tiers(info: GlobalInfo, role: Role, app?: RoleApp): Tier[] {
  const list: Tier[] = [
    { label: 'SSO Administrators', accounts: splitAccounts(info.ssoAdminAccount) },
    { label: 'SSO Affiliate Administrators', accounts: splitAccounts(info.affiliateAdminAccount) },
  ];
  if (role === 'sso-admin') return list.slice(0, 1);
  if (role === 'affiliate-admin') return list;
  if (!app) throw new Error(`role ${role} needs an application`);
  const admins = hasFlag(app.flags, SSO_FLAG.APP_ADMIN_SAME) ? info.affiliateAdminAccount : app.adminAccounts;
  list.push({ label: 'Application Administrators', accounts: splitAccounts(admins) });
  if (role === 'app-user') list.push({ label: 'Application Users', accounts: splitAccounts(app.userAccounts) });
  return list;
}

export interface RoleCheck {
  caller: Caller;
  node: NodeConfig;
  info: GlobalInfo;
}

export function holdsRole(check: RoleCheck, role: Role, app?: RoleApp): boolean {
  return tiers(check.info, role, app).some((tier) => callerIsIn(check.caller, check.node, tier.accounts));
}

/**
 * ACCESS_DENIED, in Enterprise SSO's words (event 11042), unless the caller holds `role`.
 * Nothing has been changed when it throws.
 */
export function requireRole(check: RoleCheck, role: Role, action: string, app?: RoleApp): void {
  if (holdsRole(check, role, app)) return;
  const allowed = tiers(check.info, role, app).map((t) => `${t.label}: ${t.accounts.join('; ') || '(none)'}`);
  throw new SsoError(
    'ACCESS_DENIED',
    `access denied: ${action} needs the OS user '${check.caller.user}' to be a member of one of these accounts — ${allowed.join('; ')}`,
    {
      esso: {
        hresult: 0xc0002a5a,
        text: `Access denied. The client user must be a member of one of the following accounts to perform this function. ${allowed.join(' ')}`,
      },
      hint: 'run the command as a member of one of them, or ask an SSO administrator to add you',
      action,
    },
  );
}

/** Who is calling, on which node, against this store's global info. */
export async function roleCheck(ctx: StoreContext, q: Queryable = ctx.store): Promise<RoleCheck> {
  return { caller: ctx.caller, node: ctx.node, info: await readGlobalInfo(q) };
}
