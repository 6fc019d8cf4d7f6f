/**
 * User mappings: a local identity (domain\user) mapped to an external user of an
 * application. Enterprise SSO's rules: created disabled; one mapping per (local user, app)
 * and per (external user, app), except host-group applications, where many external
 * accounts map to their one Windows account; a mapping is disabled before it is deleted.
 */

import { alreadyApplied, ESSO, SsoError } from '../../errors.js';
import { command, option, remedy } from '../../remedy.js';
import { insertRows } from '../../store/bulk-insert.js';
import type { Queryable } from '../../store/store.js';
import { readMappingsXml } from '../../xml/mappings-xml.js';
import { readXmlFile, type XmlProblem, xmlProblems } from '../../xml/xml-document.js';
import type { StoreContext } from '../shared/index.js';
import {
  auditFailures,
  callerIdentity,
  hasFlag,
  holdsRole,
  type Identity,
  identityProblem,
  parseIdentity,
  recordAudit,
  requireRole,
  roleCheck,
  SSO_FLAG,
  splitAccounts,
  trimRing,
} from '../shared/index.js';
import { type AppRecord, findApp, requireApp } from './app-model.js';
import { AppResolver, noSuchApp } from './app-resolver.js';

/** The columns a new mapping is inserted with, in bulk (createmappings, credentials import). */
export const MAPPING_COLUMNS = [
  'app_id',
  'local_user',
  'local_key',
  'local_unique',
  'external_user',
  'external_key',
  'enabled',
  'created_at',
  'updated_at',
] as const;

export interface MappingItem {
  line: number;
  localUser: string;
  app: string;
  externalUser: string;
}

export interface MappingRecord {
  id: number;
  appId: number;
  app: string;
  localUser: string;
  externalUser: string;
  enabled: boolean;
  hasCredentials: boolean;
}

/** The local side of a mapping for this application, or why it cannot be. */
export function mappingIdentityProblem(app: AppRecord, identity: Identity): string | null {
  if (app.type === 'config-store') return `"${app.name}" is a config store application: it has no user mappings`;
  if (app.type === 'group') {
    const accounts = splitAccounts(app.userAccounts).map((a) => a.toLowerCase());
    if (!accounts.includes(identity.key)) {
      return `a group application maps one of its application users accounts (${app.userAccounts}), not "${identity.text}"`;
    }
    return null;
  }
  if (app.type === 'host-group' && identity.key !== app.userAccounts.toLowerCase()) {
    return `host group application "${app.name}" maps external accounts to its Windows account ${app.userAccounts}, not to "${identity.text}"`;
  }
  if (!identity.domain && !hasFlag(app.flags, SSO_FLAG.APP_ALLOW_LOCAL)) {
    return `"${identity.text}" is a local account: ${ESSO.NO_LOCAL_ACCOUNTS.text} (use domain\\user)`;
  }
  return null;
}

export function externalUserProblem(text: string): string | null {
  if (text.trim() === '') return 'the external user id is empty';
  if (text.length > 256) return 'the external user id is longer than 256 characters';
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'the external user id contains control characters';
  return null;
}

/** The mappings a UserMapping XML file lists, with their lines. */
function mappingItemsFromFile(path: string): { file: string; items: MappingItem[] } {
  const doc = readXmlFile(path);
  const items = readMappingsXml(doc).map((m) => ({
    line: m.line,
    localUser: m.windowsDomain ? `${m.windowsDomain}\\${m.windowsUserId}` : m.windowsUserId,
    app: m.externalApplication,
    externalUser: m.externalUserId,
  }));
  return { file: doc.file, items };
}

export async function createMappingsFromFile(ctx: StoreContext, path: string): Promise<{ created: number }> {
  const { file, items } = mappingItemsFromFile(path);
  return createMappings(ctx, file, items);
}

