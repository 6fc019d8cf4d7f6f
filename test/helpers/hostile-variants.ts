/**
 * The hostile corpus's families of variants — a secret backup or bundle cut at every
 * offset, or with one byte flipped at every position — and the two ways of judging them:
 * - `*Outcome`: what the core readers (the code the binaries run) make of the bytes, in the
 *   order the command applies its checks; the binary's exit status must agree;
 * - `*_REGION_OUTCOMES`: what the format spec (docs/formats.md) allows for a fault in each
 *   line, so the readers themselves are judged against the spec, not against themselves.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicRng } from '../../fixtures/vectors/deterministic-rng.js';
import { extractPayload } from '../../src/core/clone/extract.js';
import { compatibilityProblems, readBundleHeader } from '../../src/core/clone/import.js';
import { parseBundleHeader, unlockBundle } from '../../src/crypto/bundle-format.js';
import { openBackup, parseBackup } from '../../src/crypto/secret-backup-format.js';
import { type ErrorCode, SsoError } from '../../src/errors.js';

export interface Variant {
  label: string;
  /** The byte the variant is about (the cut, or the flipped byte). */
  at: number;
  bytes: Buffer;
}

export type Outcome = ErrorCode | 'success';

/** Every prefix of `bytes` of a length in [from, to). */
export function truncations(bytes: Buffer, from: number, to: number): Variant[] {
  return Array.from({ length: to - from }, (_, i) => ({
    label: `cut to ${from + i} bytes`,
    at: from + i,
    bytes: bytes.subarray(0, from + i),
  }));
}

/**
 * One variant per position in `positions`, that byte XORed with a non-zero mask drawn from
 * `seed` — or with `fixedMask` (0x01 keeps most text printable, so more variants get past
 * the parser to the key, the mac and the payload).
 */
export function flips(bytes: Buffer, positions: number[], seed: string, fixedMask?: number): Variant[] {
  const rng = deterministicRng(seed);
  return positions.map((at) => {
    const mask = fixedMask ?? (rng(1)[0]! || 0x01);
    const flipped = Buffer.from(bytes);
    flipped[at]! ^= mask;
    return { label: `byte ${at} XOR 0x${mask.toString(16).padStart(2, '0')}`, at, bytes: flipped };
  });
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** `count` items picked with a fixed seed (the same sample every run), in their order. */
export function sampleOf<T>(items: T[], count: number, seed: string): T[] {
  if (items.length <= count) return items;
  const rng = deterministicRng(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Buffer.from(rng(4)).readUInt32BE(0) % items.length);
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!);
}

/** The code an SsoError carries; anything else thrown is a bug and is thrown on. */
export async function outcomeOf(work: () => Promise<unknown> | unknown): Promise<Outcome> {
  try {
    await work();
    return 'success';
  } catch (error) {
    if (error instanceof SsoError) return error.code;
    throw error;
  }
}

/** The name of the line holding byte `at` ("newline" for a line's LF), for the region tables. */
export function lineNameAt(bytes: Buffer, at: number): string {
  if (bytes[at] === 0x0a) return 'newline';
  const start = at === 0 ? 0 : bytes.lastIndexOf(0x0a, at - 1) + 1;
  const line = bytes.subarray(start, start + 40).toString('latin1');
  if (start === 0) return 'version';
  return line.slice(0, line.indexOf(':'));
}

const SPOILED = ['BAD_FORMAT', 'DAMAGED_FILE'] as const;
const WRONG_KEY = ['BAD_FORMAT', 'WRONG_PASSWORD'] as const;

/**
 * docs/formats.md, "Reading": a changed version is unsupported or unreadable; a changed kdf,
 * salt or check derives another key (read as a wrong password) unless over the cap; any
 * other changed header line fails the mac, a changed payload fails to open; and any change
 * may first make the file unreadable. Nothing changed is ever accepted.
 */
