/**
 * NaCl's crypto_box_beforenm — HSalsa20 of the X25519 shared secret — with the X25519 step
 * done by node:crypto (OpenSSL). The master secret server computes two per fetch, and at a
 * thousand fetches a second tweetnacl's (0.8 ms each here) would be its whole budget. The
 * HSalsa20 step is tweetnacl's own; the result is byte for byte `nacl.box.before`'s (a unit
 * test holds it to that). Importing a key into OpenSSL costs more than the X25519 itself
 * (0.7 ms for a private key, 0.14 ms for a public one), so the key objects of keys used
 * again — a node's own key, the recorded keys of its peers — are kept.
 */

import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { nacl } from './nacl.js';

const SIGMA = new TextEncoder().encode('expand 32-byte k');
const ZERO_NONCE = new Uint8Array(16);

interface LowLevel {
  crypto_core_hsalsa20(out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array): number;
}
const lowlevel = (nacl as unknown as { lowlevel: LowLevel }).lowlevel;

// The fixed DER prefixes of an X25519 PKCS#8 private key and SPKI public key (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * By the secret key's array (a node's own key is one array for the life of the process),
 * with the bytes it held then: an array wiped or refilled since gets a new key object.
 */
const privateKeys = new WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>();
/** Peers' recorded keys, by value; emptied when it holds this many. */
const PUBLIC_KEYS_HELD = 100_000;
const publicKeys = new Map<string, KeyObject>();

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  const held = privateKeys.get(secretKey);
  if (held?.bytes.equals(secretKey)) return held.key;
  const der = Buffer.concat([PKCS8_PREFIX, secretKey]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  privateKeys.set(secretKey, { bytes: Buffer.from(secretKey), key });
  return key;
}

function publicKeyObject(publicKey: Uint8Array, keep: boolean): KeyObject {
  const id = keep ? Buffer.from(publicKey).toString('base64') : '';
  let key = keep ? publicKeys.get(id) : undefined;
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keep) {
      if (publicKeys.size >= PUBLIC_KEYS_HELD) publicKeys.clear();
      publicKeys.set(id, key);
    }
  }
  return key;
}

/**
 * The box key of `publicKey` and `secretKey`, or null for a public key of low order (an
 * all-zero shared secret). `keepPeer`: the public key will be used again (a recorded node key).
 */
export function boxBefore(publicKey: Uint8Array, secretKey: Uint8Array, keepPeer = false): Uint8Array | null {
  let shared: Buffer;
  try {
    shared = diffieHellman({
      privateKey: privateKeyObject(secretKey),
      publicKey: publicKeyObject(publicKey, keepPeer),
    });
  } catch {
    // OpenSSL refuses a derivation whose result is all zero: a public key of low order.
    return null;
  }
  if (shared.every((byte) => byte === 0)) return null;
  const key = new Uint8Array(32);
  lowlevel.crypto_core_hsalsa20(key, ZERO_NONCE, shared, SIGMA);
  shared.fill(0);
  return key;
}
