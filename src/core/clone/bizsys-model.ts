/**
 * Business systems: web applications protected by SSO on this business server (Interstage's
 * "business system"), with GlassFish-style single sign-on session settings. They live in the
 * node's home, not in the store: each server of a load-balanced group has its own copy,
 * which is what an environment bundle carries to a new server.
 *
 * This module is pure: validation, the definition file's shape, and changes applied to a
 * definition in memory. Reading and writing the files is bizsys.ts's.
 */

import { SsoError } from '../../errors.js';
import { type JsonObject, JsonProblems, jsonProblemSentence, readJsonObject } from '../../json/json-reader.js';
import { command, option, remedy } from '../../remedy.js';

export const FILE_ROLES = ['certificate', 'key', 'web-config', 'message'] as const;
export type FileRole = (typeof FILE_ROLES)[number];

export interface BizsysFile {
  role: FileRole;
  /** The file's name under the business system's files/ folder. */
  name: string;
}

export interface SessionSettings {
  ssoEnabled: boolean;
  maxInactiveSeconds: number;
  reapIntervalSeconds: number;
  failoverEnabled: boolean;
  /** This application's own session: a new one after this long without a request (a timeout is not a sign-out). */
  sessionTimeoutSeconds: number;
}

export interface BusinessSystem {
  name: string;
  /** Scheme, FQDN and port; the system's identity: never edited, only removed and added again. */
  publicUrl: string;
  protectedPaths: string[];
  /** The authentication server's URL, or '' when not set. */
  authServerUrl: string;
  ssl: boolean;
  session: SessionSettings;
  files: BizsysFile[];
  createdAt: string;
}

/** GlassFish's defaults (sso-enabled, sso-max-inactive-seconds, sso-reap-interval-seconds, sso-failover-enabled). */
export const SESSION_DEFAULTS: SessionSettings = {
  ssoEnabled: true,
  maxInactiveSeconds: 300,
  reapIntervalSeconds: 60,
  failoverEnabled: false,
  sessionTimeoutSeconds: 1800,
};

export const BIZSYS_FORMAT = 'ssokit-bizsys/v1';

/** Also a folder name under <home>/bizsys/, so nothing a file system treats specially. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** The largest number of seconds accepted (about 31 years): keeps values exact everywhere. */
const MAX_SECONDS = 999_999_999;

const shown = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');

export function bizsysNameProblem(name: string): string | null {
  return NAME.test(name)
    ? null
    : `"${shown(name)}" is not a business system name: letters, digits, dot, dash, underscore, at most 64, starting with a letter or digit`;
}

/** The public URL: http(s), a fully qualified host name, an explicit or default port, no path. */
export function publicUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${shown(text)}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `the public URL must be http or https, not ${url.protocol}`;
  const labels = url.hostname.split('.');
  const fqdn =
    labels.length >= 2 &&
    labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    !/^[0-9]+$/.test(labels.at(-1)!);
  if (!fqdn)
    return `"${shown(url.hostname)}" is not a fully qualified host name (the public URL names a site by FQDN and port)`;
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password)
    return 'the public URL is a site: scheme, host and port only';
  return null;
}

/** The canonical form: scheme://host:port, lower-case host, the port always written. */
export function canonicalPublicUrl(text: string): string {
  const url = new URL(text);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`;
}

export function urlProblem(text: string, what: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${what} must be http or https`;
    if (url.username || url.password) return `${what} must not carry a user name or password`;
    return null;
  } catch {
    return `${what} "${shown(text)}" is not a URL`;
  }
}

export function protectedPathProblem(path: string): string | null {
  return /^\/[\x21-\x7e]{0,1023}$/.test(path)
    ? null
    : `protected path "${shown(path)}" must start with / and hold no spaces`;
}

export function fileNameProblem(name: string): string | null {
  return FILE_NAME.test(name)
    ? null
    : `"${shown(name)}" is not a usable file name (letters, digits, dot, dash, underscore; at most 128)`;
}

function secondsProblem(value: number, what: string): string | null {
  return Number.isSafeInteger(value) && value >= 1 && value <= MAX_SECONDS
    ? null
    : `${what} must be a whole number of seconds from 1 to ${MAX_SECONDS}`;
}

/** Every problem with a definition (empty when it is valid). */
export function bizsysProblems(system: BusinessSystem): string[] {
  const problems = [
    bizsysNameProblem(system.name),
    publicUrlProblem(system.publicUrl),
    system.authServerUrl === '' ? null : urlProblem(system.authServerUrl, 'the authentication server URL'),
    ...system.protectedPaths.map(protectedPathProblem),
    system.protectedPaths.length === 0 ? 'a business system protects at least one path' : null,
    new Set(system.protectedPaths).size !== system.protectedPaths.length ? 'a protected path is listed twice' : null,
    secondsProblem(system.session.maxInactiveSeconds, 'sso-max-inactive-seconds'),
    secondsProblem(system.session.reapIntervalSeconds, 'sso-reap-interval-seconds'),
    secondsProblem(system.session.sessionTimeoutSeconds, 'session-timeout-seconds'),
  ];
  for (const file of system.files) {
    problems.push(fileNameProblem(file.name));
    if (!FILE_ROLES.includes(file.role)) problems.push(`unknown file role "${shown(String(file.role))}"`);
  }
  if (new Set(system.files.map((f) => f.name)).size !== system.files.length)
    problems.push('two files have the same name');
  return problems.filter((p): p is string => p !== null);
}

