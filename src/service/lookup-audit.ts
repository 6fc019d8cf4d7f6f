/**
 * The credential-lookup audit of the service's lookups, written in batches: a lookup reads
 * and answers, and its audit row joins the rows of the lookups around it in one write
 * transaction, at most FLUSH_MS later (or sooner, once MAX_PENDING rows wait). A lookup
 * then costs a read, not a commit. The price, said in docs/reliability.md: a service killed
 * with -9 loses the audit rows of its last FLUSH_MS of lookups; a stop (SIGTERM) writes them.
 */

import { type LookupAuditRow, writeLookupAudit } from '../core/manage/index.js';
import type { Store } from '../store/store.js';
import type { ServiceLog } from './log.js';

export const FLUSH_MS = 20;
const MAX_PENDING = 2000;

export class LookupAudit {
  #pending: LookupAuditRow[] = [];
  #ringSize = 0;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log: ServiceLog,
  ) {}

  add(rows: LookupAuditRow[], ringSize: number): void {
    this.#pending.push(...rows);
    this.#ringSize = ringSize;
    if (this.#pending.length >= MAX_PENDING) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what waits (after any write under way); errors are logged, not thrown. */
  flush(): Promise<unknown> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const rows = this.#pending;
    this.#pending = [];
    if (rows.length === 0) return this.#flushing;
    const ringSize = this.#ringSize;
    this.#flushing = this.#flushing.then(() =>
      this.store
        .transaction((tx) => writeLookupAudit(tx, rows, ringSize))
        .catch((error: unknown) => {
          this.log.error({ err: error, rows: rows.length }, 'lookup audit rows could not be written');
        }),
    );
    return this.#flushing;
  }
}
