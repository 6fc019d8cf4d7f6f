/**
 * Lookups arriving together share one transaction: while one batch is in the store, the
 * next ones queue, and go in together when it is done (group commit). Each caller's lookup
 * still succeeds or fails on its own; the batch only shares the audit write.
 *
 * A batch starts from setImmediate, never from the request that arrived first: on SQLite
 * the store's calls do not yield to the event loop, so a batch started at once would run
 * to its commit before the other connections' requests, already in their sockets, were
 * read, and every batch would be one request. Started after the poll phase, a batch takes
 * everything the sockets held.
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
  #scheduled = false;

  constructor(
    private readonly run: (items: LookupItem[]) => Promise<LookupOutcome[]>,
    private readonly maxBatch = 256,
  ) {}

  lookup(item: LookupItem): Promise<LookupOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#busy || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  /** One batch; the next is scheduled when it is done, so the requests read meanwhile join it. */
  async #drain(): Promise<void> {
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    const batch = this.#queue.splice(0, this.maxBatch);
    try {
      const outcomes = await this.run(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(outcomes[i]!);
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