/**
 * A definition file's content, checked for shape (the types of every field); whether the
 * values are acceptable is bizsysProblems's question. BAD_FORMAT lists what is wrong.
 */
export function bizsysFromJson(name: string, value: unknown, file: string): BusinessSystem {
  const problems = new JsonProblems();
  const v = readJsonObject(value, problems);
  v.enumOf('format', [BIZSYS_FORMAT]);
  // A name that is not a string is string()'s problem; one that is, must be the folder's.
  if (v.string('name') !== name && typeof v.raw('name') === 'string')
    v.reject('name', `"${shown(name)}" (the folder's name)`);
  const system: BusinessSystem = {
    name,
    publicUrl: v.string('publicUrl'),
    protectedPaths: v.stringList('protectedPaths'),
    authServerUrl: v.string('authServerUrl'),
    ssl: v.boolean('ssl'),
    session: sessionFromJson(v.object('session')),
    files: v.objectList('files', 'a list of {role, name}').map((f) => ({
      role: f.string('role') as FileRole,
      name: f.string('name'),
    })),
    createdAt: v.string('createdAt'),
  };
  if (problems.any) {
    throw new SsoError('BAD_FORMAT', `${file} is not a readable ${BIZSYS_FORMAT} definition`, {
      details: problems.list.map((p) => jsonProblemSentence(p, 'the file')),
      hint: remedy`fix the file, or remove the business system (${command('bizsys remove', name)}) and add it again`,
    });
  }
  return system;
}

function sessionFromJson(session: JsonObject): SessionSettings {
  return {
    ssoEnabled: session.boolean('ssoEnabled'),
    maxInactiveSeconds: session.number('maxInactiveSeconds'),
    reapIntervalSeconds: session.number('reapIntervalSeconds'),
    failoverEnabled: session.boolean('failoverEnabled'),
    // Not in definitions written before single sign-on sessions ran: the default.
    sessionTimeoutSeconds:
      typeof session.raw('sessionTimeoutSeconds') === 'number'
        ? session.number('sessionTimeoutSeconds')
        : SESSION_DEFAULTS.sessionTimeoutSeconds,
  };
}

export function bizsysToJson(system: BusinessSystem): string {
  return `${JSON.stringify({ format: BIZSYS_FORMAT, ...system }, null, 2)}\n`;
}

/** A change to a definition; everything left out stays as it is. */
export interface BizsysChange {
  /** Only accepted when it names the same site: the public URL is the system's identity. */
  publicUrl?: string;
  /** Replaces the list. */
  protectedPaths?: string[];
  addPaths?: string[];
  removePaths?: string[];
  authServerUrl?: string;
  ssl?: boolean;
  session?: Partial<SessionSettings>;
  /** Files by name; one with the name of a file already there replaces it. */
  addFiles?: BizsysFile[];
  removeFiles?: string[];
}

/** Interstage's rule: the public URL is the system's identity. */
export function publicUrlIsFixed(name: string, current: string): SsoError {
  return new SsoError(
    'CONFLICT',
    `the public URL of "${name}" (${current}) cannot be changed while it is in operation`,
    {
      hint: remedy`remove the business system and add it again with the new URL (${command('bizsys remove', name)}; ${command('bizsys add', name, option('public-url', 'URL'))})`,
    },
  );
}

/** True when `text` names the same site as the canonical `current`. */
export function samePublicUrl(text: string, current: string): boolean {
  return publicUrlProblem(text) === null && canonicalPublicUrl(text) === current;
}

/** The definition after a change, in memory; the caller validates it with bizsysProblems. */
export function applyBizsysChange(system: BusinessSystem, change: BizsysChange): BusinessSystem {
  if (change.publicUrl !== undefined && !samePublicUrl(change.publicUrl, system.publicUrl))
    throw publicUrlIsFixed(system.name, system.publicUrl);
  let paths = change.protectedPaths ? [...new Set(change.protectedPaths)] : [...system.protectedPaths];
  for (const path of change.addPaths ?? []) if (!paths.includes(path)) paths.push(path);
  for (const path of change.removePaths ?? []) {
    if (!paths.includes(path))
      throw new SsoError('NOT_FOUND', `"${system.name}" does not protect the path ${shown(path)}`);
    paths = paths.filter((p) => p !== path);
  }
  let files = [...system.files];
  for (const removed of change.removeFiles ?? []) {
    if (!files.some((f) => f.name === removed))
      throw new SsoError('NOT_FOUND', `"${system.name}" references no file named "${shown(removed)}"`);
    files = files.filter((f) => f.name !== removed);
  }
  for (const added of change.addFiles ?? []) files = [...files.filter((f) => f.name !== added.name), added];
  return {
    ...system,
    protectedPaths: paths,
    authServerUrl: change.authServerUrl ?? system.authServerUrl,
    ssl: change.ssl ?? system.ssl,
    session: { ...system.session, ...change.session },
    files,
  };
}

export function parseBoolean(value: string, what: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new SsoError('INVALID_INPUT', `${what} is true or false, not "${shown(value)}"`);
}

export function parseSeconds(value: string, what: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value))
    throw new SsoError(
      'INVALID_INPUT',
      `${what} is a whole number of seconds from 1 to ${MAX_SECONDS}, not "${shown(value)}"`,
    );
  return Number(value);
}
