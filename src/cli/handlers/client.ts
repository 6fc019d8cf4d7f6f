/** ssoclient's own commands, acting for the OS user running them. */

import { applicationsForCaller, deleteMapping, listMappings, setMappingEnabled } from '../../core/manage/index.js';
import { callerIdentity } from '../../core/shared/index.js';
import type { FieldOptions } from '../credential-answers.js';
import type { Session } from '../session.js';
import { showApplication } from './app.js';
import { credentialsSetCommand } from './credentials.js';

export async function clientListAppsCommand(session: Session): Promise<void> {
  const result = await applicationsForCaller(await session.store());
  const { out } = session;
  // A list, as -listapps in ssomanage prints one: the applications this user may use.
  if (out.json) return out.printJson(result.apps.map((name) => ({ name, user: result.user })));
  out.usingServer();
  for (const app of result.apps) out.line(`Applications available for ${result.user} - ${app}`);
  if (result.apps.length === 0) out.line(`No applications available for ${result.user}`);
  out.done('');
}

export async function clientListMappingsCommand(session: Session): Promise<void> {
  const ctx = await session.store();
  const me = callerIdentity(ctx.caller, ctx.node).text;
  const mappings = await listMappings(ctx, { user: me });
  const { out } = session;
  if (out.json) return out.printJson(mappings);
  out.usingServer();
  out.line(`Mappings for user ${me} -`);
  for (const m of mappings) out.line(`${m.enabled ? '(E)' : '(D)'} ${m.app} : ${m.externalUser}`);
  out.done('');
}

async function self(session: Session): Promise<string> {
  const ctx = await session.store();
  return callerIdentity(ctx.caller, ctx.node).text;
}

export async function clientEnableMappingCommand(session: Session, { app }: { app: string }): Promise<void> {
  const mapping = await setMappingEnabled(await session.store(), await self(session), app, true);
  session.out.usingServer();
  session.out.done('', mapping);
}

export async function clientDisableMappingCommand(session: Session, { app }: { app: string }): Promise<void> {
  const mapping = await setMappingEnabled(await session.store(), await self(session), app, false);
  session.out.usingServer();
  session.out.done('', mapping);
}

export async function clientDeleteMappingCommand(session: Session, { app }: { app: string }): Promise<void> {
  const mapping = await deleteMapping(await session.store(), await self(session), app);
  session.out.usingServer();
  session.out.done('', { ...mapping, deleted: true });
}

export function clientShowAppCommand(session: Session, { name }: { name: string }): Promise<void> {
  return showApplication(session, name, 'app-user');
}

/** ssoclient -setcredentials <app>: for the OS user running it. */
export async function clientSetCredentialsCommand(
  session: Session,
  options: FieldOptions & { app: string },
): Promise<void> {
  return credentialsSetCommand(session, { ...options, user: await self(session) });
}
