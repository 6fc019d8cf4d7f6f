/**
 * Owner-bound authenticated encryption with tweetnacl secretbox (XSalsa20-Poly1305).
 *
 * Sealed layout: nonce (24 bytes) ‖ secretbox(owner-length u16be ‖ owner ‖ plaintext).
 * The owner string names the row the plaintext belongs to ("cred:42", "datakey:7:3"), and
 * opening checks it, so a ciphertext copied onto another row does not open there.
 */

import { nacl } from './nacl.js';
import type { Rng } from './random.js';

export const NONCE_BYTES = nacl.secretbox.nonceLength;
export const SECRETBOX_KEY_BYTES = nacl.secretbox.keyLength;
export const SEAL_OVERHEAD = NONCE_BYTES + nacl.secretbox.overheadLength;

export function seal(key: Uint8Array, owner: string, plaintext: Uint8Array, rng: Rng): Uint8Array {
  const ownerBytes = Buffer.from(owner, 'utf8');
  const message = new Uint8Array(2 + ownerBytes.length + plaintext.length);
  message[0] = ownerBytes.length >> 8;
  message[1] = ownerBytes.length & 0xff;
  message.set(ownerBytes, 2);
  message.set(plaintext, 2 + ownerBytes.length);
  const nonce = rng(NONCE_BYTES);
  const box = nacl.secretbox(message, nonce, key);
  const sealed = new Uint8Array(NONCE_BYTES + box.length);
  sealed.set(nonce, 0);
  sealed.set(box, NONCE_BYTES);
  return sealed;
}

/** Returns the plaintext, or null when the key, the owner or the bytes are wrong. */
export function open(key: Uint8Array, owner: string, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < SEAL_OVERHEAD + 2) return null;
  const message = nacl.secretbox.open(sealed.subarray(NONCE_BYTES), sealed.subarray(0, NONCE_BYTES), key);
  if (message === null) return null;
  const ownerLength = (message[0]! << 8) | message[1]!;
  if (2 + ownerLength > message.length || !ownerMatches(message, ownerLength, owner)) return null;
  return message.subarray(2 + ownerLength);
}

/** Compares without allocating for ASCII owners (all but config identifiers): opens run per row. */
function ownerMatches(message: Uint8Array, length: number, owner: string): boolean {
  if (length === owner.length) {
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const code = owner.charCodeAt(i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      if (message[2 + i] !== code) return false;
    }
    if (ascii) return true;
  }
  const bytes = Buffer.from(owner, 'utf8');
  return bytes.length === length && bytes.equals(message.subarray(2, 2 + length));
}
