/**
 * Single sign-on ids: 256 random bits, given to the browser as a cookie. The store and the
 * service's memory keep only their SHA-256, so a copy of either gives no usable sign-on;
 * an entry is found by that hash, never by comparing ids.
 */

import { createHash } from 'node:crypto';
import { systemRng } from '../../crypto/random.js';

export const TOKEN_BYTES = 32;

export function newToken(rng = systemRng): string {
  return Buffer.from(rng(TOKEN_BYTES)).toString('base64url');
}

/** The hash an entry is kept under; null for text that cannot be a token. */
export function tokenHash(token: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return createHash('sha256').update(Buffer.from(token, 'base64url')).digest();
}

/** How administrators name an entry (`ssokit sso show ID`): the hash's first 16 hex digits. */
export function entryId(hash: Uint8Array): string {
  return Buffer.from(hash).subarray(0, 8).toString('hex');
}

/** An application session's id: random, and not the sign-on's. */
export function newSessionId(rng = systemRng): string {
  return Buffer.from(rng(16)).toString('base64url');
}
