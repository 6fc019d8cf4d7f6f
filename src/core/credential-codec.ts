/**
 * How credentials and config-store bags are sealed under an application's data key. Each
 * plaintext is bound to its row (the owner string), so a ciphertext moved to another
 * mapping or bag does not open there.
 */

import { open, seal } from '../crypto/sealed-box.js';
import type { Rng } from '../crypto/random.js';
import { SsoError } from '../errors.js';

export function credentialOwner(mappingId: number): string {
  return `cred:${mappingId}`;
}

export function configOwner(appId: number, identifierKey: string): string {
  return `config:${appId}:${identifierKey}`;
}

/** Field values in ordinal order. */
export function sealValues(key: Uint8Array, owner: string, values: readonly string[], rng: Rng): Uint8Array {
  return seal(key, owner, Buffer.from(JSON.stringify(values), 'utf8'), rng);
}

export function openValues(key: Uint8Array, owner: string, sealed: Uint8Array): string[] {
  const plain = open(key, owner, sealed);
  const values = plain ? (JSON.parse(Buffer.from(plain).toString('utf8')) as unknown) : null;
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
    throw new SsoError('DECRYPT_FAILED', `the encrypted values of ${owner} do not open with their data key`, {
      hint: 'the row was altered or moved; run ssokit check',
    });
  }
  return values as string[];
}

/** Re-seals under another key without decoding the values (re-encryption). */
export function resealRaw(oldKey: Uint8Array, newKey: Uint8Array, owner: string, sealed: Uint8Array, rng: Rng): Uint8Array {
  const plain = open(oldKey, owner, sealed);
  if (!plain) {
    throw new SsoError('DECRYPT_FAILED', `the encrypted values of ${owner} do not open with their data key`, {
      hint: 'the row was altered or moved; run ssokit check',
    });
  }
  return seal(newKey, owner, plain, rng);
}
