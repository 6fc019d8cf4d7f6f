import { randomBytes } from 'node:crypto';

/** Source of random bytes; injectable so tests can be deterministic. */
export type Rng = (length: number) => Uint8Array;

export const systemRng: Rng = (length) => new Uint8Array(randomBytes(length));
