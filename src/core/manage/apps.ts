/**
 * Affiliate applications: -createapps, -updateapps, -listapps, -displayapp, -deleteapp,
 * -enableapp, -disableapp, -purgecache. A file is applied all or nothing: every problem in
 * it is reported, with its line, and then nothing changes.
 */

import { randomUUID } from 'node:crypto';
import { alreadyApplied, ESSO, SsoError } from '../../errors.js';
import type { Queryable } from '../../store/store.js';
import { type ApplicationXml, readApplicationsXml } from '../../xml/applications-xml.js';
import { readXmlFile, xmlProblems } from '../../xml/xml-document.js';
import { createDataKey, loadDataKeyring } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import {
  accountListProblems,
  auditFailures,
  hasFlag,
  holdsRole,
  recordAudit,
  requireRole,
  roleCheck,
  SSO_FLAG,
  trimRing,
} from '../shared/index.js';
import {
  type ApplicationSpec,
  type AppRecord,
  allApps,
  applicationSpecFromXml,
  FLAG_BITS,
  findApp,
  IMMUTABLE_FLAGS,
  requireApp,
  type SpecProblem,
  TICKET_FLAGS,
} from './app-model.js';

export interface CreateAppsResult {
  created: { name: string; type: string; fields: number; enabled: boolean }[];
  dryRun: boolean;
}

export async function createApplicationsFromFile(
  ctx: StoreContext,
  path: string,
  dryRun = false,
): Promise<CreateAppsResult> {
  const doc = readXmlFile(path);
  return createApplications(ctx, doc.file, readApplicationsXml(doc), dryRun);
}

export async function createApplications(
  ctx: StoreContext,
  file: string,
  apps: ApplicationXml[],
  dryRun = false,
): Promise<CreateAppsResult> {
  return auditFailures(ctx, { operation: 'create-apps', target: file }, async () => {
    requireRole(await roleCheck(ctx), 'affiliate-admin', 'creating applications');
    const problems: SpecProblem[] = [];
    const specs = apps
      .map((app) => applicationSpecFromXml(app, problems))
      .filter((s): s is ApplicationSpec => s !== null);
    let existing = 0;
    for (const spec of specs) {
      if (await ctx.store.get('SELECT 1 FROM applications WHERE name_key = ?', [spec.name.toLowerCase()])) {
        problems.push({ line: spec.line, message: `application "${spec.name}": ${ESSO.APP_EXISTS.text}` });
        existing++;
      }
    }
    // Every application exists and nothing else is wrong: the file was applied before.
    if (apps.length > 0 && existing === apps.length && problems.length === existing)
      throw alreadyApplied(file, existing, 'application');
    if (problems.length) throw xmlProblems(file, problems);
    const result = {
      created: specs.map((s) => ({ name: s.name, type: s.type, fields: s.fields.length, enabled: s.enable })),
      dryRun,
    };
    if (dryRun) return result;
    await loadDataKeyring(ctx, 'encrypt', 'creating applications'); // refuse early, before the write lock
    await ctx.store.transaction(async (tx) => {
      // Read inside the transaction: a rotation cannot commit between this and the new keys.
      const keyring = await loadDataKeyring(ctx, 'encrypt', 'creating applications', tx);
      const now = ctx.deps.now().toISOString();
      for (const spec of specs) await insertApplication(tx, ctx, keyring, spec, now);
      await recordAudit(tx, ctx, {
        operation: 'create-apps',
        target: `${file}: ${specs.map((s) => s.name).join(', ')}`,
      });
    });
    return result;
  });
}

/**
 * Writes one checked application inside the caller's transaction: its row, its fields, its
 * data key (wrapped under `keyring`, read inside the same transaction), then, if asked,
 * the enabled flag (created disabled, enabled once its fields are in: Enterprise SSO's order).
 */
