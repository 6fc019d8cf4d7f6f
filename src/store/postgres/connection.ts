/**
 * How to reach a PostgreSQL store: node-postgres client settings, as plain values. This
 * module does not load `pg`, so callers can build and print a connection for nothing.
 */

import type { ConnectionOptions } from 'node:tls';

export interface PostgresConnection {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /**
   * The password, or a function that finds it. When absent, PGPASSWORD, then the
   * password file (PGPASSFILE or ~/.pgpass), as libpq does.
   */
  password?: string | (() => string | Promise<string>);
  /** TLS settings (sslmode mapped by the caller): false for none. */
  ssl?: boolean | ConnectionOptions;
  /** How long to wait for the server to answer a new connection; 10 s when absent. */
  connectionTimeoutMillis?: number;
  application_name?: string;
  /** Connections in the handle's pool (concurrent transactions); 10 when absent. */
  max?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The server, role and database a connection names, as node-postgres fills them in. */
export function connectionTarget(c: PostgresConnection): {
  host: string;
  port: number;
  user: string;
  database: string;
} {
  const env = process.env;
  const user = c.user ?? env.PGUSER ?? env.USER ?? '';
  return {
    host: c.host ?? env.PGHOST ?? 'localhost',
    port: c.port ?? (Number(env.PGPORT) || 5432),
    user,
    database: c.database ?? env.PGDATABASE ?? user,
  };
}

/**
 * The connection as a URL without its password: the only form that is printed, audited
 * or written down.
 */
export function describeConnection(c: PostgresConnection): string {
  const { host, port, user, database } = connectionTarget(c);
  const who = user ? `${encodeURIComponent(user)}@` : '';
  const db = encodeURIComponent(database);
  if (host.startsWith('/')) return `postgres://${who}/${db}?host=${encodeURIComponent(host)}&port=${port}`;
  const name = host.includes(':') ? `[${host}]` : host;
  return `postgres://${who}${name}:${port}/${db}`;
}
