/**
 * The master secret server's lease, kept by each node that answers to the store's
 * `secretServer` name: the one that holds it is active and serves the secret; the others
 * are standby. No split brain: the active node renews every RENEW_FRACTION of the lease
 * and stops serving on its own deadline — the time its last successful renewal began plus
 * the lease, less a margin — by its monotonic clock, which a paused process or a stepped
 * wall clock cannot move back. The store's expiry is later than that deadline, and a
 * standby takes the lease only after the expiry; so two nodes never serve at once.
 */

import { performance } from 'node:perf_hooks';
import { type Lease, releaseLease, tryLease } from '../core/nodes/index.js';
import type { AuditActor } from '../core/shared/index.js';
import type { Store } from '../store/store.js';
import { EVENTS, type ServiceLog } from './log.js';

export interface LeaseStatus {
  state: 'active' | 'standby';
  holder: string | null;
  term: number | null;
  expiresAt: string | null;
}

export class LeaseKeeper {
  /** Monotonic ms until which this node may serve; 0 while it is standby. */
  #deadline = 0;
  #last: Lease | null = null;
  #ticking: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly name: () => string,
    private readonly nodeName: string,
    readonly leaseMs: number,
    private readonly log: ServiceLog,
    private readonly actor: AuditActor,
  ) {}

  /** Stop serving this much before the lease's own end: room for a slow renewal and clock rates. */
  get marginMs(): number {
    return Math.max(250, Math.floor(this.leaseMs / 4));
  }

  get renewMs(): number {
    return Math.max(100, Math.floor(this.leaseMs / 5));
  }

  /** Whether this node may serve the secret now. */
  serving(): boolean {
    const ok = performance.now() < this.#deadline;
    if (!ok && this.#deadline !== 0) this.#lost('its own deadline passed without a renewal');
    return ok;
  }

  /** One renewal (or attempt to take over); one at a time. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const started = performance.now();
    const name = this.name();
    let attempt: Awaited<ReturnType<typeof tryLease>>;
    try {
      attempt = await tryLease(this.store, name, this.nodeName, this.leaseMs, this.actor);
    } catch (error) {
      // The store is out of reach: the deadline runs out by itself.
      this.log.warn({ event: 'lease renewal failed', err: (error as Error).message }, 'lease renewal failed');
      this.serving();
      return;
    }
    this.#last = attempt.lease;
    if (!attempt.held) {
      if (this.#deadline !== 0) this.#lost(`${attempt.lease.holder} holds it`);
      return;
    }
    const wasActive = this.#deadline !== 0;
    this.#deadline = started + this.leaseMs - this.marginMs;
    if (!wasActive) {
      this.log.warn(
        {
          event: EVENTS.becameActive,
          secretServer: name,
          term: attempt.lease.term,
          tookOverFrom: attempt.tookOver ? 'a lapsed lease' : null,
        },
        EVENTS.becameActive,
      );
    }
  }

  #lost(why: string): void {
    this.#deadline = 0;
    this.log.warn({ event: EVENTS.becameStandby, secretServer: this.name(), reason: why }, EVENTS.becameStandby);
  }

  status(): LeaseStatus {
    const active = this.serving();
    const last = this.#last;
    return {
      state: active ? 'active' : 'standby',
      holder: last?.holder ?? null,
      term: last?.term ?? null,
      expiresAt: last ? new Date(last.expiresAtMs).toISOString() : null,
    };
  }

  /** A clean stop hands the lease on at once. */
  async release(): Promise<void> {
    if (this.#deadline === 0) return;
    this.#deadline = 0;
    await releaseLease(this.store, this.name(), this.nodeName).catch(() => undefined);
  }
}
