import { promises as fs, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { SsoError } from '../errors.js';
import { command, option, remedy } from '../remedy.js';
import { type PostgresLocation, parseStoreLocation } from './location.js';
import type { PostgresConnection } from './postgres/connection.js';
import type { Store } from './store.js';

export type { PostgresConnection } from './postgres/connection.js';

export interface OpenStoreOptions {
  /** Create a new, empty store (the file must not exist yet). */
  create?: boolean;
  busyTimeoutMs: number;
  /**
   * Open without writing anything (ssokit check): no journal-mode change, no migration;
   * `schemaVersion` is what the file holds.
   */
  readOnly?: boolean;
  /** A PostgreSQL store's password (--db-password-file); else PGPASSWORD or ~/.pgpass. */
  password?: string | undefined;
}

/**
 * Opens the store at `location` (a file path, or a postgres:// URL) and brings its schema
 * up to date (unless read-only). Each adapter is loaded on demand, so a command pays only
 * for the engine it uses.
 */
export async function openStore(location: string, options: OpenStoreOptions): Promise<Store> {
  const parsed = parseStoreLocation(location);
  if (parsed.kind === 'postgres')
    return openPostgresStore(postgresConnection(parsed, options.password), options, parsed.display);
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  return openSqliteStore(parsed.path, options);
}

/**
 * node-postgres settings for a location, libpq's sslmode included: disable, allow and
 * prefer connect without TLS (node-postgres cannot fall back); require encrypts without
 * checking the server; verify-ca checks its certificate against sslrootcert; verify-full
 * checks the host name too.
 */
export function postgresConnection(location: PostgresLocation, password: string | undefined): PostgresConnection {
  const { sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name } = location.params;
  const read = (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new SsoError(
        'FILE_NOT_FOUND',
        `cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  };
  let ssl: boolean | ConnectionOptions = false;
  if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full') {
    const ca = read(sslrootcert, 'CA certificate (sslrootcert)');
    const cert = read(sslcert, 'client certificate (sslcert)');
    const key = read(sslkey, 'client key (sslkey)');
    ssl = {
      rejectUnauthorized: sslmode !== 'require',
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  return {
    host: location.host,
    port: location.port,
    database: location.database,
    ...(location.user === undefined ? {} : { user: location.user }),
    ...(password === undefined ? {} : { password }),
    ssl,
    ...(connect_timeout === undefined ? {} : { connectionTimeoutMillis: Number(connect_timeout) * 1000 }),
    application_name: application_name ?? 'ssokit',
  };
}

/**
 * Opens the PostgreSQL store `connection` reaches, as `openStore` opens a file: the
 * database must hold an ssokit store, or be empty with `create` (init). The adapter, and
 * pg with it, is loaded only here, so SQLite commands never pay for it. `display` names
 * the store in messages (a URL without its password); by default it is built from
 * `connection`.
 */
export async function openPostgresStore(
  connection: PostgresConnection,
  options: OpenStoreOptions,
  display?: string,
): Promise<Store> {
  const adapter = await import('./postgres/postgres-store.js');
  return adapter.openPostgresStore(connection, options, display);
}

/**
 * Puts the store at `replacement` in the place of the one at `location`, only while no
 * other process has it open (STORE_BUSY otherwise), in one rename.
 */
export async function replaceStore(location: string, replacement: string): Promise<void> {
  const parsed = parseStoreLocation(location);
  if (parsed.kind === 'postgres') {
    throw new SsoError('NOT_IMPLEMENTED', 'db restore replaces a SQLite store only', {
      hint: remedy`to restore a PostgreSQL store, copy the backup into an empty database with ${command('db copy', option('to', 'URL'))}, then point the nodes at it with ${command('join')}`,
    });
  }
  const { replaceSqliteStore } = await import('./sqlite/sqlite-store.js');
  return replaceSqliteStore(parsed.path, replacement);
}

/**
 * Removes a SQLite store's file with the journal files SQLite keeps beside it, or with
 * `sideFilesOnly` just those (after a copy this process made has been closed).
 */
export async function removeSqliteFiles(path: string, { sideFilesOnly = false } = {}): Promise<void> {
  for (const suffix of [...(sideFilesOnly ? [] : ['']), '-wal', '-shm', '-journal']) {
    await fs.rm(`${path}${suffix}`, { force: true });
  }
}
