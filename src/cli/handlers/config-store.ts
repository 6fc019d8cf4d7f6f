/**
 * The config store: set, get, delete, list, import and export of property bags, and of the
 * settings the BizTalk Deployment Framework keeps in one of them (AppConfig): `--setting`
 * reads and writes one setting there; without an identifier, an application in that
 * layout is read and written in it (`--btdf` asks for it, `--create` makes the application).
 */

import { basename, resolve } from 'node:path';
import {
  BTDF,
  type BtdfWriteResult,
  configLayoutOf,
  DEFAULT_IDENTIFIER,
  deleteConfig,
  getConfig,
  listConfig,
  readBtdfSetting,
  readBtdfSettings,
  readSettingsFile,
  type Setting,
  setConfig,
  writeBtdfSettings,
} from '../../core/manage/index.js';
import { SsoError } from '../../errors.js';
import { readInputText, writeFileAtomic } from '../../node/private-files.js';
import { option, remedy } from '../../remedy.js';
import { writeSettingsXml } from '../../xml/config-settings-xml.js';
import type { Session } from '../session.js';

/** A bag: an application and an identifier (ConfigProperties when none is given). */
export interface BagOptions {
  app: string;
  identifier: string | undefined;
}

export interface ConfigSetOptions extends BagOptions {
  property: string[];
  file: string | undefined;
  replace: boolean;
  setting: string[];
}

/**
 * Values come from --file (settings XML or JSON) and --property NAME=VALUE (never a masked
 * one); --setting NAME=VALUE, or an application in the BTDF layout given no identifier,
 * writes settings into AppConfig instead.
 */
export async function configSetCommand(session: Session, options: ConfigSetOptions): Promise<void> {
  const { app, identifier } = options;
  const ctx = await session.store();
  if (options.setting.length > 0) {
    if (identifier !== undefined || options.property.length > 0)
      throw new SsoError('USAGE', '--setting writes into AppConfig: give it without an identifier or --property');
  }
  const useBtdf =
    options.setting.length > 0 ||
    (identifier === undefined &&
      options.property.length === 0 &&
      options.file !== undefined &&
      (await configLayoutOf(ctx, app))?.layout === 'btdf');
  if (useBtdf) {
    const settings = [
      ...(options.file ? readSettingsList(resolve(options.file)) : []),
      ...options.setting.map((entry) => nameValue(entry, '--setting')),
    ];
    const result = await writeBtdfSettings(ctx, app, settings, {
      replace: options.replace,
      fromCommandLine: options.setting.length > 0,
    });
    return printBtdfWrite(session, result);
  }
  const properties: Record<string, string> = options.file ? readPropertiesFile(resolve(options.file)) : {};
  for (const entry of options.property) {
    const { name, value } = nameValue(entry, '--property');
    properties[name] = value;
  }
  const result = await setConfig(ctx, app, identifier ?? DEFAULT_IDENTIFIER, properties, {
    replace: options.replace,
    fromCommandLine: options.property.map((p) => p.slice(0, p.indexOf('='))),
  });
  if (session.out.json) return session.out.printJson(result);
  session.out.done(
    `${result.created ? 'created' : 'updated'} ${result.app}/${result.identifier}: ${result.properties.join(', ')}`,
  );
}

function nameValue(entry: string, flag: string): Setting {
  const at = entry.indexOf('=');
  if (at <= 0) throw new SsoError('USAGE', `${flag} takes "NAME=VALUE", not "${entry.slice(0, 40)}"`);
  return { name: entry.slice(0, at), value: entry.slice(at + 1) };
}

function printBtdfWrite(session: Session, result: BtdfWriteResult): void {
  const { out } = session;
  if (out.json) {
    out.printJson({ ...result, layout: 'btdf' });
    return;
  }
  if (result.appCreated)
    out.line(`created application ${result.app} as the BizTalk Deployment Framework creates it (enabled)`);
  out.done(
    `${result.app}/${BTDF.property}: ${result.added} setting(s) added, ${result.changed} changed (${result.total} in all): ${result.settings.join(', ')}`,
  );
}

