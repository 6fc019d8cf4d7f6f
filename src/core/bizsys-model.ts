/**
 * Business systems: web applications protected by SSO on this business server (Interstage's
 * "business system"), with GlassFish-style single sign-on session settings. They live in the
 * node's home, not in the store: each server of a load-balanced group has its own copy,
 * which is what an environment bundle carries to a new server.
 */

import { SsoError } from '../errors.js';

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
}

export interface BusinessSystem {
  name: string;
  /** FQDN and port; the system's identity: never edited, only removed and added again. */
  publicUrl: string;
  protectedPaths: string[];
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
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function bizsysNameProblem(name: string): string | null {
  return NAME.test(name) ? null : `"${name.replace(/[^\x20-\x7e]/g, '?')}" is not a business system name: letters, digits, dot, dash, underscore, at most 64`;
}

/** The public URL: http(s), a fully qualified host name, an explicit or default port, no path. */
export function publicUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the public URL must be http or https, not ${url.protocol}`;
  if (!url.hostname.includes('.') || !/^[A-Za-z0-9.-]+$/.test(url.hostname)) return `"${url.hostname}" is not a fully qualified host name`;
  if (url.pathname !== '/' || url.search || url.hash || url.username) return 'the public URL is a site: scheme, host and port only';
  return null;
}

/** The canonical form: scheme://host:port, the port always written. */
export function canonicalPublicUrl(text: string): string {
  const url = new URL(text);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`;
}

export function urlProblem(text: string, what: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : `${what} must be http or https`;
  } catch {
    return `${what} "${text}" is not a URL`;
  }
}

export function protectedPathProblem(path: string): string | null {
  return /^\/[\x21-\x7e]*$/.test(path) ? null : `protected path "${path}" must start with / and hold no spaces`;
}

export function fileNameProblem(name: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name) ? null : `"${name}" is not a usable file name (letters, digits, dot, dash, underscore)`;
}

/** Every problem with a definition (empty when it is valid). */
export function bizsysProblems(system: BusinessSystem): string[] {
  const problems = [
    bizsysNameProblem(system.name),
    publicUrlProblem(system.publicUrl),
    system.authServerUrl === '' ? null : urlProblem(system.authServerUrl, 'the authentication server URL'),
  ];
  problems.push(...system.protectedPaths.map(protectedPathProblem));
  if (system.protectedPaths.length === 0) problems.push('a business system protects at least one path');
  const { session } = system;
  if (!Number.isSafeInteger(session.maxInactiveSeconds) || session.maxInactiveSeconds < 1) problems.push('sso-max-inactive-seconds must be a positive whole number');
  if (!Number.isSafeInteger(session.reapIntervalSeconds) || session.reapIntervalSeconds < 1) problems.push('sso-reap-interval-seconds must be a positive whole number');
  for (const file of system.files) {
    problems.push(fileNameProblem(file.name));
    if (!FILE_ROLES.includes(file.role)) problems.push(`unknown file role "${file.role}"`);
  }
  if (new Set(system.files.map((f) => f.name)).size !== system.files.length) problems.push('two files have the same name');
  return problems.filter((p): p is string => p !== null);
}

export function parseBoolean(value: string, what: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new SsoError('INVALID_INPUT', `${what} is true or false, not "${value}"`);
}

export function parseSeconds(value: string, what: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new SsoError('INVALID_INPUT', `${what} is a whole number of seconds from 1, not "${value}"`);
  return Number(value);
}