/** -createmappings: every mapping valid and new, or none is created. Created disabled. */
export async function createMappings(
  ctx: StoreContext,
  file: string,
  items: MappingItem[],
): Promise<{ created: number }> {
  return auditFailures(ctx, { operation: 'create-mappings', target: file }, async () => {
    const apps = new AppResolver(ctx.store, await roleCheck(ctx), 'creating mappings');
    const problems: XmlProblem[] = [];
    const rows: (string | number | null)[][] = [];
    const seenLocal = new Map<string, number>();
    const seenExternal = new Map<string, number>();
    /** Items that exist exactly as given: all of them means the file was applied before. */
    let alreadyThere = 0;
    const now = ctx.deps.now().toISOString();
    for (const item of items) {
      const add = (message: string) => problems.push({ line: item.line, message });
      const app = await apps.get(item.app);
      if (!app) {
        add(noSuchApp(item.app));
        continue;
      }
      const bad = identityProblem(item.localUser) ?? externalUserProblem(item.externalUser);
      if (bad) {
        add(bad);
        continue;
      }
      const identity = parseIdentity(item.localUser);
      const refused = mappingIdentityProblem(app, identity);
      if (refused) {
        add(refused);
        continue;
      }
      const localUnique = app.type === 'host-group' ? null : identity.key;
      const externalKey = item.externalUser.toLowerCase();
      const localSeen = localUnique === null ? undefined : seenLocal.get(`${app.id}\u0000${localUnique}`);
      const externalSeen = seenExternal.get(`${app.id}\u0000${externalKey}`);
      if (localSeen !== undefined) add(`"${identity.text}" is already mapped in ${app.name} at line ${localSeen}`);
      else if (externalSeen !== undefined)
        add(`external user "${item.externalUser}" is already mapped in ${app.name} at line ${externalSeen}`);
      else if (await existingConflict(ctx.store, app.id, localUnique, externalKey)) {
        add(`${identity.text} -> ${item.externalUser} in ${app.name}: ${ESSO.MAPPING_EXISTS.text}`);
        if (
          await ctx.store.get('SELECT 1 FROM mappings WHERE app_id = ? AND local_key = ? AND external_key = ?', [
            app.id,
            identity.key,
            externalKey,
          ])
        ) {
          alreadyThere++;
        }
      } else {
        if (localUnique !== null) seenLocal.set(`${app.id}\u0000${localUnique}`, item.line);
        seenExternal.set(`${app.id}\u0000${externalKey}`, item.line);
        rows.push([app.id, identity.text, identity.key, localUnique, item.externalUser, externalKey, 0, now, now]);
      }
    }
    if (items.length > 0 && alreadyThere === items.length) throw alreadyApplied(file, items.length, 'mapping');
    if (problems.length) throw xmlProblems(file, problems);
    await ctx.store.transaction(async (tx) => {
      await insertRows(tx, 'mappings', MAPPING_COLUMNS, rows);
      await recordAudit(tx, ctx, {
        operation: 'create-mappings',
        target: file,
        result: `success: ${rows.length} created`,
      });
    });
    return { created: rows.length };
  });
}

async function existingConflict(
  q: Queryable,
  appId: number,
  localUnique: string | null,
  externalKey: string,
): Promise<boolean> {
  if (
    localUnique !== null &&
    (await q.get('SELECT 1 FROM mappings WHERE app_id = ? AND local_unique = ?', [appId, localUnique]))
  )
    return true;
  return Boolean(await q.get('SELECT 1 FROM mappings WHERE app_id = ? AND external_key = ?', [appId, externalKey]));
}

interface MappingRow {
  id: number;
  app_id: number;
  app: string;
  local_user: string;
  external_user: string;
  enabled: number;
  has_credentials: number;
}

const MAPPING_SELECT = `SELECT m.id, m.app_id, a.name AS app, m.local_user, m.external_user, m.enabled,
  (SELECT COUNT(*) FROM credentials c WHERE c.mapping_id = m.id) AS has_credentials
  FROM mappings m JOIN applications a ON a.id = m.app_id`;

function fromRow(row: MappingRow): MappingRecord {
  return {
    id: row.id,
    appId: row.app_id,
    app: row.app,
    localUser: row.local_user,
    externalUser: row.external_user,
    enabled: row.enabled === 1,
    hasCredentials: row.has_credentials > 0,
  };
}