export async function insertApplication(
  tx: Queryable,
  ctx: StoreContext,
  keyring: Awaited<ReturnType<typeof loadDataKeyring>>,
  spec: ApplicationSpec,
  now: string,
): Promise<number> {
  const appId = await tx.insert(
    `INSERT INTO applications (name, name_key, app_type, description, contact, user_accounts, admin_accounts,
       flags, ticket_timeout, purge_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    [
      spec.name,
      spec.name.toLowerCase(),
      spec.type,
      spec.description,
      spec.contact,
      spec.userAccounts,
      spec.adminAccounts,
      spec.flags,
      randomUUID(),
      now,
      now,
    ],
  );
  await tx.runMany(
    'INSERT INTO fields (app_id, ordinal, label, label_key, masked) VALUES (?, ?, ?, ?, ?)',
    spec.fields.map((f) => [appId, f.ordinal, f.label, f.label.toLowerCase(), f.masked ? 1 : 0]),
  );
  await createDataKey(tx, keyring, appId, ctx.deps.rng, now);
  if (spec.enable) await tx.run('UPDATE applications SET flags = flags | ? WHERE id = ?', [SSO_FLAG.ENABLED, appId]);
  return appId;
}

export interface UpdateAppsResult {
  updated: { name: string; changes: string[] }[];
  dryRun: boolean;
}

export async function updateApplicationsFromFile(
  ctx: StoreContext,
  path: string,
  dryRun = false,
): Promise<UpdateAppsResult> {
  const doc = readXmlFile(path);
  return updateApplications(ctx, doc.file, readApplicationsXml(doc), dryRun);
}

/** -updateapps: only what the file gives changes; name, type, fields and adminAccountSame cannot. */
export async function updateApplications(
  ctx: StoreContext,
  file: string,
  apps: ApplicationXml[],
  dryRun = false,
): Promise<UpdateAppsResult> {
  return auditFailures(ctx, { operation: 'update-apps', target: file }, async () => {
    const check = await roleCheck(ctx);
    const problems: SpecProblem[] = [];
    const plans: { app: AppRecord; set: Record<string, string | number>; changes: string[] }[] = [];
    for (const given of apps) {
      const add = (message: string) =>
        problems.push({ line: given.line, message: `application "${given.name}": ${message}` });
      const app = await findApp(ctx.store, given.name);
      if (!app) {
        add(ESSO.NO_APP.text);
        continue;
      }
      requireRole(check, 'app-admin', `updating application "${app.name}"`, app);
      const isAffiliate = holdsRole(check, 'affiliate-admin');
      const set: Record<string, string | number> = {};
      const changes: string[] = [];
      const text = (value: string | undefined, column: string, current: string, label: string) => {
        if (value !== undefined && value !== current) {
          set[column] = value;
          changes.push(`${label}: "${current}" -> "${value}"`);
        }
      };
      text(given.description, 'description', app.description, 'description');
      text(given.contact, 'contact', app.contact, 'contact');
      if (given.appUserAccount !== undefined || given.windowsAccount !== undefined) {
        const value = app.type === 'host-group' ? given.windowsAccount : given.appUserAccount;
        if (value === undefined)
          add(
            app.type === 'host-group' ? 'give <windowsAccount> for a host group application' : 'give <appUserAccount>',
          );
        else accountListProblems(value, 'application users').forEach(add);
        text(value, 'user_accounts', app.userAccounts, 'application users');
      }
      if (given.appAdminAccount !== undefined && given.appAdminAccount !== app.adminAccounts) {
        if (hasFlag(app.flags, SSO_FLAG.APP_ADMIN_SAME)) add(`${ESSO.INVALID_FLAGS.text} (adminAccountSame is yes)`);
        else if (!isAffiliate)
          add('only SSO and affiliate administrators can change the application administrators account');
        accountListProblems(given.appAdminAccount, 'application administrators').forEach(add);
        text(given.appAdminAccount, 'admin_accounts', app.adminAccounts, 'application administrators');
      }
      if (given.fields.length) {
        const same =
          given.fields.length === app.fields.length &&
          given.fields.every((f, i) => f.label === app.fields[i]!.label && f.masked === app.fields[i]!.masked);
        if (!same) add('fields cannot change after an application is created');
      }
      let flags = app.flags;
      for (const [name, value] of Object.entries(given.flags) as [keyof typeof FLAG_BITS, boolean][]) {
        const bit = FLAG_BITS[name];
        if (hasFlag(app.flags, bit) === value) continue;
        if (IMMUTABLE_FLAGS.includes(name)) add(`${name} cannot change after an application is created`);
        else if (TICKET_FLAGS.includes(name) && !holdsRole(check, 'sso-admin'))
          add(`only SSO administrators can change ${name}`);
        else if (name === 'enableApp' && value && app.fields.length === 0 && app.type !== 'config-store')
          add(ESSO.APP_INCOMPLETE_FIELDS.text);
        flags = value ? flags | bit : flags & ~bit;
        changes.push(`${name}: ${value ? 'yes' : 'no'}`);
      }
      if (hasFlag(check.info.flags, SSO_FLAG.VALIDATE_TICKETS) && !hasFlag(flags, SSO_FLAG.VALIDATE_TICKETS)) {
        add('validateTickets cannot be no while the SSO system validates tickets');
      }
      if (flags !== app.flags) set.flags = flags;
      plans.push({ app, set, changes });
    }
    if (problems.length) throw xmlProblems(file, problems);
    const result = { updated: plans.map((p) => ({ name: p.app.name, changes: p.changes })), dryRun };
    if (dryRun) return result;
    await ctx.store.transaction(async (tx) => {
      const now = ctx.deps.now().toISOString();
      for (const { app, set } of plans) {
        const columns = Object.keys(set);
        if (columns.length === 0) continue;
        await tx.run(
          `UPDATE applications SET ${columns.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
          [...columns.map((c) => set[c]!), now, app.id],
        );
      }
      await recordAudit(tx, ctx, {
        operation: 'update-apps',
        target: `${file}: ${plans.map((p) => p.app.name).join(', ')}`,
      });
    });
    return result;
  });
}

export interface AppSummary {
  name: string;
  type: AppRecord['type'];
  enabled: boolean;
  description: string;
  fields: number;
  mappings: number;
}

/**
 * -listapps: SSO and affiliate administrators see every application, application
 * administrators theirs; config-store applications only with `all`.
 */
