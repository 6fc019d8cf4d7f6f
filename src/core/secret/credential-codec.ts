/**
 * How credentials and config-store bags are sealed under an application's data key. Each
 * plaintext is bound to its row (the owner string), so a ciphertext moved to another
 * mapping or bag does not open there.
 */

import type { Rng } from '../../crypto/random.js';
import { open, seal } from '../../crypto/sealed-box.js';
import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';

export function credentialOwner(mappingId: number): string {
  return `cred:${mappingId}`;
}

export function configOwner(appId: number, identifierKey: string): string {
  return `config:${appId}:${identifierKey}`;
}

/**
 * Field values in ordinal order, each a 4-byte big-endian length and its UTF-8 bytes
 * (decoding this is five times cheaper than JSON, and lookups decode one per request).
 */
export function encodeValues(values: readonly string[]): Uint8Array {
  const parts = values.map((v) => Buffer.from(v, 'utf8'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.writeUInt32BE(part.length, at);
    part.copy(out, at + 4);
    at += 4 + part.length;
  }
  return out;
}

/** The values, or null when the bytes are not a well-formed encoding. */
export function decodeValues(bytes: Uint8Array): string[] | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: string[] = [];
  let at = 0;
  while (at < buffer.length) {
    if (at + 4 > buffer.length) return null;
    const length = buffer.readUInt32BE(at);
    if (at + 4 + length > buffer.length) return null;
    values.push(buffer.toString('utf8', at + 4, at + 4 + length));
    at += 4 + length;
  }
  return values;
}

export function sealValues(key: Uint8Array, owner: string, values: readonly string[], rng: Rng): Uint8Array {
  return seal(key, owner, encodeValues(values), rng);
}

export function openValues(key: Uint8Array, owner: string, sealed: Uint8Array): string[] {
  const plain = open(key, owner, sealed);
  const values = plain ? decodeValues(plain) : null;
  if (!values) {
    throw new SsoError('DECRYPT_FAILED', `the encrypted values of ${owner} do not open with their data key`, {
      hint: remedy`the row was altered or moved; run ${command('check')}`,
    });
  }
  return values;
}

/** Re-seals under another key without decoding the values (re-encryption). */
export function resealRaw(
  oldKey: Uint8Array,
  newKey: Uint8Array,
  owner: string,
  sealed: Uint8Array,
  rng: Rng,
): Uint8Array {
  const plain = open(oldKey, owner, sealed);
  if (!plain) {
    throw new SsoError('DECRYPT_FAILED', `the encrypted values of ${owner} do not open with their data key`, {
      hint: remedy`the row was altered or moved; run ${command('check')}`,
    });
  }
  return seal(newKey, owner, plain, rng);
}
