/**
 * The config store: a config-store application's named, encrypted property bags (what
 * BizTalk keeps port and application settings in). Identifier defaults to
 * "ConfigProperties", the community convention.
 *
 * When the application defines fields, property names are its field labels, the first set
 * of a bag must give them all, and later sets keep what they leave out (ISSOConfigStore's
 * rules); masked fields are masked properties. The exception: an application in the
 * BizTalk Deployment Framework's layout (an AppConfig field) leaves its first field unset,
 * as BTDF does (btdf-settings.ts). An application without fields holds any
 * property names, none masked.
 */

import { ESSO, SsoError } from '../../errors.js';
import { option, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';
import { configOwner, type DataKeyRing, openDataKeyRing, openValues, sealValues } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import { auditFailures, type Role, recordAudit, requireRole, roleCheck } from '../shared/index.js';
import { type AppRecord, requireApp } from './app-model.js';

export const DEFAULT_IDENTIFIER = 'ConfigProperties';

export interface ConfigProperty {
  name: string;
  masked: boolean;
  /** null when masked and not asked for (runtime mode). */
  value: string | null;
}

export interface ConfigBag {
  app: string;
  identifier: string;
  properties: ConfigProperty[];
}

export async function configApp(ctx: StoreContext, appName: string, role: Role, action: string): Promise<AppRecord> {
  const app = await requireApp(ctx.store, appName);
  // The role first: a caller without one learns nothing of the application, not even its type.
  requireRole(await roleCheck(ctx), role, `${action} "${app.name}"`, app);
  if (app.type !== 'config-store') {
    throw new SsoError('CONFLICT', `"${app.name}" is not a config store application`, {
      hint: 'config store applications are created with configStoreApp="yes"',
    });
  }
  return app;
}

function identifierProblem(identifier: string): string | null {
  if (identifier.trim() === '' || identifier.length > 256) return 'the identifier must be 1 to 256 characters';
  if (/[\u0000-\u001f\u007f]/.test(identifier)) return 'the identifier contains control characters';
  return null;
}

interface BagRow {
  id: number;
  identifier: string;
  data_key_id: number;
  ciphertext: Uint8Array;
}

function decodeBag(values: string[]): Map<string, string> {
  const bag = new Map<string, string>();
  for (let i = 0; i + 1 < values.length; i += 2) bag.set(values[i]!, values[i + 1]!);
  return bag;
}

function encodeBag(bag: Map<string, string>): string[] {
  return [...bag.entries()].flat();
}

export async function setConfig(
  ctx: StoreContext,
  appName: string,
  identifier: string,
  properties: Record<string, string>,
  options: {
    replace?: boolean /** Names given on a command line: never masked ones. */;
    fromCommandLine?: string[];
  } = {},
): Promise<{ app: string; identifier: string; created: boolean; properties: string[] }> {
  return auditFailures(ctx, { operation: 'config-set', target: `${appName}/${identifier}` }, async () => {
    const problem = identifierProblem(identifier);
    if (problem) throw new SsoError('INVALID_INPUT', problem);
    const app = await configApp(ctx, appName, 'app-admin', 'changing the config store of');
    const ring = await openDataKeyRing(ctx, 'encrypt', 'changing the config store');
    const names = Object.keys(properties);
    if (names.length === 0) throw new SsoError('INVALID_INPUT', 'no properties given');
    const exposed = (options.fromCommandLine ?? []).filter((name) =>
      app.fields.some((f) => f.masked && f.label.toLowerCase() === name.toLowerCase()),
    );
    if (exposed.length) {
      throw new SsoError(
        'USAGE',
        `${exposed.map((n) => `"${n}"`).join(', ')} is masked, so it cannot be given on the command line (anyone on this machine can read one)`,
        {
          hint: remedy`put it in a file given with ${option('file')} (settings XML or JSON)`,
        },
      );
    }
    const canonical = new Map<string, string>();
    for (const name of names) {
      const field = app.fields.find((f) => f.label.toLowerCase() === name.toLowerCase());
      if (app.fields.length && !field) {
        const btdf = app.fields.some((f) => f.label.toLowerCase() === 'appconfig');
        throw new SsoError('INVALID_INPUT', `"${app.name}" has no property "${name}"`, {
          hint: btdf
            ? remedy`it keeps its settings in AppConfig (the BizTalk Deployment Framework's layout): give one with ${option('setting', 'NAME=VALUE')}`
            : `its properties are ${app.fields.map((f) => `"${f.label}"`).join(', ')}`,
        });
      }
      if (name.trim() === '') throw new SsoError('INVALID_INPUT', 'a property name is empty');
      canonical.set(field?.label ?? name, properties[name]!);
    }
    return ctx.store.transaction(async (tx) => {
      const written = await rewriteBag(tx, ctx, ring, app, identifier, (current) => {
        const bag = current && !options.replace ? current : new Map<string, string>();
        for (const [name, value] of canonical) bag.set(name, value);
        // The BizTalk Deployment Framework's layout never sets its first field (a contact
        // address), only AppConfig: Enterprise SSO accepts that, and so does ssokit.
        const btdf = app.fields.some((f) => f.label.toLowerCase() === 'appconfig');
        const missing = app.fields.filter((f) => !bag.has(f.label) && !(btdf && f.ordinal === 0)).map((f) => f.label);
        if (missing.length) {
          throw new SsoError(
            'INVALID_INPUT',
            `the first values of "${identifier}" must set every property; missing ${missing.map((m) => `"${m}"`).join(', ')}`,
          );
        }
        return bag;
      });
      await recordAudit(tx, ctx, {
        operation: 'config-set',
        target: `${app.name}/${identifier}`,
        result: `success: ${canonical.size} properties`,
      });
      return {
        app: app.name,
        identifier: written.identifier,
        created: written.created,
        properties: [...canonical.keys()],
      };
    });
  });
}

/**
 * Opens one bag (null when there is none), lets `change` make the new one, and seals and
 * stores it, all inside the caller's transaction `tx`, so nothing can change in between.
 */
export async function rewriteBag(
  tx: Queryable,
  ctx: StoreContext,
  ring: DataKeyRing,
  app: AppRecord,
  identifier: string,
  change: (current: Map<string, string> | null) => Map<string, string>,
): Promise<{ identifier: string; created: boolean }> {
  const identifierKey = identifier.toLowerCase();
  const row = await tx.get<BagRow>(
    'SELECT id, identifier, data_key_id, ciphertext FROM config_entries WHERE app_id = ? AND identifier_key = ?',
    [app.id, identifierKey],
  );
  const current = row
    ? decodeBag(
        openValues((await ring.byId(tx, row.data_key_id)).key, configOwner(app.id, identifierKey), row.ciphertext),
      )
    : null;
  const bag = change(current);
  const key = await ring.activeFor(tx, app.id);
  const sealed = sealValues(key.key, configOwner(app.id, identifierKey), encodeBag(bag), ctx.deps.rng);
  const now = ctx.deps.now().toISOString();
  if (row) {
    await tx.run('UPDATE config_entries SET data_key_id = ?, ciphertext = ?, updated_at = ? WHERE id = ?', [
      key.id,
      sealed,
      now,
      row.id,
    ]);
  } else {
    await tx.run(
      'INSERT INTO config_entries (app_id, identifier, identifier_key, data_key_id, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [app.id, identifier, identifierKey, key.id, sealed, now],
    );
  }
  return { identifier: row?.identifier ?? identifier, created: !row };
}

/**
 * Reads a bag. Masked properties are hidden unless `runtime` (Enterprise SSO's
 * SSO_FLAG_RUNTIME: everything, on the server that holds the secret).
 */
export async function getConfig(
  ctx: StoreContext,
  appName: string,
  identifier: string,
  options: { runtime: boolean },
): Promise<ConfigBag> {
  const app = await configApp(ctx, appName, 'app-user', 'reading the config store of');
  const row = await ctx.store.get<BagRow>(
    'SELECT id, identifier, data_key_id, ciphertext FROM config_entries WHERE app_id = ? AND identifier_key = ?',
    [app.id, identifier.toLowerCase()],
  );
  if (!row) {
    throw new SsoError('NOT_FOUND', `"${app.name}" holds no config info named "${identifier}"`, {
      esso: ESSO.NO_MAPPING,
    });
  }
  const ring = await openDataKeyRing(ctx, 'decrypt', 'reading the config store');
  const bag = decodeBag(
    openValues(
      (await ring.byId(ctx.store, row.data_key_id)).key,
      configOwner(app.id, identifier.toLowerCase()),
      row.ciphertext,
    ),
  );
  const maskedNames = new Set(app.fields.filter((f) => f.masked).map((f) => f.label));
  return {
    app: app.name,
    identifier: row.identifier,
    properties: [...bag.entries()].map(([name, value]) => {
      const masked = maskedNames.has(name);
      return { name, masked, value: masked && !options.runtime ? null : value };
    }),
  };
}

export async function deleteConfig(
  ctx: StoreContext,
  appName: string,
  identifier: string,
): Promise<{ deleted: boolean }> {
  return auditFailures(ctx, { operation: 'config-delete', target: `${appName}/${identifier}` }, async () => {
    const app = await configApp(ctx, appName, 'app-admin', 'changing the config store of');
    return ctx.store.transaction(async (tx) => {
      const deleted =
        (await tx.run('DELETE FROM config_entries WHERE app_id = ? AND identifier_key = ?', [
          app.id,
          identifier.toLowerCase(),
        ])) > 0;
      if (!deleted)
        throw new SsoError('NOT_FOUND', `"${app.name}" holds no config info named "${identifier}"`, {
          esso: ESSO.NO_MAPPING,
        });
      await recordAudit(tx, ctx, { operation: 'config-delete', target: `${app.name}/${identifier}` });
      return { deleted };
    });
  });
}

export async function listConfig(
  ctx: StoreContext,
  appName: string,
): Promise<{ app: string; identifiers: { identifier: string; updatedAt: string }[] }> {
  const app = await configApp(ctx, appName, 'app-user', 'reading the config store of');
  const rows = await ctx.store.all<{ identifier: string; updated_at: string }>(
    'SELECT identifier, updated_at FROM config_entries WHERE app_id = ? ORDER BY identifier_key',
    [app.id],
  );
  return { app: app.name, identifiers: rows.map((r) => ({ identifier: r.identifier, updatedAt: r.updated_at })) };
}
