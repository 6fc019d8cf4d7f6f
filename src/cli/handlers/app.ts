/** Affiliate applications: create, update, list, show, delete, enable, disable, purge-cache. */

import { resolve } from 'node:path';
import {
  createApplicationsFromFile,
  deleteApplication,
  displayApplication,
  listApplications,
  purgeApplicationCache,
  setApplicationEnabled,
  TYPE_LABELS,
  updateApplicationsFromFile,
} from '../../core/manage/index.js';
import { hasFlag, SSO_FLAG } from '../../core/shared/index.js';
import { SsoError } from '../../errors.js';
import { obtainConfirmation } from '../answers.js';
import type { Session } from '../session.js';

const yesNo = (on: boolean) => (on ? 'Yes' : 'No');

export async function appCreateCommand(session: Session, options: { file: string; dryRun: boolean }): Promise<void> {
  const { file } = options;
  const result = await createApplicationsFromFile(await session.store(), resolve(file), Boolean(options.dryRun));
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.usingServer();
  for (const app of result.created) {
    out.line(
      `${result.dryRun ? 'would create' : 'created'} ${TYPE_LABELS[app.type as keyof typeof TYPE_LABELS]} application ${app.name} (${app.fields} fields${app.enabled ? ', enabled' : ''})`,
    );
  }
  if (result.dryRun) out.note('dry run: nothing was changed');
  else out.done(`${result.created.length} application(s) created`);
}

export async function appUpdateCommand(session: Session, options: { file: string; dryRun: boolean }): Promise<void> {
  const { file } = options;
  const result = await updateApplicationsFromFile(await session.store(), resolve(file), Boolean(options.dryRun));
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.usingServer();
  for (const app of result.updated) {
    out.line(`${app.name}: ${app.changes.length ? app.changes.join('; ') : 'unchanged'}`);
  }
  if (result.dryRun) out.note('dry run: nothing was changed');
  else out.done(`${result.updated.length} application(s) updated`);
}

/** -listapps [all]: "all" includes config store applications. */
export function legacyListAppsCommand(session: Session, { all }: { all: string | undefined }): Promise<void> {
  if (all !== undefined && all.toLowerCase() !== 'all') {
    throw new SsoError('USAGE', `-listapps takes "all" or nothing, not "${all}"`);
  }
  return appListCommand(session, { all: all !== undefined });
}

export async function appListCommand(session: Session, options: { all: boolean }): Promise<void> {
  const apps = await listApplications(await session.store(), { all: Boolean(options.all) });
  const { out } = session;
  if (out.json) return out.printJson(apps);
  if (out.legacy) {
    out.usingServer();
    out.line('Existing applications -');
    for (const app of apps) out.line(`${app.enabled ? '(E)' : '(D)'} ${app.name}`);
    return out.done('');
  }
  if (apps.length === 0) return out.line('no applications');
  out.table([
    ['NAME', 'TYPE', 'STATE', 'FIELDS', 'MAPPINGS', 'DESCRIPTION'],
    ...apps.map((a) => [
      a.name,
      TYPE_LABELS[a.type],
      a.enabled ? 'enabled' : 'disabled',
      String(a.fields),
      String(a.mappings),
      a.description,
    ]),
  ]);
}

export function appShowCommand(session: Session, { name }: { name: string }): Promise<void> {
  return showApplication(session, name, 'app-admin');
}

/** ssoclient -displayapp is for the application's users; the admin tools for its administrators. */
export async function showApplication(
  session: Session,
  name: string,
  audience: 'app-user' | 'app-admin',
): Promise<void> {
  const app = await displayApplication(await session.store(), name, audience);
  const { out } = session;
  if (out.json) return out.printJson(app);
  out.usingServer();
  const flag = (bit: number) => yesNo(hasFlag(app.flags, bit));
  out.fields([
    ['Application name', app.name],
    ['Description', app.description],
    ['Contact', app.contact],
    [app.type === 'host-group' ? 'Windows account' : 'Application users', app.userAccounts],
    [
      'Application administrators',
      hasFlag(app.flags, SSO_FLAG.APP_ADMIN_SAME) ? '(the SSO affiliate administrators)' : app.adminAccounts,
    ],
    ['Application type', TYPE_LABELS[app.type]],
    ['Enabled', flag(SSO_FLAG.ENABLED)],
    ['Windows initiated SSO', flag(SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL)],
    ['Host initiated SSO', flag(SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS)],
    ['Validate password', flag(SSO_FLAG.SSO_VERIFY_EXTERNAL_CREDS)],
    ['Allow local accounts', flag(SSO_FLAG.APP_ALLOW_LOCAL)],
    ['Allow tickets', flag(SSO_FLAG.ALLOW_TICKETS)],
    ['Validate tickets', flag(SSO_FLAG.VALIDATE_TICKETS)],
    ['Timeout tickets', flag(SSO_FLAG.APP_TICKET_TIMEOUT)],
    ['Credential cache', yesNo(!hasFlag(app.flags, SSO_FLAG.SSO_DISABLE_CRED_CACHE))],
    ['Number of fields', String(app.fields.length)],
    ...app.fields.map((f): [string, string] => [`Field ${f.ordinal}`, `${f.label}${f.masked ? ' (masked)' : ''}`]),
    ['Mappings', String(app.mappings)],
  ]);
  if (out.legacy) out.done('');
}

export async function appDeleteCommand(session: Session, { name }: { name: string }): Promise<void> {
  const ctx = await session.store();
  // The original -deleteapp never asks; the modern command confirms a cascade this large.
  if (!session.out.legacy) {
    await obtainConfirmation(
      session,
      `delete application "${name}" with all its mappings and credentials?`,
      Boolean(session.globals.yes),
    );
  }
  const result = await deleteApplication(ctx, name);
  if (session.out.json) return session.out.printJson(result);
  session.out.usingServer();
  session.out.done(`application ${result.name} deleted with ${result.mappings} mapping(s)`);
}

export async function appEnableCommand(session: Session, { name }: { name: string }): Promise<void> {
  const result = await setApplicationEnabled(await session.store(), name, true);
  session.out.usingServer();
  session.out.done(`application ${result.name} is enabled`, { ...result, enabled: true });
}

export async function appDisableCommand(session: Session, { name }: { name: string }): Promise<void> {
  const result = await setApplicationEnabled(await session.store(), name, false);
  session.out.usingServer();
  session.out.done(`application ${result.name} is disabled`, { ...result, enabled: false });
}

export async function appPurgeCacheCommand(session: Session, { name }: { name: string }): Promise<void> {
  const result = await purgeApplicationCache(await session.store(), name);
  session.out.usingServer();
  session.out.done(`credential cache of ${result.name} purged`, result);
}
