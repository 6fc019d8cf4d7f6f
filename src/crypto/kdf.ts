/**
 * Password → key derivation: scrypt from node:crypto, with the parameters stored in the
 * file that uses them. Readers cap what they accept because the file (and so an attacker)
 * chooses the cost (the same reasoning as age's maxWorkFactor).
 */

import { scrypt } from 'node:crypto';
import { KDF_CAP, KDF_FLOOR_LOG2N } from '../defaults.js';
import { SsoError } from '../errors.js';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  log2N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

export const KEY_BYTES = 32;

/** Memory scrypt needs for these parameters, in bytes. */
export function scryptMemory(params: ScryptParams): number {
  return 128 * params.r * 2 ** params.log2N;
}

/** Throws KDF_LIMIT unless a reader may run these parameters. */
export function checkScryptParams(params: ScryptParams, cap = KDF_CAP): void {
  const { log2N, r, p } = params;
  const integral = [log2N, r, p].every((v) => Number.isSafeInteger(v) && v >= 1);
  if (!integral || log2N > cap.maxLog2N || r > cap.maxR || p > cap.maxP || scryptMemory(params) > cap.maxMemoryBytes) {
    throw new SsoError(
      'KDF_LIMIT',
      `the file asks for scrypt cost N=2^${log2N} r=${r} p=${p}, over the accepted limit ` +
        `(N ≤ 2^${cap.maxLog2N}, r ≤ ${cap.maxR}, p ≤ ${cap.maxP}, memory ≤ ${cap.maxMemoryBytes / 2 ** 20} MiB)`,
      { hint: 'the file was not written by ssokit, or it was tampered with' },
    );
  }
}

/** Throws unless a writer may use these parameters (never below the floor). */
export function checkWriterParams(params: ScryptParams): void {
  checkScryptParams(params);
  if (params.log2N < KDF_FLOOR_LOG2N) {
    throw new SsoError('INVALID_INPUT', `scrypt cost 2^${params.log2N} is below the floor 2^${KDF_FLOOR_LOG2N}`);
  }
}

/** Passwords are compared as UTF-8 of their NFC form, so input methods agree. */
export function passwordBytes(password: string): Buffer {
  return Buffer.from(password.normalize('NFC'), 'utf8');
}

export function deriveKey(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  checkScryptParams(params);
  const N = 2 ** params.log2N;
  return new Promise((resolve, reject) => {
    scrypt(
      passwordBytes(password),
      salt,
      KEY_BYTES,
      { N, r: params.r, p: params.p, maxmem: scryptMemory(params) + 32 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))),
    );
  });
}
