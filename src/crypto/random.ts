import { randomFillSync } from 'node:crypto';

/** Source of random bytes; injectable so tests can be deterministic. */
export type Rng = (length: number) => Uint8Array;

const POOL_BYTES = 16 * 1024;
let pool = new Uint8Array(0);
let offset = 0;

/**
 * The operating system's CSPRNG, drawn in 16 KiB blocks: bulk work takes a nonce per row,
 * and one system call per row costs more than the sealing itself. Every caller gets its
 * own copy of fresh bytes; no byte is handed out twice.
 */
export const systemRng: Rng = (length) => {
  if (length > POOL_BYTES) return randomFillSync(new Uint8Array(length));
  if (offset + length > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.slice(offset, offset + length);
  pool.fill(0, offset, offset + length);
  offset += length;
  return bytes;
};
