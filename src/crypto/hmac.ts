import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(key: Uint8Array, ...parts: (Uint8Array | string)[]): Uint8Array {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return new Uint8Array(mac.digest());
}

/** Derives a 32-byte subkey for one purpose from a root key. */
export function subkey(root: Uint8Array, label: string): Uint8Array {
  return hmacSha256(root, label);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