export async function listApplications(ctx: StoreContext, options: { all: boolean }): Promise<AppSummary[]> {
  const check = await roleCheck(ctx);
  const seeAll = holdsRole(check, 'affiliate-admin');
  const visible = (await allApps(ctx.store)).filter((app) => seeAll || holdsRole(check, 'app-admin', app));
  if (!seeAll && visible.length === 0) requireRole(check, 'affiliate-admin', 'listing applications');
  const counts = new Map(
    (
      await ctx.store.all<{ app_id: number; n: number }>('SELECT app_id, COUNT(*) AS n FROM mappings GROUP BY app_id')
    ).map((r) => [r.app_id, r.n]),
  );
  return visible
    .filter((app) => options.all || app.type !== 'config-store')
    .map((app) => ({
      name: app.name,
      type: app.type,
      enabled: hasFlag(app.flags, SSO_FLAG.ENABLED),
      description: app.description,
      fields: app.fields.length,
      mappings: counts.get(app.id) ?? 0,
    }));
}

/** -displayapp: application administrators and above (ssoclient: its users too). */
export async function displayApplication(
  ctx: StoreContext,
  name: string,
  role: 'app-admin' | 'app-user' = 'app-admin',
): Promise<AppRecord & { mappings: number }> {
  const app = await requireApp(ctx.store, name);
  requireRole(await roleCheck(ctx), role, `displaying application "${app.name}"`, app);
  const count = await ctx.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM mappings WHERE app_id = ?', [app.id]);
  return { ...app, mappings: count?.n ?? 0 };
}

/** -deleteapp: the application, its fields, data key, mappings and credentials go together. */
export async function deleteApplication(ctx: StoreContext, name: string): Promise<{ name: string; mappings: number }> {
  return auditFailures(ctx, { operation: 'delete-app', target: name }, async () => {
    const app = await requireApp(ctx.store, name);
    const check = await roleCheck(ctx);
    requireRole(check, 'affiliate-admin', `deleting application "${app.name}"`);
    return ctx.store.transaction(async (tx) => {
      const count = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM mappings WHERE app_id = ?', [app.id]))!.n;
      await tx.run('DELETE FROM applications WHERE id = ?', [app.id]);
      const now = ctx.deps.now().toISOString();
      await tx.run('INSERT INTO audit_deleted_apps (at, os_user, node, app_name) VALUES (?, ?, ?, ?)', [
        now,
        ctx.caller.user,
        ctx.node.nodeName,
        app.name,
      ]);
      await trimRing(tx, 'audit_deleted_apps', check.info.auditDeletedApps);
      await recordAudit(tx, ctx, {
        operation: 'delete-app',
        target: app.name,
        result: `success: ${count} mapping(s) deleted with it`,
      });
      return { name: app.name, mappings: count };
    });
  });
}

/** -enableapp / -disableapp. */
export async function setApplicationEnabled(
  ctx: StoreContext,
  name: string,
  enabled: boolean,
): Promise<{ name: string; changed: boolean }> {
  const operation = enabled ? 'enable-app' : 'disable-app';
  return auditFailures(ctx, { operation, target: name }, async () => {
    const app = await requireApp(ctx.store, name);
    requireRole(
      await roleCheck(ctx),
      'app-admin',
      `${enabled ? 'enabling' : 'disabling'} application "${app.name}"`,
      app,
    );
    if (enabled && app.fields.length === 0 && app.type !== 'config-store') {
      throw new SsoError('CONFLICT', `application "${app.name}" has no fields, so it cannot be enabled`, {
        esso: ESSO.APP_INCOMPLETE_FIELDS,
      });
    }
    const changed = hasFlag(app.flags, SSO_FLAG.ENABLED) !== enabled;
    await ctx.store.transaction(async (tx) => {
      await tx.run(
        `UPDATE applications SET flags = ${enabled ? 'flags | ?' : 'flags & ~CAST(? AS BIGINT)'}, updated_at = ? WHERE id = ?`,
        [SSO_FLAG.ENABLED, ctx.deps.now().toISOString(), app.id],
      );
      await recordAudit(tx, ctx, { operation, target: app.name, result: changed ? 'success' : 'success: unchanged' });
    });
    return { name: app.name, changed };
  });
}

/**
 * -purgecache: ssokit keeps no credential cache of its own; the application's purge id is
 * renewed, which is how SSO servers that do cache credentials learn to drop them.
 */
export async function purgeApplicationCache(
  ctx: StoreContext,
  name: string,
): Promise<{ name: string; purgeId: string }> {
  return auditFailures(ctx, { operation: 'purge-cache', target: name }, async () => {
    const app = await requireApp(ctx.store, name);
    requireRole(await roleCheck(ctx), 'app-admin', `purging the cache of application "${app.name}"`, app);
    const purgeId = randomUUID();
    await ctx.store.transaction(async (tx) => {
      await tx.run('UPDATE applications SET purge_id = ? WHERE id = ?', [purgeId, app.id]);
      await recordAudit(tx, ctx, { operation: 'purge-cache', target: app.name });
    });
    return { name: app.name, purgeId };
  });
}