export const BACKUP_REGION_OUTCOMES: Record<string, readonly Outcome[]> = {
  version: ['BAD_FORMAT', 'UNSUPPORTED_VERSION'],
  kdf: ['BAD_FORMAT', 'KDF_LIMIT', 'WRONG_PASSWORD'],
  salt: WRONG_KEY,
  check: WRONG_KEY,
  current: SPOILED,
  previous: SPOILED,
  generation: SPOILED,
  created: SPOILED,
  reminder: SPOILED,
  mac: SPOILED,
  payload: SPOILED,
  newline: ['BAD_FORMAT'],
};

/** The same for a bundle; platform to install-dir are covered by the mac (import compares them first). */
export const BUNDLE_REGION_OUTCOMES: Record<string, readonly Outcome[]> = {
  version: ['BAD_FORMAT', 'UNSUPPORTED_VERSION'],
  'source-node': SPOILED,
  platform: SPOILED,
  arch: SPOILED,
  // "version: 0.1.0" is the ssokit version line (the format's own is the first line)
  'version ': SPOILED,
  edition: SPOILED,
  'install-dir': SPOILED,
  created: SPOILED,
  'includes-secret': SPOILED,
  kdf: ['BAD_FORMAT', 'KDF_LIMIT', 'WRONG_PASSWORD'],
  salt: WRONG_KEY,
  check: WRONG_KEY,
  nonce: SPOILED,
  mac: SPOILED,
  newline: ['BAD_FORMAT'],
  payload: ['DAMAGED_FILE'],
};

/** The bundle region of byte `at`: a header line, or the payload. */
export function bundleRegionAt(bytes: Buffer, payloadOffset: number, at: number): string {
  if (at >= payloadOffset) return 'payload';
  const name = lineNameAt(bytes, at);
  return name === 'version' && at > 0 && bytes.lastIndexOf(0x0a, at - 1) >= 0 ? 'version ' : name;
}

/**
 * What `ssoconfig -restoreSecret` / `ssokit secret verify` make of a backup, by the core
 * functions they call in their order: restore checks the secret ids against the store
 * before the password, verify after.
 */
export async function backupOutcome(
  bytes: Buffer,
  password: string,
  storeSecretId: string,
  command: 'restore' | 'verify',
): Promise<Outcome> {
  const idMismatch = (header: { currentId: string; previousId: string | null }) =>
    command === 'restore'
      ? header.currentId !== storeSecretId && header.previousId !== storeSecretId
      : header.currentId !== storeSecretId;
  return outcomeOf(async () => {
    const parsed = parseBackup(bytes);
    if (command === 'restore' && idMismatch(parsed.header)) throw new SsoError('WRONG_SECRET', 'another secret');
    await openBackup(parsed, password);
    if (command === 'verify' && idMismatch(parsed.header)) throw new SsoError('WRONG_SECRET', 'another secret');
  });
}

/**
 * What `ssocloneaz -c` makes of a bundle, by the core functions it calls in their order:
 * the header, the installation it was made on, the password, then the payload into a
 * staging folder (removed after).
 */
export async function bundleOutcome(bytes: Buffer, password: string, scratch: string): Promise<Outcome> {
  const path = join(scratch, 'variant.bundle');
  writeFileSync(path, bytes, { mode: 0o600 });
  const staging = mkdtempSync(join(scratch, 'staging-'));
  try {
    return await outcomeOf(async () => {
      const { parsed, size } = readBundleHeader(path);
      const mismatch = compatibilityProblems(parsed.header)[0];
      if (mismatch) throw new SsoError(mismatch.code, mismatch.message);
      const key = await unlockBundle(parsed, password);
      await extractPayload(path, staging, {
        offset: parsed.payloadOffset,
        size,
        key,
        includesSecret: parsed.header.includesSecret,
      });
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Header-only reading, for the thousands of variants the in-process loop runs. */
export async function bundleHeaderOutcome(bytes: Buffer, password: string): Promise<Outcome> {
  return outcomeOf(async () => unlockBundle(parseBundleHeader(bytes), password));
}
