/**
 * The master secret server's side of the node channel: an approved node asks for the
 * current and previous master secrets and gets them, boxed to that request. The secrets
 * are read from this node's secret files and kept in memory for a second at most, so a
 * thousand refreshes a second cost a thousand boxes, not a thousand file reads.
 */

import { loadMasterKeyring } from '../core/secret/index.js';
import type { NodeContext } from '../core/shared/index.js';
import { isSsoError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { HeldKeyring } from './secret-cache.js';

/** The answer's body: JSON, the secrets in base64. */
export function encodeSecretAnswer(keyring: HeldKeyring): Uint8Array {
  const side = (s: HeldKeyring['current'] | null) =>
    s && { id: s.id, generation: s.generation, secret: Buffer.from(s.secret).toString('base64') };
  return Buffer.from(JSON.stringify({ current: side(keyring.current), previous: side(keyring.previous) }));
}

export function decodeSecretAnswer(body: Uint8Array): HeldKeyring {
  const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as {
    current: { id: string; generation: number; secret: string };
    previous: { id: string; generation: number; secret: string } | null;
  };
  const side = (s: { id: string; generation: number; secret: string }) => ({
    id: String(s.id),
    generation: Number(s.generation),
    secret: new Uint8Array(Buffer.from(String(s.secret), 'base64')),
  });
  return { current: side(parsed.current), previous: parsed.previous ? side(parsed.previous) : null };
}

const HOLD_MS = 1000;

export class SecretServing {
  #held: { at: number; body: Uint8Array } | null = null;

  constructor(
    private readonly ctx: NodeContext,
    private readonly store: Store,
  ) {}

  /** The status and body of an answer to a node's fetch. */
  async answer(now: number): Promise<{ status: string; body: Uint8Array }> {
    if (this.#held && now - this.#held.at < HOLD_MS) return { status: 'ok', body: this.#held.body };
    try {
      const keyring = await loadMasterKeyring({ ...this.ctx, store: this.store }, 'serving the master secret');
      const body = encodeSecretAnswer(keyring);
      this.#held = { at: now, body };
      return { status: 'ok', body };
    } catch (error) {
      this.#held = null;
      // NOT_SECRET_SERVER after an -updatedb moved the role, NO_SECRET before a restore.
      return { status: isSsoError(error) ? error.code : 'INTERNAL', body: new Uint8Array(0) };
    }
  }
}
