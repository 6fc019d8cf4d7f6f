/**
 * The single sign-on runtime in the service: the business systems of this node (their
 * settings re-read every few seconds), state in memory or, with failover, in the store,
 * and the reaper, every shortest sso-reap-interval-seconds of them.
 */

import { listBizsys } from '../core/clone/index.js';
import type { NodeContext } from '../core/shared/index.js';
import { type GroupMember, MemoryState, SsoRuntime, StoreState } from '../core/sso/index.js';
import type { Store } from '../store/store.js';
import type { ServiceLog } from './log.js';

export class ServiceSso {
  readonly runtime: SsoRuntime;
  #members = new Map<string, GroupMember>();
  #reaper: NodeJS.Timeout | null = null;
  #reapEveryMs = 0;

  constructor(
    private readonly node: NodeContext,
    store: Store,
    private readonly log: ServiceLog,
  ) {
    this.runtime = new SsoRuntime(new MemoryState(), new StoreState(store), (name) => this.#members.get(name) ?? null);
  }

  /** Reads the business systems again; starts or re-times the reaper. */
  async reload(): Promise<void> {
    const systems = await listBizsys(this.node).catch(() => null);
    if (!systems) return;
    this.#members = new Map(systems.map((s) => [s.name, { name: s.name, ...s.session }]));
    const every = Math.min(...systems.map((s) => s.session.reapIntervalSeconds * 1000), 60_000);
    if (every !== this.#reapEveryMs) {
      this.#reapEveryMs = every;
      if (this.#reaper) clearInterval(this.#reaper);
      this.#reaper = setInterval(() => void this.reap(), every);
      this.#reaper.unref();
    }
  }

  async reap(): Promise<void> {
    const started = performance.now();
    const removed = await this.runtime.reap().catch((error: unknown) => {
      this.log.error({ err: error }, 'single sign-on reap failed');
      return null;
    });
    if (removed && removed.memory + removed.store > 0) {
      this.log.info(
        { event: 'single sign-on entries reaped', ...removed, ms: Math.round(performance.now() - started) },
        'single sign-on entries reaped',
      );
    }
  }

  async stop(): Promise<void> {
    if (this.#reaper) clearInterval(this.#reaper);
    await this.runtime.flush();
  }
}