export async function configGetCommand(
  session: Session,
  { app, identifier, runtime, setting }: BagOptions & { runtime: boolean; setting: string | undefined },
): Promise<void> {
  const ctx = await session.store();
  const { out } = session;
  if (setting !== undefined) {
    if (identifier !== undefined)
      throw new SsoError('USAGE', '--setting reads AppConfig: give it without an identifier');
    const found = await readBtdfSetting(ctx, app, setting, { runtime });
    if (out.json)
      return out.printJson({ app: found.app, identifier: found.identifier, name: found.name, value: found.value });
    return out.line(found.value);
  }
  if (identifier === undefined && (await configLayoutOf(ctx, app))?.layout === 'btdf') {
    const all = await readBtdfSettings(ctx, app, { runtime });
    if (out.json) return out.printJson({ ...all, layout: 'btdf' });
    if (all.settings.length === 0) return out.line('no settings');
    return out.fields(all.settings.map((s): [string, string] => [s.name, s.value]));
  }
  const bag = await getConfig(ctx, app, identifier ?? DEFAULT_IDENTIFIER, { runtime });
  if (out.json) return out.printJson(bag);
  if (bag.properties.length === 0) {
    out.line('no properties');
    return;
  }
  out.fields(bag.properties.map((p): [string, string] => [p.name, p.value ?? '******** (masked: add --runtime)']));
}

export async function configDeleteCommand(session: Session, { app, identifier }: BagOptions): Promise<void> {
  const bag = identifier ?? DEFAULT_IDENTIFIER;
  await deleteConfig(await session.store(), app, bag);
  session.out.done(`deleted ${app}/${bag}`, { app, identifier: bag, deleted: true });
}

export async function configListCommand(session: Session, { app }: { app: string }): Promise<void> {
  const result = await listConfig(await session.store(), app);
  const { out } = session;
  if (out.json) return out.printJson(result);
  if (result.identifiers.length === 0) {
    out.line('no config info');
    return;
  }
  out.table([['IDENTIFIER', 'UPDATED'], ...result.identifiers.map((i) => [i.identifier, i.updatedAt])]);
}

export interface ConfigImportOptions extends BagOptions {
  file: string;
  replace: boolean;
  btdf: boolean;
  create: boolean;
  userAccounts: string | undefined;
  adminAccounts: string | undefined;
}

/**
 * A settings file into the bag, or into AppConfig for the BTDF layout (asked with --btdf or
 * --create, or found on the application); --create makes a missing application first.
 */
export async function configImportCommand(session: Session, options: ConfigImportOptions): Promise<void> {
  const { app, file, identifier, replace } = options;
  if (!options.create && (options.userAccounts !== undefined || options.adminAccounts !== undefined))
    throw new SsoError(
      'USAGE',
      '--user-accounts and --admin-accounts are the accounts of an application --create makes',
    );
  if (identifier !== undefined && (options.btdf || options.create)) {
    throw new SsoError(
      'USAGE',
      `the BizTalk Deployment Framework's layout has its own identifier (${BTDF.identifier})`,
      {
        hint: remedy`leave out ${option('identifier')}`,
      },
    );
  }
  const ctx = await session.store();
  // Without an identifier: the layout the application is in; a missing application is the
  // BTDF importer's case (its error names --create).
  const layout = identifier === undefined ? ((await configLayoutOf(ctx, app))?.layout ?? 'btdf') : 'bag';
  const btdf = options.btdf || options.create || layout === 'btdf';
  if (!btdf) return configSetCommand(session, { app, identifier, file, replace, property: [], setting: [] });
  const settings = readSettingsList(resolve(file));
  const result = await writeBtdfSettings(ctx, app, settings, {
    replace,
    create: options.create
      ? {
          userAccounts: options.userAccounts ?? BTDF.userAccounts,
          adminAccounts: options.adminAccounts ?? BTDF.adminAccounts,
        }
      : undefined,
  });
  printBtdfWrite(session, result);
}

