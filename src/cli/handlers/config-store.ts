/** The config store: set, get, delete, list, import and export of property bags. */

import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEFAULT_IDENTIFIER, deleteConfig, getConfig, listConfig, setConfig } from '../../core/manage/index.js';
import { SsoError } from '../../errors.js';
import { writeFileAtomic } from '../../node/private-files.js';
import { readSettingsXml, writeSettingsXml } from '../../xml/config-settings-xml.js';
import { readXmlFile } from '../../xml/xml-document.js';
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
}

/** Values come from --file (settings XML or JSON) and --property NAME=VALUE (never a masked one). */
export async function configSetCommand(session: Session, options: ConfigSetOptions): Promise<void> {
  const { app, identifier } = options;
  const ctx = await session.store();
  const properties: Record<string, string> = options.file ? readPropertiesFile(resolve(options.file)) : {};
  for (const entry of options.property) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new SsoError('USAGE', `--property takes "NAME=VALUE", not "${entry.slice(0, 40)}"`);
    properties[entry.slice(0, at)] = entry.slice(at + 1);
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

export async function configGetCommand(
  session: Session,
  { app, identifier, runtime }: BagOptions & { runtime: boolean },
): Promise<void> {
  const bag = await getConfig(await session.store(), app, identifier ?? DEFAULT_IDENTIFIER, { runtime });
  const { out } = session;
  if (out.json) return out.printJson(bag);
  if (bag.properties.length === 0) {
    out.line('no properties');
    return;
  }
  out.fields(bag.properties.map((p): [string, string] => [p.name, p.value ?? '******** (masked: add --runtime)']));
}

export async function configDeleteCommand(session: Session, { app, identifier }: BagOptions): Promise<void> {
  await deleteConfig(await session.store(), app, identifier ?? DEFAULT_IDENTIFIER);
  session.out.done(`deleted ${app}/${identifier ?? DEFAULT_IDENTIFIER}`);
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

export async function configImportCommand(
  session: Session,
  { app, file, identifier, replace }: BagOptions & { file: string; replace: boolean },
): Promise<void> {
  return configSetCommand(session, { app, identifier, file, replace, property: [] });
}

export interface ConfigExportOptions extends BagOptions {
  output: string | undefined;
  format: string | undefined;
  includeMasked: boolean;
  force: boolean;
}

/** Exports a bag as a BTDF settings file or JSON; masked values only with --include-masked, into a 0600 file. */
export async function configExportCommand(session: Session, options: ConfigExportOptions): Promise<void> {
  const { app } = options;
  const bag = await getConfig(await session.store(), app, options.identifier ?? DEFAULT_IDENTIFIER, {
    runtime: Boolean(options.includeMasked),
  });
  const format = options.format ?? (options.output?.toLowerCase().endsWith('.json') ? 'json' : 'xml');
  if (format !== 'xml' && format !== 'json') throw new SsoError('USAGE', `--format is xml or json, not "${format}"`);
  const properties = bag.properties.filter((p) => p.value !== null).map((p) => ({ name: p.name, value: p.value! }));
  const text =
    format === 'json'
      ? `${JSON.stringify(Object.fromEntries(properties.map((p) => [p.name, p.value])), null, 2)}\n`
      : writeSettingsXml(properties);
  const skipped = bag.properties.length - properties.length;
  if (!options.output) {
    if (options.includeMasked)
      throw new SsoError('USAGE', 'masked values are written only to a file', { hint: 'add --output FILE' });
    session.out.raw(text);
  } else {
    await writeFileAtomic(resolve(options.output), text, { overwrite: Boolean(options.force) });
    session.out.done(
      `exported ${properties.length} propert${properties.length === 1 ? 'y' : 'ies'} of ${bag.app}/${bag.identifier} to ${options.output}`,
    );
  }
  if (skipped)
    session.out.warn(
      `${skipped} masked propert${skipped === 1 ? 'y was' : 'ies were'} left out (add --include-masked)`,
    );
}

/** A settings XML file (<settings><property name=…>) or a JSON object of name → value. */
function readPropertiesFile(path: string): Record<string, string> {
  if (path.toLowerCase().endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new SsoError('INVALID_INPUT', `${basename(path)} is not readable JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new SsoError('INVALID_INPUT', `${basename(path)} must hold one JSON object`);
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(readSettingsXml(readXmlFile(path)).map((s) => [s.name, s.value]));
}
