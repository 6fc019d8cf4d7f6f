import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';

/** The store's settings (Enterprise SSO global info). */
export interface GlobalInfo {
  secretServer: string;
  ssoAdminAccount: string;
  affiliateAdminAccount: string;
  auditDeletedApps: number;
  auditDeletedMappings: number;
  auditCredentialLookups: number;
  ticketTimeout: number;
  credCacheTimeout: number;
  flags: number;
  createdAt: string;
  updatedAt: string;
}

interface GlobalInfoRow {
  secret_server: string;
  sso_admin_account: string;
  affiliate_admin_account: string;
  audit_deleted_apps: number;
  audit_deleted_mappings: number;
  audit_credential_lookups: number;
  ticket_timeout: number;
  cred_cache_timeout: number;
  flags: number;
  created_at: string;
  updated_at: string;
}

export async function readGlobalInfo(q: Queryable): Promise<GlobalInfo> {
  const row = await q.get<GlobalInfoRow>('SELECT * FROM global_info WHERE id = 1');
  if (!row) {
    throw new SsoError('NOT_CONFIGURED', 'the credential store has no global info: it was never initialised', {
      hint: remedy`create the SSO system with ${command('init')}`,
    });
  }
  return {
    secretServer: row.secret_server,
    ssoAdminAccount: row.sso_admin_account,
    affiliateAdminAccount: row.affiliate_admin_account,
    auditDeletedApps: row.audit_deleted_apps,
    auditDeletedMappings: row.audit_deleted_mappings,
    auditCredentialLookups: row.audit_credential_lookups,
    ticketTimeout: row.ticket_timeout,
    credCacheTimeout: row.cred_cache_timeout,
    flags: row.flags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertGlobalInfo(q: Queryable, info: GlobalInfo): Promise<void> {
  await q.run(
    `INSERT INTO global_info (id, secret_server, sso_admin_account, affiliate_admin_account,
       audit_deleted_apps, audit_deleted_mappings, audit_credential_lookups, ticket_timeout,
       cred_cache_timeout, flags, created_at, updated_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      info.secretServer,
      info.ssoAdminAccount,
      info.affiliateAdminAccount,
      info.auditDeletedApps,
      info.auditDeletedMappings,
      info.auditCredentialLookups,
      info.ticketTimeout,
      info.credCacheTimeout,
      info.flags,
      info.createdAt,
      info.updatedAt,
    ],
  );
}
