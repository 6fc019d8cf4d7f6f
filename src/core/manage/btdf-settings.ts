/**
 * The BizTalk Deployment Framework's layout of a config store application (docs/formats.md,
 * "The BizTalk Deployment Framework's layout"): all of an application's settings in ONE
 * entry, identifier {56D74464-67EA-464d-A9D4-3EBBA4090010}, property AppConfig, whose value
 * is a settings document <settings><property name="…">value</property>…</settings>. BTDF's
 * importer (SSOSettingsFileImport) creates the application when it is missing, with two
 * unmasked fields (a contact address, then AppConfig) and writes only AppConfig: the
 * first field is never set, so the "every property on the first set" rule of the
 * property-bag layout does not apply here.
 *
 * A setting is one <property> of that document; reading and changing one is done on the
 * document, opened, changed and sealed again in one transaction.
 */

import { ESSO, SsoError } from '../../errors.js';
import { option, remedy } from '../../remedy.js';
import { parseSettingsText, readSettingsXml, writeAppConfigXml } from '../../xml/config-settings-xml.js';
import { readXmlFile } from '../../xml/xml-document.js';
import { loadDataKeyring, openDataKeyRing } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import { accountListProblems, auditFailures, recordAudit, requireRole, roleCheck, SSO_FLAG } from '../shared/index.js';
import { type ApplicationSpec, type AppRecord, appNameProblem, findApp } from './app-model.js';
import { insertApplication } from './apps.js';
import { configApp, getConfig, rewriteBag } from './config-store.js';

/** What BTDF's SSOSettingsFileImport writes (SSOHelper.cs), and its command-line defaults. */
export const BTDF = {
  identifier: '{56D74464-67EA-464d-A9D4-3EBBA4090010}',
  property: 'AppConfig',
  contact: 'someone@microsoft.com',
  userAccounts: 'BizTalk Application Users',
  adminAccounts: 'BizTalk Server Administrators',
  flags: SSO_FLAG.APP_CONFIG_STORE | SSO_FLAG.APP_ALLOW_LOCAL | SSO_FLAG.SSO_WINDOWS_TO_EXTERNAL,
} as const;

export type ConfigLayout = 'btdf' | 'bag';

export interface Setting {
  name: string;
  value: string;
}

export interface BtdfSettings {
  app: string;
  identifier: string;
  settings: Setting[];
}

export interface BtdfWriteResult {
  app: string;
  identifier: string;
  /** The application was missing and was created as BTDF's importer creates it. */
  appCreated: boolean;
  /** The names written, as stored (an existing setting keeps its spelling). */
  settings: string[];
  added: number;
  changed: number;
  /** How many settings AppConfig holds now. */
  total: number;
}

/** A settings file (BTDF's export, <settings><property name=…>), in document order. */
export function readSettingsFile(path: string): Setting[] {
  return readSettingsXml(readXmlFile(path)).map(({ name, value }) => ({ name, value }));
}

/**
 * Which layout an existing application keeps its settings in: BTDF's when it is a config
 * store application with an AppConfig field, or with no fields and BTDF's entry; the
 * property-bag layout otherwise. Null when there is no such application.
 */
export async function configLayoutOf(
  ctx: StoreContext,
  appName: string,
): Promise<{ app: string; layout: ConfigLayout } | null> {
  const app = await findApp(ctx.store, appName);
  if (!app) return null;
  return { app: app.name, layout: (await isBtdfLayout(ctx, app)) ? 'btdf' : 'bag' };
}

async function isBtdfLayout(ctx: StoreContext, app: AppRecord): Promise<boolean> {
  if (app.type !== 'config-store') return false;
  if (app.fields.length > 0) return appConfigField(app) !== undefined;
  return (
    (await ctx.store.get('SELECT 1 FROM config_entries WHERE app_id = ? AND identifier_key = ?', [
      app.id,
      BTDF.identifier.toLowerCase(),
    ])) !== undefined
  );
}

function appConfigField(app: AppRecord) {
  return app.fields.find((f) => f.label.toLowerCase() === BTDF.property.toLowerCase());
}