export interface ConfigExportOptions extends BagOptions {
  output: string | undefined;
  format: string | undefined;
  includeMasked: boolean;
  force: boolean;
  btdf: boolean;
}

/** Exports a bag as a BTDF settings file or JSON; masked values only with --include-masked, into a 0600 file. */
export async function configExportCommand(session: Session, options: ConfigExportOptions): Promise<void> {
  const { app } = options;
  const ctx = await session.store();
  if (options.btdf && options.identifier !== undefined)
    throw new SsoError(
      'USAGE',
      `the BizTalk Deployment Framework's layout has its own identifier (${BTDF.identifier})`,
    );
  const format = options.format ?? (options.output?.toLowerCase().endsWith('.json') ? 'json' : 'xml');
  if (format !== 'xml' && format !== 'json') throw new SsoError('USAGE', `--format is xml or json, not "${format}"`);
  const btdf =
    options.btdf || (options.identifier === undefined && (await configLayoutOf(ctx, app))?.layout === 'btdf');
  const bag = btdf
    ? await btdfAsBag(ctx, app, Boolean(options.includeMasked))
    : await getConfig(ctx, app, options.identifier ?? DEFAULT_IDENTIFIER, { runtime: Boolean(options.includeMasked) });
  const properties = bag.properties.filter((p) => p.value !== null).map((p) => ({ name: p.name, value: p.value! }));
  const text =
    format === 'json'
      ? `${JSON.stringify(Object.fromEntries(properties.map((p) => [p.name, p.value])), null, 2)}\n`
      : writeSettingsXml(properties);
  const skipped = bag.properties.length - properties.length;
  if (!options.output) {
    if (options.includeMasked)
      throw new SsoError('USAGE', 'masked values are written only to a file', { hint: 'add --output FILE' });
    // With --json, the one document on stdout is the export itself, whatever --format says.
    if (session.out.json) {
      session.out.printJson({
        app: bag.app,
        identifier: bag.identifier,
        properties: Object.fromEntries(properties.map((p) => [p.name, p.value])),
        maskedLeftOut: skipped,
      });
    } else session.out.raw(text);
  } else {
    await writeFileAtomic(resolve(options.output), text, { overwrite: Boolean(options.force) });
    session.out.done(
      `exported ${properties.length} propert${properties.length === 1 ? 'y' : 'ies'} of ${bag.app}/${bag.identifier} to ${options.output}`,
      {
        app: bag.app,
        identifier: bag.identifier,
        output: resolve(options.output),
        format,
        properties: properties.length,
        maskedLeftOut: skipped,
      },
    );
  }
  if (skipped)
    session.out.warn(
      `${skipped} masked propert${skipped === 1 ? 'y was' : 'ies were'} left out (add --include-masked)`,
    );
}

/** The settings of AppConfig as a bag's properties, for export (none masked: the document is one value). */
async function btdfAsBag(ctx: Awaited<ReturnType<Session['store']>>, app: string, runtime: boolean) {
  const all = await readBtdfSettings(ctx, app, { runtime });
  return {
    ...all,
    properties: all.settings.map((s) => ({ name: s.name, masked: false, value: s.value as string | null })),
  };
}

/** A settings XML file, or a JSON object of name → value, as settings in file order. */
function readSettingsList(path: string): Setting[] {
  if (path.toLowerCase().endsWith('.json'))
    return Object.entries(readPropertiesFile(path)).map(([name, value]) => ({ name, value }));
  return readSettingsFile(path);
}

/** A settings XML file (<settings><property name=…>) or a JSON object of name → value. */
function readPropertiesFile(path: string): Record<string, string> {
  if (path.toLowerCase().endsWith('.json')) {
    // The same capped, regular-file-only open as every input (a FIFO fails at once).
    const { text } = readInputText(path, { maxBytes: 64 * 2 ** 20, what: 'the properties file' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SsoError('INVALID_INPUT', `${basename(path)} is not readable JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new SsoError('INVALID_INPUT', `${basename(path)} must hold one JSON object`);
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(readSettingsFile(path).map((s) => [s.name, s.value]));
}
