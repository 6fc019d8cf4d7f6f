/**
 * Where a credential store is: a SQLite file (a path) or a PostgreSQL database (a
 * `postgres://` or `postgresql://` URL with libpq's parameters). A location is parsed once,
 * where it enters (--db, SSOKIT_DB, node.json, a bundle), into this type; its display form
 * is the only form that is printed, audited, written to node.json or carried in a bundle.
 *
 * A URL never carries a password: a command line is visible to every user of the machine,
 * and node.json and the audit would keep it. The password comes from PGPASSWORD,
 * ~/.pgpass or PGPASSFILE (libpq's conventions, which node-postgres follows), or
 * --db-password-file.
 */

import { isAbsolute, resolve } from 'node:path';
import { SsoError } from '../errors.js';
import { option, remedy } from '../remedy.js';

export interface SqliteLocation {
  readonly kind: 'sqlite';
  /** An absolute path. */
  readonly path: string;
  readonly display: string;
}

export interface PostgresLocation {
  readonly kind: 'postgres';
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | undefined;
  /** libpq's query parameters, as given: sslmode, sslrootcert, sslcert, sslkey, connect_timeout … */
  readonly params: Readonly<Record<string, string>>;
  /** `postgres://user@host:port/database?sslmode=…`, never with a password. */
  readonly display: string;
}

export type StoreLocation = SqliteLocation | PostgresLocation;

/** The libpq parameters a location may carry; anything else is refused as a typo. */
const KNOWN_PARAMS = new Set([
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslcrl',
  'connect_timeout',
  'application_name',
  'target_session_attrs',
  'options',
]);

const SSL_MODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

export function isPostgresText(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** Parses a location as given by a user or a file; a relative path is taken from `cwd`. */
export function parseStoreLocation(text: string, cwd = process.cwd()): StoreLocation {
  if (!isPostgresText(text)) {
    if (text.trim() === '') throw new SsoError('USAGE', 'the store location is empty');
    const path = isAbsolute(text) ? resolve(text) : resolve(cwd, text);
    return { kind: 'sqlite', path, display: path };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SsoError('USAGE', 'the PostgreSQL store location is not a readable URL', {
      hint: 'write it as postgres://USER@HOST:PORT/DATABASE?sslmode=require',
    });
  }
  if (url.password !== '') {
    // The message must not repeat the location: it holds the password.
    throw new SsoError(
      'USAGE',
      'a store location must not hold a password: every user of this machine can read a command line',
      {
        hint: remedy`give it with PGPASSWORD, ~/.pgpass (or PGPASSFILE), or ${option('db-password-file', 'FILE')}`,
      },
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new SsoError('USAGE', `the PostgreSQL store location names no database: ${displayOf(url)}`, {
      hint: 'end it with /DATABASE: postgres://USER@HOST:PORT/ssodb',
    });
  }
  const host = decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (!host) throw new SsoError('USAGE', `the PostgreSQL store location names no host: ${displayOf(url)}`);
  const port = url.port === '' ? 5432 : Number(url.port);
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!KNOWN_PARAMS.has(key)) {
      throw new SsoError('USAGE', `the PostgreSQL store location has a parameter ssokit does not know: ${key}`, {
        hint: `known: ${[...KNOWN_PARAMS].join(', ')}`,
      });
    }
    if (key === 'password') throw new SsoError('USAGE', 'a store location must not hold a password');
    params[key] = value;
  }
  if (params.sslmode !== undefined && !SSL_MODES.has(params.sslmode)) {
    throw new SsoError('USAGE', `sslmode is one of ${[...SSL_MODES].join(', ')}, not "${params.sslmode}"`);
  }
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  const location = { kind: 'postgres' as const, host, port, database, user, params };
  return { ...location, display: postgresDisplay(location) };
}

/** The canonical, password-free form: the same location always reads the same. */
export function postgresDisplay(location: Omit<PostgresLocation, 'display' | 'kind'>): string {
  const host = location.host.includes(':') ? `[${location.host}]` : location.host;
  const user = location.user === undefined ? '' : `${encodeURIComponent(location.user)}@`;
  const query = Object.entries(location.params)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `postgres://${user}${host}:${location.port}/${encodeURIComponent(location.database)}${query ? `?${query}` : ''}`;
}

/** The same location with another sslmode (ssoconfig -setSSL). */
export function withSslMode(location: PostgresLocation, sslmode: string): PostgresLocation {
  if (!SSL_MODES.has(sslmode))
    throw new SsoError('USAGE', `sslmode is one of ${[...SSL_MODES].join(', ')}, not "${sslmode}"`);
  const next = { ...location, params: { ...location.params, sslmode } };
  return { ...next, display: postgresDisplay(next) };
}

function displayOf(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '';
  return copy.href;
}
