/**
 * Affiliate applications: their four types, their flags (stored as Enterprise SSO's bits),
 * and how an <application> element of a createapps/updateapps file becomes one.
 */

import { ESSO, SsoError } from '../../errors.js';
import { command, option, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';
import type { AppFlagName, ApplicationXml } from '../../xml/applications-xml.js';
import { accountListProblems, SSO_FLAG, splitAccounts } from '../shared/index.js';

export type AppType = 'individual' | 'group' | 'host-group' | 'config-store';

export interface FieldDef {
  ordinal: number;
  label: string;
  masked: boolean;
}

export interface AppRecord {
  id: number;
  name: string;
  type: AppType;
  description: string;
  contact: string;
  /** Application users (for a host-group application: its one Windows account). */
  userAccounts: string;
  adminAccounts: string;
  flags: number;
  ticketTimeout: number;
  purgeId: string;
  createdAt: string;
  updatedAt: string;
  fields: FieldDef[];
}

/** The XML flag attributes and the bits they set. */
export const FLAG_BITS: Record<AppFlagName, number> = {
  groupApp: SSO_FLAG.APP_USES_GROUP_MAPPING,
  configStoreApp: SSO_FLAG.APP_CONFIG_STORE,
  allowTickets: SSO_FLAG.ALLOW_TICKETS,
  validateTickets: SSO_FLAG.VALIDATE_TICKETS,
  allowLocalAccounts: SSO_FLAG.APP_ALLOW_LOCAL,
  timeoutTickets: SSO_FLAG.APP_TICKET_TIMEOUT,
  adminAccountSame: SSO_FLAG.APP_ADMIN_SAME,
  enableApp: SSO_FLAG.ENABLED,
  windowsInitiatedSSO: SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL,
  hostInitiatedSSO: SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS,
  validatePassword: SSO_FLAG.SSO_VERIFY_EXTERNAL_CREDS,
  disableCredCache: SSO_FLAG.SSO_DISABLE_CRED_CACHE,
};

/** The SDK's DEFAULT_APP_FLAGS. */
export const DEFAULT_APP_FLAGS =
  SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL | SSO_FLAG.VALIDATE_TICKETS | SSO_FLAG.APP_TICKET_TIMEOUT;

/** Flags only an SSO administrator may change (Enterprise SSO event 10615). */
export const TICKET_FLAGS: AppFlagName[] = ['allowTickets', 'validateTickets', 'timeoutTickets'];

/** Flags that fix what an application is; they cannot change after creation. */
export const IMMUTABLE_FLAGS: AppFlagName[] = ['groupApp', 'configStoreApp', 'adminAccountSame'];

export const TYPE_LABELS: Record<AppType, string> = {
  individual: 'Individual',
  group: 'Group',
  'host-group': 'Host Group',
  'config-store': 'Config Store',
};

export interface ApplicationSpec {
  line: number;
  name: string;
  type: AppType;
  description: string;
  contact: string;
  userAccounts: string;
  adminAccounts: string;
  fields: FieldDef[];
  /** Bits at creation; `enableApp` is applied after the fields are in. */
  flags: number;
  enable: boolean;
}

export interface SpecProblem {
  line: number;
  message: string;
}

/** Application names: case-insensitive, case-preserving, no spaces (CreateApplication's rule). */
export function appNameProblem(name: string): string | null {
  if (name.length === 0) return 'the application name is empty';
  if (name.length > 260) return 'the application name is longer than 260 characters';
  if (/[\s\u0000-\u001f\u007f]/.test(name))
    return `the application name "${name.replace(/[\u0000-\u001f\u007f]/g, '?')}" contains spaces or control characters`;
  if (/[\\/]/.test(name)) return `the application name "${name}" contains a slash`;
  return null;
}

/** Turns an <application> of a createapps file into a spec, or explains what is wrong. */
export function applicationSpecFromXml(app: ApplicationXml, problems: SpecProblem[]): ApplicationSpec | null {
  const before = problems.length;
  const add = (message: string) => problems.push({ line: app.line, message: `application "${app.name}": ${message}` });
  const nameProblem = appNameProblem(app.name);
  if (nameProblem) add(nameProblem);
  const { flags: given } = app;
  let type: AppType = 'individual';
  if (given.groupApp && given.configStoreApp) add('groupApp and configStoreApp cannot both be yes');
  else if (given.groupApp) type = 'group';
  else if (given.configStoreApp) type = 'config-store';
  if (app.windowsAccount !== undefined) {
    if (type !== 'individual') add('<windowsAccount> is only for host group applications');
    else type = 'host-group';
    if (splitAccounts(app.windowsAccount).length > 1) add(ESSO.HOST_GROUP_ONE_ACCOUNT_ONLY.text);
    if (app.appUserAccount !== undefined) add('a host group application takes <windowsAccount>, not <appUserAccount>');
  }
  const userAccounts = (type === 'host-group' ? app.windowsAccount : app.appUserAccount) ?? '';
  if (type !== 'host-group' && app.appUserAccount === undefined) add('<appUserAccount> is required');
  else accountListProblems(userAccounts, type === 'host-group' ? '<windowsAccount>' : '<appUserAccount>').forEach(add);
  if (given.adminAccountSame) {
    if (app.appAdminAccount !== undefined)
      add(`leave out <appAdminAccount> when adminAccountSame is yes (${ESSO.INVALID_FLAGS.text})`);
  } else if (app.appAdminAccount === undefined) {
    add('<appAdminAccount> is required (or set adminAccountSame="yes")');
  } else {
    accountListProblems(app.appAdminAccount, '<appAdminAccount>').forEach(add);
  }
  if (app.fields[0]?.masked) add('the first field (ordinal 0) is the user id and cannot be masked');

  let flags = DEFAULT_APP_FLAGS;
  if (type === 'host-group') flags = (flags & ~SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL) | SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS;
  for (const [name, value] of Object.entries(given) as [AppFlagName, boolean][]) {
    if (name === 'enableApp') continue;
    flags = value ? flags | FLAG_BITS[name] : flags & ~FLAG_BITS[name];
  }
  // Enterprise SSO validates the external password of a host-initiated application by
  // default, individual or host group ("Validating Passwords for Host Initiated SSO");
  // validatePassword="no" turns it off.
  if (given.validatePassword === undefined && flags & SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS)
    flags |= SSO_FLAG.SSO_VERIFY_EXTERNAL_CREDS;
  if (type === 'host-group' && !(flags & SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS))
    add('a host group application must be host-initiated');
  if (type === 'group' && flags & SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS)
    add('a group application can only be Windows-initiated');
  if (given.enableApp && app.fields.length === 0 && type !== 'config-store') {
    add(`enableApp is yes but the application has no fields (${ESSO.APP_INCOMPLETE_FIELDS.text})`);
  }
  if (problems.length > before) return null;
  return {
    line: app.line,
    name: app.name,
    type,
    description: app.description ?? '',
    contact: app.contact ?? '',
    userAccounts,
    adminAccounts: given.adminAccountSame ? '' : (app.appAdminAccount ?? ''),
    fields: app.fields.map(({ ordinal, label, masked }) => ({ ordinal, label, masked })),
    flags,
    enable: Boolean(given.enableApp),
  };
}

interface AppRow {
  id: number;
  name: string;
  app_type: AppType;
  description: string;
  contact: string;
  user_accounts: string;
  admin_accounts: string;
  flags: number;
  ticket_timeout: number;
  purge_id: string;
  created_at: string;
  updated_at: string;
}

function fromRow(row: AppRow, fields: FieldDef[]): AppRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.app_type,
    description: row.description,
    contact: row.contact,
    userAccounts: row.user_accounts,
    adminAccounts: row.admin_accounts,
    flags: row.flags,
    ticketTimeout: row.ticket_timeout,
    purgeId: row.purge_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    fields,
  };
}

