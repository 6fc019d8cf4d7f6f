/**
 * The bundle payload's framing (inside the STREAM encryption): the archive as
 * length-prefixed frames, a zero-length frame, then the manifest, length-prefixed.
 *
 *   payload  = *frame  %x00.00.00.00  manifest-length(u32be)  manifest(JSON)
 *   frame    = length(u32be, 1 or more)  bytes
 *
 * The manifest comes last so it can list every file's SHA-256 without reading the files
 * twice before the archive starts.
 */

import { Transform, type TransformCallback } from 'node:stream';
import { SsoError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';

/** A manifest line is about 150 bytes: this is room for some 100,000 files. */
export const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value);
  return b;
}

/** Archive bytes in, frames out; the manifest is given when the archive has ended. */
export class Framer extends Transform {
  constructor(private readonly manifest: () => Promise<Buffer>) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (piece.length) {
      this.push(u32(piece.length));
      this.push(piece);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.manifest().then(
      (manifest) => {
        this.push(u32(0));
        this.push(u32(manifest.length));
        this.push(manifest);
        done();
      },
      (error: Error) => done(error),
    );
  }
}

/** Frames in, archive bytes out; the manifest is kept for `manifest()` at the end. */
export class Deframer extends Transform {
  readonly #queue = new ByteQueue();
  #frameLeft = -1; // bytes left in the current frame; -1 before a frame's length is read
  #archiveEnded = false;
  #manifest: Buffer | null = null;

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  manifest(): Buffer {
    if (!this.#manifest) throw new SsoError('DAMAGED_FILE', 'the bundle payload ends before its manifest');
    return this.#manifest;
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#manifest && piece.length) {
      done(new SsoError('DAMAGED_FILE', 'the bundle payload has bytes after its manifest'));
      return;
    }
    this.#queue.push(piece);
    try {
      this.#drain();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  #drain(): void {
    while (!this.#archiveEnded) {
      if (this.#frameLeft < 0) {
        if (this.#queue.length < 4) return;
        this.#frameLeft = this.#queue.take(4).readUInt32BE(0);
        if (this.#frameLeft === 0) this.#archiveEnded = true;
        continue;
      }
      if (this.#queue.length === 0) return;
      const data = this.#queue.take(this.#frameLeft);
      this.#frameLeft -= data.length;
      if (this.#frameLeft === 0) this.#frameLeft = -1;
      this.push(data);
    }
    if (this.#manifest || this.#queue.length < 4) return;
    const length = this.#queue.peekUInt32BE();
    if (length > MANIFEST_MAX_BYTES) throw new SsoError('BAD_FORMAT', 'the bundle manifest is implausibly large');
    if (this.#queue.length < 4 + length) return; // the rest has not arrived yet
    if (this.#queue.length > 4 + length)
      throw new SsoError('DAMAGED_FILE', 'the bundle payload has bytes after its manifest');
    this.#queue.take(4);
    this.#manifest = this.#queue.take(length);
  }

  override _flush(done: TransformCallback): void {
    done(this.#manifest ? null : new SsoError('DAMAGED_FILE', 'the bundle payload ends before its manifest'));
  }
}

/** The whole payload for an archive and manifest already in memory (test vectors, tests). */
export function framePayload(archive: Buffer, manifest: Buffer, frameBytes = 65536): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < archive.length; at += frameBytes) {
    const frame = archive.subarray(at, at + frameBytes);
    parts.push(u32(frame.length), frame);
  }
  parts.push(u32(0), u32(manifest.length), manifest);
  return Buffer.concat(parts);
}
