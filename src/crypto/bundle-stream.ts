/**
 * The bundle payload's encryption: age's STREAM construction over ChaCha20-Poly1305 (native,
 * node:crypto). The plaintext is cut into 64 KiB chunks; chunk i is sealed under the
 * payload key with the nonce  i as 11 bytes big-endian ‖ 0x01 for the last chunk, 0x00
 * otherwise. So a chunk dropped, repeated, reordered, altered or cut off at the end fails
 * to open. Memory stays at a few chunks whatever the payload's size.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SsoError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';

export const CHUNK_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
const ALGORITHM = 'chacha20-poly1305';

export function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // 2^53 chunks of 64 KiB is far beyond any bundle; the top bytes of the 11 stay zero.
  nonce.writeUIntBE(Math.floor(counter / 2 ** 32), 3, 4);
  nonce.writeUInt32BE(counter % 2 ** 32, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

export function sealChunk(key: Uint8Array, counter: number, last: boolean, plain: Buffer): Buffer[] {
  const cipher = createCipheriv(ALGORITHM, key, chunkNonce(counter, last), { authTagLength: TAG_BYTES });
  const body = cipher.update(plain);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

export function openChunk(key: Uint8Array, counter: number, last: boolean, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG_BYTES) return null;
  const decipher = createDecipheriv(ALGORITHM, key, chunkNonce(counter, last), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return body;
}

/**
 * Cuts a stream into blocks of a fixed size and hands each on with its counter, holding the
 * last one back until the stream ends: only then is it known to be the last.
 */
abstract class BlockTransform extends Transform {
  readonly #queue = new ByteQueue();
  #counter = 0;

  constructor(private readonly blockBytes: number) {
    super({ highWaterMark: 4 * CHUNK_BYTES });
  }

  /** The output for one block; throws to fail the stream. */
  protected abstract block(counter: number, last: boolean, data: Buffer): Buffer[];

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#queue.push(piece);
    try {
      while (this.#queue.length > this.blockBytes) this.#emit(false);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#emit(true);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }

  #emit(last: boolean): void {
    for (const part of this.block(this.#counter, last, this.#queue.take(this.blockBytes))) this.push(part);
    this.#counter++;
  }
}

/** Plaintext in, sealed chunks out. */
export class StreamSealer extends BlockTransform {
  constructor(private readonly key: Uint8Array) {
    super(CHUNK_BYTES);
  }

  protected override block(counter: number, last: boolean, plain: Buffer): Buffer[] {
    return sealChunk(this.key, counter, last, plain);
  }
}

/** Sealed chunks in, plaintext out; any fault is a DAMAGED_FILE error naming the chunk. */
export class StreamOpener extends BlockTransform {
  constructor(private readonly key: Uint8Array) {
    // A full sealed chunk followed by more bytes cannot be the last one.
    super(CHUNK_BYTES + TAG_BYTES);
  }

  protected override block(counter: number, last: boolean, sealed: Buffer): Buffer[] {
    const plain = openChunk(this.key, counter, last, sealed);
    if (!plain) throw damaged(counter, last);
    return [plain];
  }
}

function damaged(counter: number, last: boolean): SsoError {
  const what = last
    ? `the bundle is damaged or truncated: its last chunk (${counter}) does not authenticate`
    : `the bundle is damaged: chunk ${counter} does not authenticate`;
  return new SsoError('DAMAGED_FILE', what, {
    hint: 'copy the bundle again from the source server; this copy cannot be trusted',
  });
}
