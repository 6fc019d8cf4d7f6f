/**
 * Progress and interruption for the long clone operations: a byte counter to place in a
 * stream pipeline, and the one error an interrupted export or import ends with.
 */

import { Transform, type TransformCallback } from 'node:stream';
import { SsoError } from '../../errors.js';

/** Reports bytes done against a known total; the CLI draws it, tests observe it. */
export type ProgressListener = (done: number, total: number) => void;

/** Passes bytes through unchanged, reporting how many have gone by. */
export class ByteCounter extends Transform {
  #done = 0;

  constructor(
    private readonly total: number,
    private readonly listener: ProgressListener | undefined,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#done += piece.length;
    this.listener?.(this.#done, this.total);
    done(null, piece);
  }
}

/** The interruption (Ctrl-C, SIGTERM) as a user-facing error, or the error unchanged. */
export function interruptedOr(error: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (signal?.aborted || (error as Error)?.name === 'AbortError') {
    return new SsoError('CANCELLED', `${what} was interrupted; nothing was changed`);
  }
  return error;
}

export function stopIfInterrupted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw interruptedOr(null, signal, what);
}
