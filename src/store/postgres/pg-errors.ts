/**
 * node-postgres failures as the Store contract's errors: constraint violations as
 * StoreConstraintError, everything a user can meet as an SsoError with one sentence. A
 * sentence names the store by its display form and never carries a password: messages
 * from the server and the socket are scrubbed of it too, in case one ever echoes it.
 */

import { SsoError } from '../../errors.js';
import { command, option, remedy } from '../../remedy.js';
import { StoreConstraintError } from '../store.js';

export interface ErrorContext {
  /** The store's display form (no password). */
  location: string;
  /** `host:port`, for sentences about reaching the server. */
  server: string;
  user: string;
  database: string;
  connectTimeoutMs: number;
  /** Removed from any text that reaches a message. */
  password?: string | undefined;
}

/** Where in a transaction a failure happened: it decides what "nothing was changed" may say. */
export type Phase = 'transaction' | 'commit' | undefined;

interface PgLikeError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  cause?: unknown;
}

const CONNECTION_LOST_STATES = new Set(['57P01', '57P02', '08000', '08003', '08006', '08007']);
const BUSY_STATES = new Set(['55P03', '40001', '40P01', '57014', '53300']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const UNKNOWN_HOST_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);

function scrub(text: string, context: ErrorContext): string {
  const { password } = context;
  return password ? text.split(password).join('***') : text;
}

/** The socket or client failure under a node-postgres error, if any. */
function rootCode(error: PgLikeError): string {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as PgLikeError).code;
    if (typeof code === 'string' && code) return code;
    e = (e as PgLikeError).cause;
  }
  return '';
}

/** True when the connection itself failed (rather than a statement on a sound one). */
export function isConnectionLoss(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as PgLikeError;
  const code = rootCode(e);
  if (CONNECTION_LOST_STATES.has(code) || code === 'ECONNRESET' || code === 'EPIPE') return true;
  const message = e.message ?? '';
  // The connect timeout ends the socket too, but nothing was connected to lose.
  if (/connection timeout|timeout expired/i.test(message)) return false;
  return /Connection terminated|not queryable|Connection closed|socket hang up/i.test(message);
}