/** Every setting in AppConfig. Masked only if the application masks AppConfig: then `runtime` is needed. */
export async function readBtdfSettings(
  ctx: StoreContext,
  appName: string,
  options: { runtime: boolean },
): Promise<BtdfSettings> {
  const bag = await getConfig(ctx, appName, BTDF.identifier, options);
  const property = bag.properties.find((p) => p.name.toLowerCase() === BTDF.property.toLowerCase());
  if (!property) {
    throw new SsoError('NOT_FOUND', `"${bag.app}" holds no ${BTDF.property} property in ${bag.identifier}`, {
      esso: ESSO.NO_MAPPING,
    });
  }
  if (property.value === null) {
    throw new SsoError('USAGE', `${BTDF.property} of "${bag.app}" is masked`, {
      hint: remedy`add ${option('runtime')} to read it`,
    });
  }
  const settings = parseSettingsText(property.value, `${bag.app}/${BTDF.property}`).map(({ name, value }) => ({
    name,
    value,
  }));
  return { app: bag.app, identifier: bag.identifier, settings };
}

/** One setting of AppConfig, its name matched case-insensitively. */
export async function readBtdfSetting(
  ctx: StoreContext,
  appName: string,
  name: string,
  options: { runtime: boolean },
): Promise<BtdfSettings & { name: string; value: string }> {
  const all = await readBtdfSettings(ctx, appName, options);
  const found = all.settings.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!found) {
    const names = all.settings.map((s) => `"${s.name}"`);
    throw new SsoError('NOT_FOUND', `"${all.app}" has no setting "${name}"`, {
      hint: names.length
        ? `its settings are ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`
        : `its ${BTDF.property} holds no settings`,
    });
  }
  return { ...all, name: found.name, value: found.value };
}

export interface BtdfWriteOptions {
  /** Replace every setting instead of adding to and changing the ones there. */
  replace?: boolean;
  /** Create the application when it is missing, as BTDF's importer does, with these accounts. */
  create?: { userAccounts: string; adminAccounts: string } | undefined;
  /** The settings came from a command line: refused if this application masks AppConfig. */
  fromCommandLine?: boolean;
}

/**
 * Writes settings into AppConfig: added when new, changed when there (names matched
 * case-insensitively), the others kept unless `replace`. With `create`, a missing
 * application is created first, in the same transaction.
 */
