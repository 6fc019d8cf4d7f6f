/** Credentials: set (-setcredentials, ssoclient -setcredentials), get (the runtime lookup), import. */

import { resolve } from 'node:path';
import {
  importCredentialsFromFile,
  lookupCredentials,
  planSetCredentials,
  setCredentials,
} from '../../core/manage/index.js';
import { type FieldOptions, gatherExternalUser, gatherFieldValues } from '../credential-answers.js';
import type { Session } from '../session.js';

export interface SetCredentialsOptions extends FieldOptions {
  user: string;
  app: string;
}

export async function credentialsSetCommand(session: Session, options: SetCredentialsOptions): Promise<void> {
  const { user, app } = options;
  const ctx = await session.store();
  const plan = await planSetCredentials(ctx, user, app);
  const externalUser =
    plan.mapping || plan.app.type === 'host-group'
      ? undefined
      : await gatherExternalUser(session, options, user, plan.app.name);
  const values = await gatherFieldValues(session, plan.fields, options);
  const result = await setCredentials(ctx, plan, { ...(externalUser === undefined ? {} : { externalUser }), values });
  const { out } = session;
  if (out.json)
    return out.printJson({
      app: result.mapping.app,
      user: result.mapping.localUser,
      externalUser: result.mapping.externalUser,
      mappingCreated: result.created,
    });
  out.usingServer();
  out.done(
    `credentials set for ${result.mapping.localUser} in ${result.mapping.app}` +
      `${result.created ? ` (mapping to ${result.mapping.externalUser} created)` : ''}; the mapping is enabled`,
  );
}

export async function credentialsGetCommand(
  session: Session,
  { user, app, reveal }: { user: string; app: string; reveal: boolean },
): Promise<void> {
  const [result] = await lookupCredentials(await session.store(), [{ user, app }], { reveal });
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.fields([
    ['application', result!.app],
    ['user', result!.user],
    ['external user', result!.externalUser],
    ...result!.fields.map((f): [string, string] => [f.label, f.value ?? '******** (masked: add --reveal)']),
  ]);
}

export async function credentialsImportCommand(session: Session, { file }: { file: string }): Promise<void> {
  const result = await importCredentialsFromFile(await session.store(), resolve(file));
  if (session.out.json) return session.out.printJson(result);
  session.out.done(`${result.imported} credential(s) imported; ${result.mappingsCreated} mapping(s) created`);
}
