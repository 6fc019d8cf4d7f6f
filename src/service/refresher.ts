/**
 * An SSO server's refresh of its cached master secret: at start and every refresh
 * interval, it asks the service of the node that answers to the store's `secretServer`
 * for the current and previous secrets, over the node channel, and keeps them in memory
 * (SecretCache). One log event per transition between reachable and unreachable.
 */

import { leaseIsLive, readLease, readNodeRecord } from '../core/nodes/index.js';
import { listMasterSecrets } from '../core/secret/secret-records.js';
import { readGlobalInfo } from '../core/shared/index.js';
import { MASTER_SECRET_BYTES, masterSecretId } from '../crypto/master-secret-id.js';
import type { NodeBoxKeys } from '../crypto/node-channel.js';
import type { Store } from '../store/store.js';
import { ChannelCallError, channelCall } from './channel-client.js';
import { EVENTS, type ServiceLog } from './log.js';
import type { ServiceMetrics } from './metrics.js';
import type { HeldKeyring, SecretCache } from './secret-cache.js';
import { decodeSecretAnswer } from './secret-serving.js';

export interface RefresherOptions {
  store: Store;
  cache: SecretCache;
  keys: NodeBoxKeys;
  nodeName: string;
  now: () => Date;
  log: ServiceLog;
  metrics: ServiceMetrics;
  /** How long one fetch may take before the server counts as unreachable. */
  timeoutMs: number;
}

export type RefreshResult = 'fetched' | 'unreachable' | 'refused' | 'untrusted' | 'not-current';

export class SecretRefresher {
  #running: Promise<RefreshResult> | null = null;
  lastResult: RefreshResult | null = null;
  lastAttemptAt: Date | null = null;
  lastProblem: string | null = null;

  constructor(private readonly options: RefresherOptions) {}

  /** One refresh; a refresh already under way is joined, not doubled. */
  refresh(): Promise<RefreshResult> {
    this.#running ??= this.#refresh().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #refresh(): Promise<RefreshResult> {
    const { store, cache, log, metrics } = this.options;
    const now = this.options.now();
    this.lastAttemptAt = now;
    const info = await readGlobalInfo(store);
    const current = (await listMasterSecrets(store)).find((r) => r.state === 'current');
    // The active one of the nodes that answer to the name holds its lease.
    const lease = await readLease(store, info.secretServer);
    const target = await readNodeRecord(store, leaseIsLive(lease) ? lease.holder : info.secretServer);
    let result: RefreshResult;
    let problem: string | null = null;
    try {
      if (target && target.state !== 'approved') {
        // A key the administrators have not approved (or revoked) is not one to take a secret from.
        throw new ChannelCallError(
          'untrusted',
          `the master secret server '${target.name}' is ${target.state} in the store`,
        );
      }
      if (!target?.serviceAddress) {
        throw new ChannelCallError(
          'unreachable',
          `the master secret server '${info.secretServer}' has ${target ? 'no service address' : 'no record'} in the store (its service has not started)`,
        );
      }
      const answer = await channelCall({
        keys: this.options.keys,
        fromName: this.options.nodeName,
        target: { name: info.secretServer, address: target.serviceAddress, publicKey: target.publicKey },
        operation: 'secret',
        body: new Uint8Array(0),
        timeoutMs: this.options.timeoutMs,
        now: now.getTime(),
      });
      // A server that cannot serve (NO_SECRET before a restore) is as good as unreachable: the copy stays.
      if (answer.status !== 'ok')
        throw new ChannelCallError('unreachable', `'${info.secretServer}' answered ${answer.status}`);
      const keyring = checkedKeyring(decodeSecretAnswer(answer.body));
      if (!current || keyring.current.id !== current.id) {
        // The server has not seen a rotation the store has (or the reverse): not a copy to hold.
        result = 'not-current';
        problem = `'${info.secretServer}' gave secret ${keyring.current.id}, and the store names ${current?.id ?? 'none'}`;
      } else {
        if (cache.heldCurrentId !== keyring.current.id) {
          log.info(
            {
              event: EVENTS.secretFetched,
              secretServer: target.name,
              id: keyring.current.id,
              generation: keyring.current.generation,
            },
            EVENTS.secretFetched,
          );
        }
        cache.hold(keyring, this.options.now());
        result = 'fetched';
      }
    } catch (error) {
      if (!(error instanceof ChannelCallError)) throw error;
      result = error.kind;
      problem = error.message;
    }
    metrics.refreshes.inc({ result });
    this.lastResult = result;
    this.lastProblem = problem;
    if (result === 'fetched') {
      if (cache.markReachable()) {
        log.info(
          { event: EVENTS.secretServerAvailable, secretServer: info.secretServer },
          EVENTS.secretServerAvailable,
        );
      }
      return result;
    }
    if (result === 'refused' && cache.release(`the master secret server refused this node: ${problem}`)) {
      // A revoked or unapproved node keeps nothing.
      log.warn({ event: EVENTS.secretReleased, reason: problem }, EVENTS.secretReleased);
    }
    if (current && cache.heldCurrentId && cache.heldCurrentId !== current.id) {
      cache.release(`the master secret changed to ${current.id}`);
      log.warn({ event: EVENTS.secretReleased, reason: 'the master secret changed' }, EVENTS.secretReleased);
    }
    if ((result === 'unreachable' || result === 'untrusted') && cache.markUnreachable(now)) {
      log.error(
        { event: EVENTS.secretServerUnavailable, secretServer: info.secretServer, reason: problem },
        EVENTS.secretServerUnavailable,
      );
    }
    return result;
  }
}

/** A keyring whose secrets are what their ids say. */
function checkedKeyring(keyring: HeldKeyring): HeldKeyring {
  for (const secret of [keyring.current, keyring.previous]) {
    if (!secret) continue;
    if (secret.secret.length !== MASTER_SECRET_BYTES || masterSecretId(secret.secret) !== secret.id) {
      throw new ChannelCallError('untrusted', `the secret named ${secret.id} does not match its id`);
    }
  }
  return keyring;
}