async function fieldsOf(q: Queryable, appId: number): Promise<FieldDef[]> {
  const rows = await q.all<{ ordinal: number; label: string; masked: number }>(
    'SELECT ordinal, label, masked FROM fields WHERE app_id = ? ORDER BY ordinal',
    [appId],
  );
  return rows.map((r) => ({ ordinal: r.ordinal, label: r.label, masked: r.masked === 1 }));
}

export async function findApp(q: Queryable, name: string): Promise<AppRecord | null> {
  const row = await q.get<AppRow>('SELECT * FROM applications WHERE name_key = ?', [name.toLowerCase()]);
  return row ? fromRow(row, await fieldsOf(q, row.id)) : null;
}

/** The application, or NOT_FOUND in Enterprise SSO's words. */
export async function requireApp(q: Queryable, name: string): Promise<AppRecord> {
  const app = await findApp(q, name);
  if (!app) {
    throw new SsoError('NOT_FOUND', `there is no application "${name}"`, {
      esso: ESSO.NO_APP,
      hint: remedy`list them with ${command('app list', option('all'))}`,
    });
  }
  return app;
}

export async function allApps(q: Queryable): Promise<AppRecord[]> {
  const rows = await q.all<AppRow>('SELECT * FROM applications ORDER BY name_key');
  const fieldRows = await q.all<{ app_id: number; ordinal: number; label: string; masked: number }>(
    'SELECT app_id, ordinal, label, masked FROM fields ORDER BY app_id, ordinal',
  );
  const byApp = new Map<number, FieldDef[]>();
  for (const f of fieldRows) {
    const list = byApp.get(f.app_id) ?? [];
    list.push({ ordinal: f.ordinal, label: f.label, masked: f.masked === 1 });
    byApp.set(f.app_id, list);
  }
  return rows.map((row) => fromRow(row, byApp.get(row.id) ?? []));
}
