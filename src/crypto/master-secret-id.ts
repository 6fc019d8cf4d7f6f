import { hmacSha256 } from './hmac.js';
import { LABELS } from './labels.js';

export const MASTER_SECRET_BYTES = 32;

/**
 * The master secret id (MSID): a keyed hash of the secret, printed as a GUID in braces as
 * Enterprise SSO prints its MSIDs. It names the secret in the store, in file names and in
 * backup headers without revealing anything about it, and it proves a secret is the one
 * the store expects.
 */
export function masterSecretId(secret: Uint8Array): string {
  const hex = Buffer.from(hmacSha256(secret, LABELS.masterSecretId).subarray(0, 16)).toString('hex').toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}}`;
}

const MSID_PATTERN = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/;

export function isMasterSecretId(value: string): boolean {
  return MSID_PATTERN.test(value);
}
