/**
 * Lookups arriving together share one transaction: while one batch is in the store, the
 * next ones queue, and go in together when it is done (group commit). Each caller's lookup
 * still succeeds or fails on its own; the batch only shares the audit write.
 */

import type { LookupItem, LookupOutcome } from '../core/manage/index.js';

interface Waiting {
  item: LookupItem;
  resolve: (outcome: LookupOutcome) => void;
  reject: (error: unknown) => void;
}

export class LookupBatcher {
  #queue: Waiting[] = [];
  #busy = false;

  constructor(
    private readonly run: (items: LookupItem[]) => Promise<LookupOutcome[]>,
    private readonly maxBatch = 256,
  ) {}

  lookup(item: LookupItem): Promise<LookupOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.maxBatch);
        try {
          const outcomes = await this.run(batch.map((w) => w.item));
          for (const [i, w] of batch.entries()) w.resolve(outcomes[i]!);
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}
