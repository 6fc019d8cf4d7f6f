/** `ssokit bizsys add|list|show|update|remove`. */

import { resolve } from 'node:path';
import {
  addBizsys,
  type BusinessSystem,
  listBizsys,
  parseBoolean,
  parseFileArgument,
  parseSeconds,
  removeBizsys,
  requireBizsys,
  type SessionSettings,
  updateBizsys,
} from '../../core/clone/index.js';
import { SsoError } from '../../errors.js';
import { obtainConfirmation } from '../answers.js';
import type { Session } from '../session.js';

export interface BizsysOptions {
  publicUrl?: string;
  path?: string[];
  addPath?: string[];
  removePath?: string[];
  authServer?: string;
  ssl?: boolean;
  file?: string[];
  removeFile?: string[];
  ssoEnabled?: string;
  ssoMaxInactiveSeconds?: string;
  ssoReapIntervalSeconds?: string;
  ssoFailoverEnabled?: string;
}

function sessionOptions(options: BizsysOptions): Partial<SessionSettings> {
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

const files = (list: string[] = []) => list.map(parseFileArgument).map((f) => ({ ...f, source: resolve(f.source) }));

export async function bizsysAddCommand(session: Session, name: string, options: BizsysOptions): Promise<void> {
  if (!options.publicUrl)
    throw new SsoError('USAGE', 'a business system needs its public URL', {
      hint: 'add --public-url https://host.example.com:443',
    });
  const system = await addBizsys(await session.node(), {
    name,
    publicUrl: options.publicUrl,
    protectedPaths: options.path ?? ['/'],
    authServerUrl: options.authServer ?? '',
    ssl: options.ssl ?? options.publicUrl.startsWith('https:'),
    session: sessionOptions(options),
    files: files(options.file),
  });
  if (session.out.json) return session.out.printJson(system);
  session.out.done(`business system ${system.name} added at ${system.publicUrl}`);
}

export async function bizsysUpdateCommand(session: Session, name: string, options: BizsysOptions): Promise<void> {
  const system = await updateBizsys(await session.node(), name, {
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.path ? { protectedPaths: options.path } : {}),
    addPaths: options.addPath ?? [],
    removePaths: options.removePath ?? [],
    ...(options.authServer !== undefined ? { authServerUrl: options.authServer } : {}),
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    session: sessionOptions(options),
    addFiles: files(options.file),
    removeFiles: options.removeFile ?? [],
  });
  if (session.out.json) return session.out.printJson(system);
  session.out.done(`business system ${system.name} updated`);
}

export async function bizsysListCommand(session: Session): Promise<void> {
  const systems = await listBizsys(await session.node());
  const { out } = session;
  if (out.json) return out.printJson(systems);
  if (systems.length === 0) return out.line('no business systems');
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

export async function bizsysShowCommand(session: Session, name: string): Promise<void> {
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
    ...s.files.map((f): [string, string] => [`file (${f.role})`, f.name]),
  ]);
}

export async function bizsysRemoveCommand(session: Session, name: string): Promise<void> {
  const ctx = await session.node();
  await requireBizsys(ctx, name);
  await obtainConfirmation(
    session,
    `remove business system "${name}" and its files from this node?`,
    Boolean(session.globals.yes),
  );
  await removeBizsys(ctx, name);
  session.out.done(`business system ${name} removed`);
}