/**
 * The mapping `who` names in `app`: the local user, or for a host-group application the
 * external account (Enterprise SSO's `-enablemapping <external account> <app>`).
 */
export async function findMapping(q: Queryable, app: AppRecord, who: string): Promise<MappingRecord | null> {
  const row =
    app.type === 'host-group'
      ? await q.get<MappingRow>(`${MAPPING_SELECT} WHERE m.app_id = ? AND m.external_key = ?`, [
          app.id,
          who.toLowerCase(),
        ])
      : await q.get<MappingRow>(`${MAPPING_SELECT} WHERE m.app_id = ? AND m.local_key = ?`, [
          app.id,
          parseIdentity(who).key,
        ]);
  return row ? fromRow(row) : null;
}

export async function requireMapping(q: Queryable, app: AppRecord, who: string): Promise<MappingRecord> {
  const mapping = await findMapping(q, app, who);
  if (!mapping) {
    throw new SsoError('NOT_FOUND', `"${who}" has no mapping in application "${app.name}"`, {
      esso: ESSO.NO_MAPPING,
      hint: remedy`list them with ${command('mapping list', option('app', app.name))}`,
    });
  }
  return mapping;
}

/** -enablemapping / -disablemapping. */
export async function setMappingEnabled(
  ctx: StoreContext,
  who: string,
  appName: string,
  enabled: boolean,
): Promise<MappingRecord> {
  const operation = enabled ? 'enable-mapping' : 'disable-mapping';
  return auditFailures(ctx, { operation, target: `${appName}/${who}` }, async () => {
    const app = await requireApp(ctx.store, appName);
    await requireMappingAdmin(ctx, app, who, `${enabled ? 'enabling' : 'disabling'} a mapping`);
    const mapping = await requireMapping(ctx.store, app, who);
    await ctx.store.transaction(async (tx) => {
      await tx.run('UPDATE mappings SET enabled = ?, updated_at = ? WHERE id = ?', [
        enabled ? 1 : 0,
        ctx.deps.now().toISOString(),
        mapping.id,
      ]);
      await recordAudit(tx, ctx, { operation, target: `${app.name}/${mapping.localUser}/${mapping.externalUser}` });
    });
    return { ...mapping, enabled };
  });
}

/** -deletemapping: only a disabled mapping ("You must disable a user mapping before you can remove it"). */
export async function deleteMapping(ctx: StoreContext, who: string, appName: string): Promise<MappingRecord> {
  return auditFailures(ctx, { operation: 'delete-mapping', target: `${appName}/${who}` }, async () => {
    const app = await requireApp(ctx.store, appName);
    await requireMappingAdmin(ctx, app, who, 'deleting a mapping');
    const mapping = await requireMapping(ctx.store, app, who);
    if (mapping.enabled) {
      throw new SsoError(
        'CONFLICT',
        `the mapping of "${mapping.localUser}" in "${app.name}" is enabled: disable it before deleting it`,
        {
          hint: remedy`${command('mapping disable', who, app.name)}`,
        },
      );
    }
    await ctx.store.transaction(async (tx) => {
      await removeMappings(tx, ctx, [{ ...mapping, app: app.name }]);
      await recordAudit(tx, ctx, {
        operation: 'delete-mapping',
        target: `${app.name}/${mapping.localUser}/${mapping.externalUser}`,
      });
    });
    return mapping;
  });
}

export async function deleteMappingsFromFile(ctx: StoreContext, path: string): Promise<{ deleted: number }> {
  const { file, items } = mappingItemsFromFile(path);
  return deleteMappings(ctx, file, items);
}

