/** Bytes arriving in pieces, taken out in fixed-size blocks without copying more than needed. */
export class ByteQueue {
  #pieces: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The first four bytes as a big-endian number, left in the queue (needs length ≥ 4). */
  peekUInt32BE(): number {
    const first = this.#pieces[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    const head = this.take(4);
    this.#pieces.unshift(head);
    this.#length += 4;
    return head.readUInt32BE(0);
  }

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#pieces.push(piece);
    this.#length += piece.length;
  }

  /** Removes and returns the first `size` bytes (all of them when fewer are queued). */
  take(size: number): Buffer {
    const want = Math.min(size, this.#length);
    const first = this.#pieces[0];
    let out: Buffer;
    if (first && first.length >= want) {
      out = first.subarray(0, want);
      if (first.length === want) this.#pieces.shift();
      else this.#pieces[0] = first.subarray(want);
    } else {
      out = Buffer.allocUnsafe(want);
      let at = 0;
      while (at < want) {
        const piece = this.#pieces[0]!;
        const n = Math.min(piece.length, want - at);
        piece.copy(out, at, 0, n);
        at += n;
        if (n === piece.length) this.#pieces.shift();
        else this.#pieces[0] = piece.subarray(n);
      }
    }
    this.#length -= want;
    return out;
  }
}
