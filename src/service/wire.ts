/**
 * Errors as they cross the service's socket: the same code, sentence, hint and Enterprise
 * SSO error the CLI prints, so a command shows the same failure through the service as
 * without it. An error that is not an SsoError is reported as internal, without its text.
 */

import { ERROR_CODES, type ErrorCode, isSsoError, SsoError } from '../errors.js';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: string[];
  esso: { hresult: number; text: string };
}

export function errorBody(error: unknown): ErrorBody {
  const known = isSsoError(error)
    ? error
    : new SsoError('INTERNAL', 'internal error in the SSO service', {
        hint: 'see the service log (journalctl -u ssokit)',
      });
  return {
    code: known.code,
    message: known.message,
    ...(known.hint === undefined ? {} : { hint: known.hint }),
    ...(known.details.length ? { details: known.details } : {}),
    esso: known.esso,
  };
}

/** The SsoError an answer carried, rebuilt on the client's side. */
export function errorFromBody(body: ErrorBody): SsoError {
  const code: ErrorCode = body.code in ERROR_CODES ? body.code : 'INTERNAL';
  return new SsoError(code, body.message, {
    ...(body.hint === undefined ? {} : { hint: body.hint }),
    ...(body.details ? { details: body.details } : {}),
    esso: body.esso,
  });
}