/** -deletemappings: every listed mapping exists, or none is deleted. */
export async function deleteMappings(
  ctx: StoreContext,
  file: string,
  items: MappingItem[],
): Promise<{ deleted: number }> {
  return auditFailures(ctx, { operation: 'delete-mappings', target: file }, async () => {
    const apps = new AppResolver(ctx.store, await roleCheck(ctx), 'deleting mappings');
    const problems: XmlProblem[] = [];
    const found = new Map<number, MappingRecord>();
    for (const item of items) {
      const app = await apps.get(item.app);
      const problem = !app ? noSuchApp(item.app) : identityProblem(item.localUser);
      if (problem) {
        problems.push({ line: item.line, message: problem });
        continue;
      }
      const mapping = await findMapping(
        ctx.store,
        app!,
        app!.type === 'host-group' ? item.externalUser : item.localUser,
      );
      if (!mapping || mapping.externalUser.toLowerCase() !== item.externalUser.toLowerCase()) {
        problems.push({
          line: item.line,
          message: `${item.localUser} -> ${item.externalUser} in ${app!.name}: ${ESSO.NO_MAPPING.text}`,
        });
      } else found.set(mapping.id, mapping);
    }
    if (problems.length) throw xmlProblems(file, problems);
    await ctx.store.transaction(async (tx) => {
      await removeMappings(tx, ctx, [...found.values()]);
      await recordAudit(tx, ctx, {
        operation: 'delete-mappings',
        target: file,
        result: `success: ${found.size} deleted`,
      });
    });
    return { deleted: found.size };
  });
}

async function removeMappings(tx: Queryable, ctx: StoreContext, mappings: MappingRecord[]): Promise<void> {
  const now = ctx.deps.now().toISOString();
  await tx.runMany(
    'DELETE FROM mappings WHERE id = ?',
    mappings.map((m) => [m.id]),
  );
  await tx.runMany(
    'INSERT INTO audit_deleted_mappings (at, os_user, node, app_name, local_user, external_user) VALUES (?, ?, ?, ?, ?, ?)',
    mappings.map((m) => [now, ctx.caller.user, ctx.node.nodeName, m.app, m.localUser, m.externalUser]),
  );
  const info = await roleCheck(ctx, tx);
  await trimRing(tx, 'audit_deleted_mappings', info.info.auditDeletedMappings);
}

/**
 * Application administrators manage every mapping of their application; application users
 * only their own (ssoclient), and never those of a group application.
 */
export async function requireMappingAdmin(
  ctx: StoreContext,
  app: AppRecord,
  who: string,
  action: string,
): Promise<void> {
  const check = await roleCheck(ctx);
  if (holdsRole(check, 'app-admin', app)) return;
  const self = callerIdentity(ctx.caller, ctx.node).key;
  if (app.type === 'individual' && who.toLowerCase() === self && holdsRole(check, 'app-user', app)) return;
  requireRole(check, 'app-admin', `${action} in application "${app.name}"`, app);
}

export interface ListMappingsOptions {
  user?: string;
  app?: string;
}

/** -listmappings <domain\user> | <app> | <domain\user> <app>. */
export async function listMappings(ctx: StoreContext, options: ListMappingsOptions): Promise<MappingRecord[]> {
  const check = await roleCheck(ctx);
  const where: string[] = [];
  const params: string[] = [];
  if (options.app) {
    const app = await requireApp(ctx.store, options.app);
    await requireMappingAdmin(ctx, app, options.user ?? '', `listing the mappings of application "${app.name}"`);
    where.push('m.app_id = ?');
    params.push(String(app.id));
  }
  if (options.user) {
    where.push('m.local_key = ?');
    params.push(parseIdentity(options.user).key);
  }
  const rows = await ctx.store.all<MappingRow>(
    `${MAPPING_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY a.name_key, m.local_key, m.external_key`,
    params,
  );
  if (options.app || holdsRole(check, 'affiliate-admin')) return rows.map(fromRow);
  // A user's mappings across applications: those of applications the caller administers,
  // or the caller's own.
  const self = callerIdentity(ctx.caller, ctx.node).key;
  const visible: MappingRecord[] = [];
  const apps = new Map<number, AppRecord | null>();
  for (const row of rows) {
    if (!apps.has(row.app_id)) apps.set(row.app_id, await findApp(ctx.store, row.app));
    const app = apps.get(row.app_id)!;
    if (holdsRole(check, 'app-admin', app) || row.local_user.toLowerCase() === self) visible.push(fromRow(row));
  }
  if (rows.length > 0 && visible.length === 0)
    requireRole(check, 'affiliate-admin', `listing the mappings of ${options.user}`);
  return visible;
}