export async function writeBtdfSettings(
  ctx: StoreContext,
  appName: string,
  settings: Setting[],
  options: BtdfWriteOptions = {},
): Promise<BtdfWriteResult> {
  return auditFailures(ctx, { operation: 'config-set', target: `${appName}/${BTDF.identifier}` }, async () => {
    settingsProblems(settings);
    const existing = await findApp(ctx.store, appName);
    let spec: ApplicationSpec | null = null;
    if (!existing) {
      if (!options.create) {
        throw new SsoError('NOT_FOUND', `there is no application "${appName}"`, {
          esso: ESSO.NO_APP,
          hint: remedy`add ${option('create')} to create it as the BizTalk Deployment Framework's importer does`,
        });
      }
      requireRole(await roleCheck(ctx), 'affiliate-admin', `creating application "${appName}"`);
      spec = btdfApplicationSpec(appName, options.create!);
    } else {
      const app = await configApp(ctx, appName, 'app-admin', 'changing the config store of');
      if (app.fields.length > 0 && !appConfigField(app)) {
        throw new SsoError('CONFLICT', `"${app.name}" has no ${BTDF.property} property, so it keeps no BTDF settings`, {
          hint: remedy`its properties are ${app.fields.map((f) => `"${f.label}"`).join(', ')}: set them with ${option('property', 'NAME=VALUE')}`,
        });
      }
      if (options.fromCommandLine && appConfigField(app)?.masked) {
        throw new SsoError(
          'USAGE',
          `${BTDF.property} of "${app.name}" is masked, so its settings cannot be given on the command line`,
          {
            hint: remedy`put them in a file given with ${option('file')}`,
          },
        );
      }
    }
    if (spec) await loadDataKeyring(ctx, 'encrypt', 'creating applications'); // refuse early, before the write lock
    const ring = await openDataKeyRing(ctx, 'encrypt', 'changing the config store');
    return ctx.store.transaction(async (tx) => {
      let app = existing;
      if (spec) {
        const keyring = await loadDataKeyring(ctx, 'encrypt', 'creating applications', tx);
        await insertApplication(tx, ctx, keyring, spec, ctx.deps.now().toISOString());
        app = await findApp(tx, spec.name);
        await recordAudit(tx, ctx, {
          operation: 'create-apps',
          target: `${spec.name} (the BizTalk Deployment Framework's layout)`,
        });
      }
      const target = app!;
      const label = appConfigField(target)?.label ?? BTDF.property;
      let added = 0;
      let changed = 0;
      let merged: Setting[] = [];
      const written: string[] = [];
      const stored = await rewriteBag(tx, ctx, ring, target, BTDF.identifier, (current) => {
        const bag = new Map(current ?? []);
        const key = [...bag.keys()].find((k) => k.toLowerCase() === label.toLowerCase());
        const text = key === undefined ? undefined : bag.get(key);
        if (key !== undefined) bag.delete(key);
        merged = options.replace || text === undefined ? [] : [...parseSettingsText(text, `${target.name}/${label}`)];
        merged = merged.map(({ name, value }) => ({ name, value }));
        for (const setting of settings) {
          const at = merged.findIndex((s) => s.name.toLowerCase() === setting.name.toLowerCase());
          if (at === -1) {
            merged.push({ ...setting });
            added++;
            written.push(setting.name);
          } else {
            if (merged[at]!.value !== setting.value) changed++;
            merged[at] = { name: merged[at]!.name, value: setting.value };
            written.push(merged[at]!.name);
          }
        }
        bag.set(label, writeAppConfigXml(merged));
        return bag;
      });
      await recordAudit(tx, ctx, {
        operation: 'config-set',
        target: `${target.name}/${stored.identifier}`,
        result: `success: ${settings.length} settings`,
      });
      return {
        app: target.name,
        identifier: stored.identifier,
        appCreated: spec !== null,
        settings: written,
        added,
        changed,
        total: merged.length,
      };
    });
  });
}

function settingsProblems(settings: Setting[]): void {
  if (settings.length === 0) throw new SsoError('INVALID_INPUT', 'no settings given');
  const seen = new Set<string>();
  for (const { name } of settings) {
    if (name.trim() === '') throw new SsoError('INVALID_INPUT', 'a setting name is empty');
    if (/[\u0000-\u001f\u007f]/.test(name))
      throw new SsoError('INVALID_INPUT', 'a setting name contains control characters');
    if (seen.has(name.toLowerCase())) throw new SsoError('INVALID_INPUT', `setting "${name}" is given twice`);
    seen.add(name.toLowerCase());
  }
}

/** The application BTDF's importer creates (SSOHelper.CreateApp): enabled, two unmasked fields. */
function btdfApplicationSpec(name: string, accounts: { userAccounts: string; adminAccounts: string }): ApplicationSpec {
  const problems = [
    appNameProblem(name),
    ...accountListProblems(accounts.userAccounts, 'the application users'),
    ...accountListProblems(accounts.adminAccounts, 'the application administrators'),
  ].filter((p): p is string => p !== null);
  if (problems.length) {
    throw new SsoError('INVALID_INPUT', `cannot create application "${name}": ${problems.join('; ')}`);
  }
  return {
    line: 0,
    name,
    type: 'config-store',
    description: `${name} Configuration Data`,
    contact: BTDF.contact,
    userAccounts: accounts.userAccounts,
    adminAccounts: accounts.adminAccounts,
    fields: [
      { ordinal: 0, label: BTDF.contact, masked: false },
      { ordinal: 1, label: BTDF.property, masked: false },
    ],
    flags: BTDF.flags,
    enable: true,
  };
}
