/**
 * Credentials: the external field values of a mapping, sealed under the application's data
 * key. Set by administrators (-setcredentials), by users for themselves (ssoclient), or in
 * bulk (credentials import); read only through a lookup, which is audited.
 */

import { ESSO, SsoError } from '../../errors.js';
import { command, option, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';
import { credentialOwner, type DataKeyRing, loadDataKeyring, openDataKeyRing, sealValues } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import {
  auditFailures,
  callerIdentity,
  callerIsIn,
  type Identity,
  identityProblem,
  parseIdentity,
  recordAudit,
  splitAccounts,
} from '../shared/index.js';
import { type AppRecord, allApps, type FieldDef, requireApp } from './app-model.js';
import {
  externalUserProblem,
  findMapping,
  type MappingRecord,
  mappingIdentityProblem,
  requireMappingAdmin,
} from './mappings.js';

export interface CredentialPlan {
  app: AppRecord;
  /** The local identity (for a host-group application, its Windows account). */
  identity: Identity;
  /** The name the mapping is found by (the external account for host-group apps). */
  who: string;
  mapping: MappingRecord | null;
  fields: FieldDef[];
}

/**
 * Everything -setcredentials checks before it asks for a value: the application, the
 * caller's right to set this user's credentials, the master secret, the mapping.
 */
export async function planSetCredentials(ctx: StoreContext, who: string, appName: string): Promise<CredentialPlan> {
  return auditFailures(ctx, { operation: 'set-credentials', target: `${appName}/${who}` }, async () => {
    const app = await requireApp(ctx.store, appName);
    if (app.type === 'config-store') {
      throw new SsoError('CONFLICT', `"${app.name}" is a config store application: it holds no credentials`, {
        hint: remedy`set its properties with ${command('config-store set', app.name)}`,
      });
    }
    const problem = identityProblem(who);
    if (problem) throw new SsoError('INVALID_INPUT', problem, { esso: ESSO.INVALID_ACCOUNT_FORMAT });
    await requireMappingAdmin(ctx, app, who, 'setting credentials');
    const identity = app.type === 'host-group' ? parseIdentity(app.userAccounts) : parseIdentity(who);
    const refused = mappingIdentityProblem(app, identity);
    if (refused) throw new SsoError('INVALID_INPUT', refused);
    await loadDataKeyring(ctx, 'encrypt', 'setting credentials');
    return { app, identity, who, mapping: await findMapping(ctx.store, app, who), fields: app.fields };
  });
}

export interface CredentialValues {
  /** Required when the mapping does not exist yet. */
  externalUser?: string;
  /** By field label (case-insensitive). */
  values: Record<string, string>;
}

/** Orders values by field, or explains which are missing or unknown. */
export function valuesInFieldOrder(fields: FieldDef[], values: Record<string, string>): string[] {
  const byLabel = new Map(Object.entries(values).map(([label, value]) => [label.toLowerCase(), value]));
  const unknown = [...byLabel.keys()].filter((label) => !fields.some((f) => f.label.toLowerCase() === label));
  const missing = fields.filter((f) => !byLabel.has(f.label.toLowerCase())).map((f) => f.label);
  if (unknown.length || missing.length) {
    throw new SsoError(
      'INVALID_INPUT',
      [
        missing.length ? `no value for ${missing.map((l) => `"${l}"`).join(', ')}` : '',
        unknown.length ? `no field called ${unknown.map((l) => `"${l}"`).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      { hint: `the fields are ${fields.map((f) => `"${f.label}"`).join(', ')}` },
    );
  }
  return fields.map((f) => byLabel.get(f.label.toLowerCase())!);
}

/** -setcredentials: creates the mapping if needed, seals the values, enables the mapping. */
export async function setCredentials(
  ctx: StoreContext,
  plan: CredentialPlan,
  input: CredentialValues,
): Promise<{ mapping: MappingRecord; created: boolean }> {
  const { app } = plan;
  return auditFailures(ctx, { operation: 'set-credentials', target: `${app.name}/${plan.who}` }, async () => {
    const values = valuesInFieldOrder(plan.fields, input.values);
    const ring = await openDataKeyRing(ctx, 'encrypt', 'setting credentials');
    return ctx.store.transaction(async (tx) => {
      const now = ctx.deps.now().toISOString();
      let mapping = await findMapping(tx, app, plan.who);
      const created = mapping === null;
      if (!mapping) {
        const externalUser = app.type === 'host-group' ? plan.who : input.externalUser;
        if (externalUser === undefined) {
          throw new SsoError(
            'INPUT_REQUIRED',
            `"${plan.who}" has no mapping in "${app.name}" yet: give the external user id`,
            {
              hint: remedy`add ${option('external-user', 'ID')}`,
            },
          );
        }
        const bad = externalUserProblem(externalUser);
        if (bad) throw new SsoError('INVALID_INPUT', bad);
        mapping = await insertMapping(tx, app, plan.identity, externalUser, now);
      }
      await writeCredential(tx, ring, app.id, mapping.id, values, ctx, now);
      await tx.run('UPDATE mappings SET enabled = 1, updated_at = ? WHERE id = ?', [now, mapping.id]);
      await recordAudit(tx, ctx, {
        operation: 'set-credentials',
        target: `${app.name}/${mapping.localUser}/${mapping.externalUser}`,
        result: created ? 'success: mapping created' : 'success',
      });
      return { mapping: { ...mapping, enabled: true, hasCredentials: true }, created };
    });
  });
}

export async function insertMapping(
  tx: Queryable,
  app: AppRecord,
  identity: Identity,
  externalUser: string,
  now: string,
): Promise<MappingRecord> {
  const localUnique = app.type === 'host-group' ? null : identity.key;
  const externalKey = externalUser.toLowerCase();
  const taken = await tx.get<{ local_user: string }>(
    'SELECT local_user FROM mappings WHERE app_id = ? AND external_key = ?',
    [app.id, externalKey],
  );
  if (taken) {
    throw new SsoError(
      'ALREADY_EXISTS',
      `external user "${externalUser}" is already mapped to "${taken.local_user}" in "${app.name}"`,
      {
        esso: ESSO.MAPPING_EXISTS,
      },
    );
  }
  const id = await tx.insert(
    `INSERT INTO mappings (app_id, local_user, local_key, local_unique, external_user, external_key, enabled, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    [app.id, identity.text, identity.key, localUnique, externalUser, externalKey, now, now],
  );
  return {
    id,
    appId: app.id,
    app: app.name,
    localUser: identity.text,
    externalUser,
    enabled: true,
    hasCredentials: false,
  };
}

export async function writeCredential(
  tx: Queryable,
  ring: DataKeyRing,
  appId: number,
  mappingId: number,
  values: string[],
  ctx: StoreContext,
  now: string,
): Promise<void> {
  const key = await ring.activeFor(tx, appId);
  const sealed = sealValues(key.key, credentialOwner(mappingId), values, ctx.deps.rng);
  const updated = await tx.run(
    'UPDATE credentials SET data_key_id = ?, ciphertext = ?, updated_at = ? WHERE mapping_id = ?',
    [key.id, sealed, now, mappingId],
  );
  if (updated === 0) {
    await tx.run('INSERT INTO credentials (mapping_id, data_key_id, ciphertext, updated_at) VALUES (?, ?, ?, ?)', [
      mappingId,
      key.id,
      sealed,
      now,
    ]);
  }
}

/** The caller's own applications (ssoclient -listapps): those whose users account holds the caller. */
export async function applicationsForCaller(ctx: StoreContext): Promise<{ user: string; apps: string[] }> {
  const apps = (await allApps(ctx.store))
    .filter((app) => app.type !== 'config-store' && callerIsIn(ctx.caller, ctx.node, splitAccounts(app.userAccounts)))
    .map((app) => app.name);
  return { user: callerIdentity(ctx.caller, ctx.node).text, apps };
}
