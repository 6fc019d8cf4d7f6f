/**
 * The complete error vocabulary of ssokit.
 *
 * Rules:
 * - Every failure a user can meet is an `SsoError` with a code from `ERROR_CODES`.
 * - Each code maps to one exit status. The table is documented in docs/commands.md;
 *   entries are only ever appended, never renumbered.
 * - Where Enterprise SSO has an error for the same failure, the code carries its
 *   HRESULT and sentence so the original-syntax commands can print them.
 * - Messages never contain a secret value.
 */

import { type Advice, command, remedy } from './remedy.js';

interface CodeInfo {
  /** Process exit status; stable forever. */
  readonly exit: number;
  /** HRESULT printed by the original-syntax commands (`ERROR: 0x...: ...`). */
  readonly hresult: number;
  /** The sentence Enterprise SSO prints with that HRESULT. */
  readonly essoText: string;
}

const E_FAIL = { hresult: 0x80004005, essoText: 'Unspecified error.' };
const E_INVALIDARG = { hresult: 0x80070057, essoText: 'The parameter is incorrect.' };

export const ERROR_CODES = {
  INTERNAL: { exit: 1, ...E_FAIL },
  USAGE: { exit: 2, ...E_INVALIDARG },
  NOT_IMPLEMENTED: { exit: 3, hresult: 0x80004001, essoText: 'Not implemented.' },
  CANCELLED: { exit: 4, hresult: 0x800704c7, essoText: 'The operation was canceled by the user.' },
  INPUT_REQUIRED: { exit: 5, ...E_INVALIDARG },
  INVALID_INPUT: { exit: 6, ...E_INVALIDARG },

  FILE_NOT_FOUND: {
    exit: 10,
    hresult: 0xc0002a20,
    essoText: 'Could not create or open the specified file. Check the file name and access permissions.',
  },
  FILE_EXISTS: { exit: 11, hresult: 0x80070050, essoText: 'The file exists.' },
  FILE_PERMISSIONS: { exit: 12, hresult: 0x80070005, essoText: 'Access is denied.' },
  IO_ERROR: {
    exit: 13,
    hresult: 0xc0002a20,
    essoText: 'Could not create or open the specified file. Check the file name and access permissions.',
  },

  WRONG_PASSWORD: {
    exit: 20,
    hresult: 0xc0002a1b,
    essoText: 'An incorrect password was specified for the backup file.',
  },
  DAMAGED_FILE: { exit: 21, hresult: 0xc0002a1a, essoText: 'Decryption failed.' },
  UNSUPPORTED_VERSION: {
    exit: 22,
    hresult: 0xc0002a1a,
    essoText: 'Decryption failed.',
  },
  KDF_LIMIT: { exit: 23, hresult: 0xc0002a1a, essoText: 'Decryption failed.' },
  BAD_FORMAT: { exit: 24, hresult: 0xc0002a1a, essoText: 'Decryption failed.' },
  PASSWORD_POLICY: {
    exit: 25,
    hresult: 0xc0002a54,
    essoText: 'The specified password is too short, it must be at least 7 characters.',
  },

  NOT_CONFIGURED: {
    exit: 30,
    hresult: 0xc0002a51,
    essoText: 'The specified SSO database is not configured.',
  },
  STORE_ERROR: {
    exit: 31,
    hresult: 0xc0002a21,
    essoText: 'An error occurred while attempting to access the SSO database.',
  },
  STORE_EXISTS: { exit: 32, hresult: 0xc0002a4f, essoText: 'The specified SSO database already exists.' },
  STORE_SCHEMA: {
    exit: 33,
    hresult: 0xc0002a50,
    essoText: 'The specified SSO database exists but requires an upgrade.',
  },
  STORE_BUSY: {
    exit: 34,
    hresult: 0xc0002a21,
    essoText: 'An error occurred while attempting to access the SSO database.',
  },

  NOT_SECRET_SERVER: {
    exit: 40,
    hresult: 0xc0002a0e,
    essoText: 'This function can only be performed on the master secret server.',
  },
  NO_SECRET: {
    exit: 41,
    hresult: 0xc0002a1f,
    essoText:
      'Cannot perform encryption or decryption because the secret is not available from the master secret server. See the event log for related errors.',
  },
  WRONG_SECRET: { exit: 42, hresult: 0xc0002a3f, essoText: 'Incorrect master secret.' },
  STALE_BACKUP: { exit: 43, hresult: 0xc0002a3f, essoText: 'Incorrect master secret.' },
  DECRYPT_FAILED: { exit: 44, hresult: 0xc0002a1a, essoText: 'Decryption failed.' },

  ACCESS_DENIED: {
    exit: 50,
    hresult: 0xc0002a5a,
    essoText: 'Access denied.',
  },
  NOT_FOUND: { exit: 51, ...E_FAIL },
  ALREADY_EXISTS: { exit: 52, ...E_FAIL },
  CONFLICT: { exit: 53, ...E_FAIL },
  DISABLED: { exit: 54, hresult: 0xc0002a02, essoText: 'The SSO system is currently disabled.' },

  PLATFORM_MISMATCH: { exit: 60, ...E_FAIL },
  VERSION_MISMATCH: { exit: 61, ...E_FAIL },
  EDITION_MISMATCH: { exit: 62, ...E_FAIL },
  INSTALL_DIR_MISMATCH: { exit: 63, ...E_FAIL },
  NODE_NOT_FRESH: { exit: 64, ...E_FAIL },
  PREFLIGHT_FAILED: { exit: 65, ...E_FAIL },
  UNSAFE_ARCHIVE: { exit: 66, ...E_FAIL },

  CHECK_FAILED: { exit: 70, ...E_FAIL },

  NO_SSO_SERVICE: {
    exit: 35,
    hresult: 0xc0002a0f,
    essoText:
      'Could not contact the SSO server. Check that SSO is configured and that the SSO service is running on that server.',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SsoErrorOptions {
  /** One line telling the user what to do about it. */
  hint?: Advice | undefined;
  /** Further lines, one problem each (every invalid line of an input file, say). */
  details?: string[];
  /** For a refusal: what the caller tried to do, as the audit records it. */
  action?: string | undefined;
  /** Overrides the code's HRESULT with a more precise Enterprise SSO error. */
  esso?: { hresult: number; text: string };
  cause?: unknown;
}

/** A failure the user can act on. `message` is one line, lower-case, no final period. */
export class SsoError extends Error {
  readonly code: ErrorCode;
  /** The hint in the modern spelling; `advice` keeps its references for the CLI to spell. */
  readonly hint: string | undefined;
  readonly advice: Advice | undefined;
  readonly details: string[];
  readonly esso: { hresult: number; text: string };
  readonly action: string | undefined;
  /** Set once the failure has its audit row, so the command's boundary does not add another. */
  audited = false;

  constructor(code: ErrorCode, message: string, options: SsoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SsoError';
    this.code = code;
    this.advice = options.hint;
    this.hint = options.hint === undefined ? undefined : String(options.hint);
    this.details = options.details ?? [];
    const info: CodeInfo = ERROR_CODES[code];
    this.esso = options.esso ?? { hresult: info.hresult, text: info.essoText };
    this.action = options.action;
  }

  get exitStatus(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** Enterprise SSO errors that are more precise than a code's default. */
export const ESSO = {
  APP_EXISTS: { hresult: 0xc0002a00, text: 'The application already exists.' },
  MAPPING_EXISTS: { hresult: 0xc0002a01, text: 'The mapping already exists.' },
  SSO_DISABLED: { hresult: 0xc0002a02, text: 'The SSO system is currently disabled.' },
  APP_DISABLED: { hresult: 0xc0002a03, text: 'The application is currently disabled.' },
  NO_APP: { hresult: 0xc0002a04, text: 'The application does not exist.' },
  NO_MAPPING: {
    hresult: 0xc0002a05,
    text: 'The mapping does not exist. For Config Store applications, the config info has not been set.',
  },
  MAPPING_DISABLED: { hresult: 0xc0002a0c, text: 'The mapping is disabled.' },
  NO_CREDENTIALS: { hresult: 0xc0002a0d, text: 'No credentials have been set for the mapping.' },
  APP_INCOMPLETE_FIELDS: {
    hresult: 0xc0002a11,
    text: 'The application cannot be enabled because the fields are incomplete for this application.',
  },
  NOT_SSO_ADMIN: {
    hresult: 0xc0002a14,
    text: 'The user is not a member of the specified SSO Administrators account.',
  },
  SSO_MUST_BE_DISABLED: {
    hresult: 0xc0002a15,
    text: 'Enterprise Single Sign-On must be disabled before performing this function.',
  },
  INVALID_ACCOUNT_FORMAT: {
    hresult: 0xc0002a18,
    text: 'The format of the account name is not valid. Domain accounts must include the domain name. Local accounts must not include a domain or computer name.',
  },
  INVALID_ACCOUNT: { hresult: 0xc0002a1c, text: 'The account name is not valid or does not exist.' },
  NO_LOCAL_ACCOUNTS: {
    hresult: 0xc0002a1d,
    text: 'Local accounts are not allowed for this application. Check your application flags.',
  },
  INVALID_FLAGS: {
    hresult: 0xc0002a1e,
    text: 'The specified flags are not valid or are incompatible with each other.',
  },
  REENCRYPT_IN_PROGRESS: { hresult: 0xc0002a3e, text: 'SSO database re-encryption is in progress.' },
  MAX_PASSWORD: { hresult: 0xc0002a57, text: 'The maximum password length is 256 characters.' },
  MAX_PASSWORD_REMINDER: {
    hresult: 0xc0002a58,
    text: 'The maximum password reminder length is 512 characters.',
  },
  HOST_GROUP_ONE_ACCOUNT_ONLY: {
    hresult: 0xc0002a5e,
    text: 'Host Group applications cannot have multiple accounts specified for the Windows Account.',
  },
  ENABLED_NOT_ALLOWED_CREATE: {
    hresult: 0xc0002a62,
    text: "An application cannot be created with the 'enabled' flag specified.",
  },
  INVALID_STRING_FORMAT: { hresult: 0xc0002a66, text: 'The string format is incorrect for this function.' },
} as const;

/** Formats an HRESULT the way Enterprise SSO prints it: `0xC0002A1B`. */
export function formatHresult(hresult: number): string {
  return `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

export function isSsoError(error: unknown): error is SsoError {
  return error instanceof SsoError;
}

export interface LineProblem {
  line: number;
  message: string;
}

/** The most problems one error lists; the rest are counted. */
const MAX_LISTED_PROBLEMS = 200;

/** One error for every problem found in an input file, each with its line; nothing was applied. */
export function fileProblems(file: string, problems: LineProblem[]): SsoError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const count = sorted.length === 1 ? 'a problem' : `${sorted.length} problems`;
  const details = sorted.slice(0, MAX_LISTED_PROBLEMS).map((p) => `${file}:${p.line}: ${p.message}`);
  if (sorted.length > MAX_LISTED_PROBLEMS) details.push(`… and ${sorted.length - MAX_LISTED_PROBLEMS} more`);
  return new SsoError('INVALID_INPUT', `${file} has ${count}; nothing was changed`, { details });
}

/**
 * A whole input file that was applied before (every item in it already exists): said
 * plainly, because re-running a command after a crash must show that it had completed.
 */
export function alreadyApplied(file: string, count: number, what: string): SsoError {
  return new SsoError(
    'ALREADY_EXISTS',
    `every ${what} in ${file} already exists (${count}): the file was applied before; nothing was changed`,
    {
      hint: remedy`nothing to do; ${command('check')} shows the store is sound`,
    },
  );
}