export function storeError(error: unknown, context: ErrorContext, phase?: Phase): Error {
  if (error instanceof SsoError || error instanceof StoreConstraintError) return error;
  const e = (error && typeof error === 'object' ? error : { message: String(error) }) as PgLikeError;
  const code = rootCode(e);
  const message = scrub(e.message ?? String(error), context);
  const where = context.location;

  if (code.startsWith('23')) {
    const kind = code === '23505' ? 'unique' : code === '23503' ? 'foreign_key' : code === '23514' ? 'check' : 'other';
    // The detail ("Key (id)=(…) already exists") is left out: it can quote a row's values.
    return new StoreConstraintError(kind, message);
  }
  if (isConnectionLoss(e)) return connectionLost(context, message, phase, error);
  if (BUSY_STATES.has(code)) {
    const sentence =
      code === '53300'
        ? `the PostgreSQL server of the credential store at ${where} has no connection left for ssokit (${message})`
        : `the credential store at ${where} stayed busy: another command holds it (${message})`;
    return new SsoError('STORE_BUSY', phase ? `${sentence}; nothing was changed` : sentence, {
      hint:
        code === '53300'
          ? "try again later, or raise the server's max_connections"
          : 'try again when the other ssokit command has finished',
      cause: error,
    });
  }
  if (code === '28P01' || code === '28000' || /SASL|password must be a string/i.test(e.message ?? '')) {
    const noPassword = /SASL|password must be a string|no password/i.test(e.message ?? '');
    const sentence = noPassword
      ? `the PostgreSQL server at ${context.server} asks for a password for the role "${context.user}", and none was given`
      : `the PostgreSQL server at ${context.server} refused the role "${context.user}" for the database "${context.database}": ${message}`;
    return new SsoError('STORE_ERROR', sentence, {
      hint: "give the role's password through PGPASSWORD or a password file (~/.pgpass, PGPASSFILE), and check the server's pg_hba.conf lets this role in from this host",
      cause: error,
    });
  }
  if (code === '3D000') {
    return new SsoError(
      'STORE_ERROR',
      `there is no database "${context.database}" on the PostgreSQL server at ${context.server}`,
      {
        hint: remedy`have it made (createdb -O ${context.user || 'ROLE'} ${context.database}, or CREATE DATABASE), then make the store with ${command('init', option('db', 'URL'))}; or check the name given with ${option('db')}`,
        cause: error,
      },
    );
  }
  if (code === '57P03') {
    return new SsoError(
      'STORE_ERROR',
      `the PostgreSQL server at ${context.server} is starting up or shutting down and takes no connections (${message})`,
      { hint: 'try again in a moment', cause: error },
    );
  }
  if (UNREACHABLE_CODES.has(code) || UNKNOWN_HOST_CODES.has(code) || /timeout/i.test(e.message ?? '')) {
    if (/timeout exceeded when trying to connect/i.test(e.message ?? '')) {
      // The pool's own wait: every connection of this handle is in use.
      return new SsoError('STORE_BUSY', `every connection to the credential store at ${where} stayed in use`, {
        hint: 'try again when the other requests have finished',
        cause: error,
      });
    }
    const why = UNKNOWN_HOST_CODES.has(code)
      ? `the host name does not resolve (${code})`
      : code === 'ECONNREFUSED'
        ? 'the connection was refused: is the server running, and listening on that address and port?'
        : code && UNREACHABLE_CODES.has(code)
          ? `the server cannot be reached (${code})`
          : `it did not answer within ${Math.round(context.connectTimeoutMs / 100) / 10} s`;
    return new SsoError('STORE_ERROR', `cannot connect to the PostgreSQL server at ${context.server}: ${why}`, {
      hint: remedy`check the host and port given with ${option('db')}, the network and the server; nothing was changed`,
      cause: error,
    });
  }
  if (/SSL|TLS|certificate|CERT_|self.signed/i.test(`${code} ${e.message ?? ''}`)) {
    return new SsoError(
      'STORE_ERROR',
      `the TLS connection to the PostgreSQL server at ${context.server} failed: ${message}`,
      {
        hint: "check the connection's sslmode and the CA certificate it trusts (sslrootcert)",
        cause: error,
      },
    );
  }
  if (code === '42501') {
    return new SsoError(
      'STORE_ERROR',
      `the role "${context.user}" may not do this in the database "${context.database}": ${message}`,
      {
        hint: 'make the role the owner of the database (CREATE DATABASE … OWNER, or ALTER DATABASE … OWNER TO), which lets it create and change the tables of the store',
        cause: error,
      },
    );
  }
  if (code === '25006') {
    return new SsoError('STORE_ERROR', `the credential store at ${where} is open for reading only (${message})`, {
      hint: 'the server or this connection is read-only (a standby, or default_transaction_read_only): use the primary',
      cause: error,
    });
  }
  if (code === '25P02') {
    return new SsoError(
      'STORE_ERROR',
      `the change to the credential store at ${where} was abandoned after an earlier error; nothing was changed`,
      { cause: error },
    );
  }
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return new SsoError(
      'STORE_ERROR',
      `the credential store failed: ${message} (SQLSTATE ${code})${phase === 'transaction' ? '; nothing was changed' : ''}`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(message);
}

function connectionLost(context: ErrorContext, reason: string, phase: Phase, cause: unknown): SsoError {
  const at = `the connection to the credential store at ${context.location} was lost`;
  if (phase === 'commit') {
    return new SsoError(
      'STORE_ERROR',
      `${at} while the change was being committed (${reason}): it may or may not have been made`,
      { hint: remedy`look at the store (${command('check')} reads it) before running the command again`, cause },
    );
  }
  if (phase === 'transaction') {
    return new SsoError('STORE_ERROR', `${at} during the change (${reason}); nothing was changed`, {
      hint: 'run the command again when the server can be reached',
      cause,
    });
  }
  return new SsoError('STORE_ERROR', `${at} (${reason})`, {
    hint: 'run the command again when the server can be reached',
    cause,
  });
}
