/**
 * The master secret as an SSO service that is not the master secret server holds it: in
 * memory only, fetched from the master secret server at start and at every refresh.
 * Enterprise SSO's rules, exactly:
 * - while the master secret server is unreachable, decryption goes on from the copy, and
 *   nothing new is encrypted;
 * - a restart, or a change of the master secret seen in the store, releases the copy; until
 *   the master secret server answers again nothing decrypts.
 */

import type { HeldSecret, MasterSecretSource, SecretUse } from '../core/shared/index.js';
import { SsoError } from '../errors.js';

export interface HeldKeyring {
  current: HeldSecret;
  previous: HeldSecret | null;
}

export interface CacheStatus {
  holds: boolean;
  currentId: string | null;
  generation: number | null;
  /** When the master secret server last confirmed the copy. */
  confirmedAt: Date | null;
  unreachableSince: Date | null;
  /** Why no copy is held (null while one is). */
  releasedBecause: string | null;
}

export class SecretCache implements MasterSecretSource {
  #held: HeldKeyring | null = null;
  #confirmedAt: Date | null = null;
  #unreachableSince: Date | null = null;
  #releasedBecause: string | null = 'the service has not reached the master secret server since it started';

  constructor(
    private readonly secretServer: () => string,
    private readonly onStale: () => void = () => undefined,
  ) {}

  /** A copy the master secret server just gave. */
  hold(keyring: HeldKeyring, at: Date): void {
    this.#held = keyring;
    this.#confirmedAt = at;
    this.#releasedBecause = null;
  }

  /** Forgets the copy (wiping its bytes); returns whether one was held. */
  release(because: string): boolean {
    const held = this.#held;
    if (held) {
      held.current.secret.fill(0);
      held.previous?.secret.fill(0);
    }
    this.#held = null;
    this.#confirmedAt = null;
    this.#releasedBecause = because;
    return held !== null;
  }

  /** Returns true when this is the transition (the first failure after success). */
  markUnreachable(at: Date): boolean {
    if (this.#unreachableSince) return false;
    this.#unreachableSince = at;
    return true;
  }

  markReachable(): boolean {
    const was = this.#unreachableSince !== null;
    this.#unreachableSince = null;
    return was;
  }

  get unreachableSince(): Date | null {
    return this.#unreachableSince;
  }

  get heldCurrentId(): string | null {
    return this.#held?.current.id ?? null;
  }

  /** Seconds since the copy was last confirmed (NaN without one). */
  ageSeconds(now: Date): number {
    return this.#confirmedAt ? (now.getTime() - this.#confirmedAt.getTime()) / 1000 : Number.NaN;
  }

  status(): CacheStatus {
    return {
      holds: this.#held !== null,
      currentId: this.#held?.current.id ?? null,
      generation: this.#held?.current.generation ?? null,
      confirmedAt: this.#confirmedAt,
      unreachableSince: this.#unreachableSince,
      releasedBecause: this.#releasedBecause,
    };
  }

  keyring(currentId: string, use: SecretUse, action: string): HeldKeyring {
    const server = this.secretServer();
    if (this.#held && this.#held.current.id !== currentId) {
      // The store names another secret: a rotation. Enterprise SSO releases its copy then.
      this.release(`the master secret changed to ${currentId}`);
      this.onStale();
    }
    const held = this.#held;
    if (!held) {
      throw new SsoError(
        'NO_SECRET',
        `${action} needs the master secret, and this node's SSO service holds no copy of it: ${this.#releasedBecause}`,
        {
          hint: `the master secret server '${server}' must answer first: see ssokit service status`,
          action,
        },
      );
    }
    if (use === 'encrypt' && this.#unreachableSince) {
      throw new SsoError(
        'NO_SECRET',
        `${action} would encrypt new data, and the master secret server '${server}' has been unreachable since ${this.#unreachableSince.toISOString()}: nothing was changed`,
        {
          hint:
            `decryption goes on from the cached copy; bring '${server}' back, or promote another SSO server ` +
            `(ssomanage -updatedb naming it, then ssoconfig -restoreSecret there)`,
          action,
        },
      );
    }
    return held;
  }
}
