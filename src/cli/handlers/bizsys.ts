/** `ssokit bizsys add|list|show|update|remove`. */

import { resolve } from 'node:path';
import {
  addBizsys,
  type BusinessSystem,
  listBizsys,
  parseBoolean,
  parseFileArgument,
  parseSeconds,
  planBizsysRemoval,
  removeBizsysFound,
  requireBizsys,
  type SessionSettings,
  updateBizsys,
} from '../../core/clone/index.js';
import { SsoError } from '../../errors.js';
import { obtainConfirmation } from '../answers.js';
import type { Session } from '../session.js';

/** What add and update both set. */
export interface BizsysSettingsOptions {
  name: string;
  publicUrl: string | undefined;
  path: string[];
  authServer: string | undefined;
  ssl: boolean | undefined;
  file: string[];
  ssoEnabled: string | undefined;
  ssoMaxInactiveSeconds: string | undefined;
  ssoReapIntervalSeconds: string | undefined;
  ssoFailoverEnabled: string | undefined;
}

export interface BizsysUpdateOptions extends BizsysSettingsOptions {
  addPath: string[];
  removePath: string[];
  removeFile: string[];
}

function sessionOptions(options: BizsysSettingsOptions): Partial<SessionSettings> {
  return {
    ...(options.ssoEnabled !== undefined ? { ssoEnabled: parseBoolean(options.ssoEnabled, 'sso-enabled') } : {}),
    ...(options.ssoMaxInactiveSeconds !== undefined
      ? { maxInactiveSeconds: parseSeconds(options.ssoMaxInactiveSeconds, 'sso-max-inactive-seconds') }
      : {}),
    ...(options.ssoReapIntervalSeconds !== undefined
      ? { reapIntervalSeconds: parseSeconds(options.ssoReapIntervalSeconds, 'sso-reap-interval-seconds') }
      : {}),
    ...(options.ssoFailoverEnabled !== undefined
      ? { failoverEnabled: parseBoolean(options.ssoFailoverEnabled, 'sso-failover-enabled') }
      : {}),
  };
}

const files = (list: string[]) => list.map(parseFileArgument).map((f) => ({ ...f, source: resolve(f.source) }));

export async function bizsysAddCommand(session: Session, options: BizsysSettingsOptions): Promise<void> {
  const { name } = options;
  if (!options.publicUrl)
    throw new SsoError('USAGE', 'a business system needs its public URL', {
      hint: 'add --public-url https://host.example.com:443',
    });
  const system = await addBizsys(await session.node(), {
    name,
    publicUrl: options.publicUrl,
    protectedPaths: options.path.length ? options.path : ['/'],
    authServerUrl: options.authServer ?? '',
    ssl: options.ssl ?? options.publicUrl.startsWith('https:'),
    session: sessionOptions(options),
    files: files(options.file),
  });
  if (session.out.json) return session.out.printJson(system);
  session.out.done(`business system ${system.name} added at ${system.publicUrl}`);
}

export async function bizsysUpdateCommand(session: Session, options: BizsysUpdateOptions): Promise<void> {
  const system = await updateBizsys(await session.node(), options.name, {
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.path.length ? { protectedPaths: options.path } : {}),
    addPaths: options.addPath,
    removePaths: options.removePath,
    ...(options.authServer !== undefined ? { authServerUrl: options.authServer } : {}),
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    session: sessionOptions(options),
    addFiles: files(options.file),
    removeFiles: options.removeFile,
  });
  if (session.out.json) return session.out.printJson(system);
  session.out.done(`business system ${system.name} updated`);
}

export async function bizsysListCommand(session: Session): Promise<void> {
  const systems = await listBizsys(await session.node());
  const { out } = session;
  if (out.json) return out.printJson(systems);
  if (systems.length === 0) {
    out.line('no business systems');
    return;
  }
  out.table([
    ['NAME', 'PUBLIC URL', 'PATHS', 'SSO', 'FAILOVER'],
    ...systems.map((s) => [
      s.name,
      s.publicUrl,
      s.protectedPaths.join(','),
      s.session.ssoEnabled ? 'on' : 'off',
      s.session.failoverEnabled ? 'on' : 'off',
    ]),
  ]);
}

export async function bizsysShowCommand(session: Session, { name }: { name: string }): Promise<void> {
  const system = await requireBizsys(await session.node(), name);
  if (session.out.json) return session.out.printJson(system);
  printSystem(session, system);
}

function printSystem(session: Session, s: BusinessSystem): void {
  session.out.fields([
    ['name', s.name],
    ['public URL', s.publicUrl],
    ['protected paths', s.protectedPaths.join(', ')],
    ['authentication server', s.authServerUrl || '-'],
    ['SSL', s.ssl ? 'on' : 'off'],
    ['sso-enabled', String(s.session.ssoEnabled)],
    ['sso-max-inactive-seconds', String(s.session.maxInactiveSeconds)],
    ['sso-reap-interval-seconds', String(s.session.reapIntervalSeconds)],
    ['sso-failover-enabled', String(s.session.failoverEnabled)],
    ['session-timeout-seconds', String(s.session.sessionTimeoutSeconds)],
    ...s.files.map((f): [string, string] => [`file (${f.role})`, f.name]),
  ]);
}

export async function bizsysRemoveCommand(session: Session, { name }: { name: string }): Promise<void> {
  const ctx = await session.node();
  // A business system, a folder without a readable definition, or only what interrupted
  // commands left of it: all are removed (NOT_FOUND when there is none of these).
  const found = await planBizsysRemoval(ctx, name);
  const whole = found.system !== null;
  await obtainConfirmation(
    session,
    whole
      ? `remove business system "${name}" and its files from this node?`
      : `remove what is left of business system "${name}" on this node (it has no usable definition)?`,
    Boolean(session.globals.yes),
  );
  await removeBizsysFound(ctx, found);
  session.out.done(whole ? `business system ${name} removed` : `removed what was left of business system ${name}`, {
    name,
    removed: true,
    whole,
  });
}
