/**
 * `ssokit service run`: the SSO service of one node. It alone opens the store and the
 * secret files; every local user asks it through its socket (local-api.ts), and it applies
 * the role rules to the caller the kernel names. On the master secret server it serves the
 * secret to approved nodes (secret-serving.ts); on every other node it keeps a copy in
 * memory, refreshed every refresh interval (refresher.ts, secret-cache.ts).
 */

import { promises as fs } from 'node:fs';
import { lookupEach } from '../core/manage/index.js';
import { listNodeRecords, registerNode } from '../core/nodes/index.js';
import {
  type HomeContext,
  loadNode,
  type NodeContext,
  readGlobalInfo,
  type StoreContext,
} from '../core/shared/index.js';
import { nodeBoxKeysFromSecretKey } from '../crypto/node-channel.js';
import { SsoError } from '../errors.js';
import { answersTo, readNodeConfig } from '../node/node-config.js';
import { ensureNodeKeys } from '../node/node-keys.js';
import { whyNoPeerCredentials } from '../node/peer-credentials.js';
import type { Store } from '../store/store.js';
import { type ChannelServer, startChannelServer } from './channel-server.js';
import { LeaseKeeper } from './lease-keeper.js';
import { type LocalApi, serviceAlreadyRunning, socketAnswers, startLocalApi } from './local-api.js';
import { EVENTS, type ServiceLog, serviceLog } from './log.js';
import { LookupAudit } from './lookup-audit.js';
import { LookupBatcher } from './lookup-batcher.js';
import { serviceMetrics } from './metrics.js';
import { handleLocalRequest, type ServiceState } from './operations.js';
import { SecretRefresher } from './refresher.js';
import { answerRemoteLookup } from './remote-lookup.js';
import { SecretCache } from './secret-cache.js';
import { SecretServing } from './secret-serving.js';
import { openServiceStore } from './service-store.js';
import { ServiceSso } from './sso-sessions.js';

export const DEFAULT_REFRESH_SECONDS = 60;
export const DEFAULT_LISTEN = '127.0.0.1:7461';
export const DEFAULT_LEASE_SECONDS = 10;
const APPROVED_KEYS_MS = 1000;

export interface ServiceOptions {
  home: HomeContext;
  /** host:port of the node channel, health and metrics. */
  listen: string;
  refreshSeconds: number;
  /** How long the master secret server lease lasts without a renewal (default 10 s). */
  leaseSeconds?: number | undefined;
  storeOverride?: string | undefined;
  log?: ServiceLog;
}

export interface RunningService {
  readonly state: ServiceState;
  /** SIGTERM: finish what is in flight, remove the socket, close the store. */
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const why = whyNoPeerCredentials();
  if (why) throw new SsoError('NOT_CONFIGURED', `the SSO service cannot learn who is calling: ${why}`);
  const log = options.log ?? serviceLog();
  const node: NodeContext = await loadNode(options.home);
  const { paths, deps } = node;
  refuseOtherAccount(node);
  // Before anything is recorded: a second service on a running one's home changes nothing.
  await refuseLiveSocket(paths.serviceSocket);
  const fileKeys = await ensureNodeKeys(paths);
  const keys = nodeBoxKeysFromSecretKey(fileKeys.secretKey);
  const store: Store = await openServiceStore(options.storeOverride ?? node.node.store, {
    busyTimeoutMs: deps.busyTimeoutMs,
    password: deps.storePassword,
  });
  const opened: (() => Promise<void>)[] = [() => store.close()];
  const undo = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    const info = await readGlobalInfo(store);
    let secretServer = info.secretServer;
    const isSecretServer = () => answersTo(node.node, secretServer);
    const cache = new SecretCache(
      () => secretServer,
      () => void refresher.refresh().catch(() => undefined),
    );
    const state: ServiceState = {
      node,
      store,
      cache,
      startedAt: deps.now(),
      refreshSeconds: options.refreshSeconds,
      listen: '',
      socket: paths.serviceSocket,
      secretServer: () => secretServer,
      isSecretServer,
      contextFor: (caller) =>
        ({
          ...node,
          caller,
          store,
          deps: isSecretServer() ? deps : { ...deps, masterSecrets: cache },
        }) satisfies StoreContext,
      log,
      metrics: undefined as never,
      refresher: undefined as never,
      batcher: undefined as never,
      lease: undefined as never,
      sso: undefined as never,
      connections: () => localApi?.connections() ?? 0,
      keys,
      storeOverride: options.storeOverride,
    };
    let localApi: LocalApi | undefined;
    state.metrics = serviceMetrics(
      () => cache.ageSeconds(deps.now()),
      () => state.connections(),
    );
    const refresher = new SecretRefresher({
      store,
      cache,
      keys,
      nodeName: node.node.nodeName,
      now: deps.now,
      log,
      metrics: state.metrics,
      timeoutMs: Math.min(5000, Math.max(500, options.refreshSeconds * 500)),
    });
    state.refresher = refresher;
    const lookupAudit = new LookupAudit(store, log);
    state.batcher = new LookupBatcher((items) =>
      lookupEach(state.contextFor(items[0]!.caller), items, (rows, ringSize) => lookupAudit.add(rows, ringSize)),
    );
    // Closed just before the store: the lookups' audit rows are written first.
    opened.push(async () => {
      await lookupAudit.flush();
    });

