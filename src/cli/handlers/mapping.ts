/** User mappings: create/delete from XML, list, enable, disable, delete one. */

import { resolve } from 'node:path';
import {
  createMappingsFromFile,
  deleteMapping,
  deleteMappingsFromFile,
  findApp,
  listMappings,
  type MappingRecord,
  setMappingEnabled,
} from '../../core/manage/index.js';
import type { Session } from '../session.js';

/** One mapping: a local user (or, for host group applications, the external account) in an application. */
export interface MappingKey {
  user: string;
  app: string;
}

export async function mappingCreateCommand(session: Session, { file }: { file: string }): Promise<void> {
  const result = await createMappingsFromFile(await session.store(), resolve(file));
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.usingServer();
  out.done(`${result.created} mapping(s) created, disabled until enabled or given credentials`);
}

export async function mappingDeleteFileCommand(session: Session, { file }: { file: string }): Promise<void> {
  const result = await deleteMappingsFromFile(await session.store(), resolve(file));
  if (session.out.json) return session.out.printJson(result);
  session.out.usingServer();
  session.out.done(`${result.deleted} mapping(s) deleted`);
}

export async function mappingDeleteCommand(session: Session, { user, app }: MappingKey): Promise<void> {
  const mapping = await deleteMapping(await session.store(), user, app);
  session.out.usingServer();
  session.out.done(`mapping ${mapping.localUser} -> ${mapping.externalUser} deleted from ${mapping.app}`, {
    ...mapping,
    deleted: true,
  });
}

export async function mappingEnableCommand(session: Session, { user, app }: MappingKey): Promise<void> {
  const mapping = await setMappingEnabled(await session.store(), user, app, true);
  session.out.usingServer();
  session.out.done(`mapping ${mapping.localUser} -> ${mapping.externalUser} in ${mapping.app} is enabled`, mapping);
}

export async function mappingDisableCommand(session: Session, { user, app }: MappingKey): Promise<void> {
  const mapping = await setMappingEnabled(await session.store(), user, app, false);
  session.out.usingServer();
  session.out.done(`mapping ${mapping.localUser} -> ${mapping.externalUser} in ${mapping.app} is disabled`, mapping);
}

export async function mappingListCommand(
  session: Session,
  { user, app }: { user: string | undefined; app: string | undefined },
): Promise<void> {
  const options = { ...(user === undefined ? {} : { user }), ...(app === undefined ? {} : { app }) };
  const mappings = await listMappings(await session.store(), options);
  printMappings(session, mappings, options);
}

/**
 * -listmappings <domain\user> | <app> | <domain\user> <app>: one argument is an
 * application when one has that name and it has no backslash, otherwise a user.
 */
export async function legacyListMappingsCommand(
  session: Session,
  { first, second }: { first: string; second: string | undefined },
): Promise<void> {
  const ctx = await session.store();
  const options =
    second !== undefined
      ? { user: first, app: second }
      : !first.includes('\\') && (await findApp(ctx.store, first))
        ? { app: first }
        : { user: first };
  printMappings(session, await listMappings(ctx, options), options);
}

function printMappings(session: Session, mappings: MappingRecord[], options: { user?: string; app?: string }): void {
  const { out } = session;
  if (out.json) {
    out.printJson(mappings);
    return;
  }
  const mark = (m: MappingRecord) => (m.enabled ? '(E)' : '(D)');
  if (out.legacy) {
    out.usingServer();
    if (options.app && !options.user) {
      out.line(`Mappings for application ${options.app} -`);
      for (const m of mappings) out.line(`${mark(m)} ${m.localUser} : ${m.externalUser}`);
    } else {
      out.line(`Mappings for user ${options.user} -`);
      for (const m of mappings) out.line(`${mark(m)} ${m.app} : ${m.externalUser}`);
    }
    out.done('');
    return;
  }
  if (mappings.length === 0) {
    out.line('no mappings');
    return;
  }
  // One write for the whole listing: an application can have 100,000 mappings.
  out.rows(
    mappings.map((m) => [
      `${mark(m)} ${m.localUser}`,
      m.app,
      m.externalUser,
      ...(m.hasCredentials ? [] : ['(no credentials)']),
    ]),
  );
}