    const keeper = new LeaseKeeper(
      store,
      () => secretServer,
      node.node.nodeName,
      (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000,
      log,
      { deps, caller: node.caller, node: node.node },
    );
    state.lease = keeper;
    const sso = new ServiceSso(node, store, log);
    await sso.reload();
    state.sso = sso.runtime;
    opened.push(() => sso.stop());
    const serving = new SecretServing(node, store);
    // Read from the store at most every APPROVED_KEYS_MS, by one read at a time, whatever
    // the number of fetches waiting: a revocation counts here within that.
    let approved: { at: number; keys: Map<string, Uint8Array> } | null = null;
    let reading: Promise<Map<string, Uint8Array>> | null = null;
    const readApproved = () => {
      reading ??= listNodeRecords(store)
        .then((records) => {
          const keys = new Map(
            records.filter((n) => n.state === 'approved').map((n) => [n.name.toLowerCase(), n.publicKey]),
          );
          approved = { at: Date.now(), keys };
          return keys;
        })
        .finally(() => {
          reading = null;
        });
      return reading;
    };
    const channel: ChannelServer = await startChannelServer({
      listen: options.listen,
      keys,
      names: () => [node.node.nodeName, ...node.node.clusterNames],
      approvedKeys: async (fresh) => {
        if (!approved || (fresh && Date.now() - approved.at > 250)) return readApproved();
        if (Date.now() - approved.at >= APPROVED_KEYS_MS) void readApproved().catch(() => undefined);
        return approved.keys;
      },
      handle: async (request) => {
        if (request.operation === 'secret') {
          if (!isSecretServer()) return { status: 'NOT_SECRET_SERVER', body: new Uint8Array(0) };
          // A standby holds the secret too, and gives it to no one.
          if (!keeper.serving()) return { status: 'NOT_ACTIVE', body: new Uint8Array(0) };
          const answer = await serving.answer(deps.now().getTime());
          state.metrics.secretFetchesServed.inc({ result: answer.status });
          log.info(
            { event: 'master secret served', to: request.fromName, status: answer.status },
            'master secret served',
          );
          return answer;
        }
        if (request.operation === 'lookup') {
          return answerRemoteLookup(request, store, node.node.nodeName, state.batcher);
        }
        return { status: 'UNKNOWN_OPERATION', body: new Uint8Array(0) };
      },
      health: () => healthOf(state),
      metrics: async () => ({
        contentType: state.metrics.registry.contentType,
        body: await state.metrics.registry.metrics(),
      }),
      now: () => deps.now().getTime(),
      log,
      onRefused: (reason) => state.metrics.refusals.inc({ reason: `channel-${reason}` }),
    });
    opened.push(() => channel.close());
    state.listen = channel.address;

    await store.transaction((tx) =>
      registerNode(
        tx,
        { deps, caller: node.caller, node: node.node },
        {
          name: node.node.nodeName,
          publicKey: keys.publicKey,
          serviceAddress: channel.address,
          approved: false,
        },
      ),
    );
    if (isSecretServer()) await keeper.tick();
    else await refresher.refresh().catch((error: unknown) => log.error({ err: error }, 'refresh failed'));
    const leaseTimer = setInterval(() => {
      void (async () => {
        // secretServer and this node's names, fresh: a rename (-updatedb, a cluster name set)
        // is followed within a renewal, not a refresh.
        const fresh = await readGlobalInfo(store).catch(() => null);
        if (fresh) secretServer = fresh.secretServer;
        const config = await readNodeConfig(paths).catch(() => null);
        if (config) node.node = config;
        await sso.reload();
        if (isSecretServer()) await keeper.tick();
      })();
    }, keeper.renewMs);
    opened.push(async () => {
      clearInterval(leaseTimer);
      await keeper.release();
    });

    // Every local user reaches the socket; nothing else in the home is theirs to list or open.
    await fs.chmod(paths.root, 0o711);
    localApi = await startLocalApi({
      socketPath: paths.serviceSocket,
      handle: (peer, request) => handleLocalRequest(state, peer, request),
      log,
      onRefused: (reason) => state.metrics.refusals.inc({ reason }),
    });
    const api = localApi;
    opened.push(() => api.close());

    const timer = setInterval(() => {
      void (async () => {
        // Promoted to master secret server: it reads its own files, and the cache has no outage to report.
        if (isSecretServer() && cache.markReachable()) cache.release('this node is the master secret server now');
        if (!isSecretServer()) await refresher.refresh();
      })().catch((error: unknown) => log.error({ err: error }, 'refresh failed'));
    }, options.refreshSeconds * 1000);
    opened.push(async () => clearInterval(timer));

    log.info(
      {
        event: EVENTS.started,
        node: node.node.nodeName,
        socket: paths.serviceSocket,
        listen: channel.address,
        secretServer,
        role: isSecretServer() ? 'master secret server' : 'SSO server',
      },
      EVENTS.started,
    );
    return {
      state,
      async stop() {
        log.info({ event: EVENTS.stopping }, EVENTS.stopping);
        // The socket first (requests in flight finish), then the channel and the store.
        await undo();
        cache.release('the service stopped');
        log.info({ event: EVENTS.stopped }, EVENTS.stopped);
        log.flush();
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

async function refuseLiveSocket(socketPath: string): Promise<void> {
  if (await socketAnswers(socketPath)) throw serviceAlreadyRunning(socketPath);
}

/** The service runs as the node's service account, which alone owns the home, when node.json names one. */
function refuseOtherAccount(node: NodeContext): void {
  const account = node.node.serviceAccount;
  if (!account) return;
  const user = account.includes('\\') ? account.slice(account.lastIndexOf('\\') + 1) : account;
  if (user.toLowerCase() === node.caller.user.toLowerCase()) return;
  throw new SsoError(
    'ACCESS_DENIED',
    `the SSO service of ${node.node.nodeName} runs as its service account '${account}', not as '${node.caller.user}'`,
    { hint: 'start it as that user (User= in its systemd unit), or change node.service-account' },
  );
}

function healthOf(state: ServiceState): { status: number; body: unknown } {
  const cache = state.cache.status();
  const servesDecrypt = state.isSecretServer() || cache.holds;
  return {
    status: servesDecrypt ? 200 : 503,
    body: {
      status: servesDecrypt ? (cache.unreachableSince ? 'degraded' : 'ok') : 'no-secret',
      node: state.node.node.nodeName,
      secretServer: state.secretServer(),
      isSecretServer: state.isSecretServer(),
      unreachableSince: cache.unreachableSince?.toISOString() ?? null,
    },
  };
}
