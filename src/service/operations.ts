/**
 * What the local API answers. Each operation runs as the caller the kernel named, through
 * the same core functions, role rules and audit the CLI uses, so a refusal through the
 * service is the refusal the CLI gives, and is audited the same way.
 */

import {
  applicationsForCaller,
  DEFAULT_IDENTIFIER,
  getConfig,
  type LookupResult,
  planSetCredentials,
  readBtdfSettings,
  setCredentials,
} from '../core/manage/index.js';
import {
  auditDenial,
  callerIdentity,
  type NodeContext,
  requireRole,
  roleCheck,
  type StoreContext,
} from '../core/shared/index.js';
import type { SsoRuntime } from '../core/sso/index.js';
import type { NodeBoxKeys } from '../crypto/node-channel.js';
import { isSsoError, SsoError } from '../errors.js';
import type { Caller } from '../node/os-identity.js';
import type { Store } from '../store/store.js';
import type { LeaseKeeper, LeaseStatus } from './lease-keeper.js';
import type { Peer, Request } from './local-api.js';
import { EVENTS, type ServiceLog } from './log.js';
import type { LookupBatcher } from './lookup-batcher.js';
import type { ServiceMetrics } from './metrics.js';
import type { SecretRefresher } from './refresher.js';
import { sendRemoteLookup } from './remote-lookup.js';
import { runForCaller } from './run-command.js';
import type { SecretCache } from './secret-cache.js';

export interface ServiceState {
  node: NodeContext;
  store: Store;
  cache: SecretCache;
  startedAt: Date;
  refreshSeconds: number;
  listen: string;
  socket: string;
  secretServer: () => string;
  isSecretServer: () => boolean;
  contextFor: (caller: Caller) => StoreContext;
  log: ServiceLog;
  metrics: ServiceMetrics;
  refresher: SecretRefresher;
  batcher: LookupBatcher;
  connections: () => number;
  keys: NodeBoxKeys;
  lease: LeaseKeeper;
  sso: SsoRuntime;
  /** service run --db: the store the commands run for callers use too. */
  storeOverride: string | undefined;
}

/** `ssokit service status --json` prints this, as the service reports it. */
export interface ServiceStatus {
  node: string;
  role: 'master secret server' | 'SSO server';
  secretServer: string;
  socket: string;
  listen: string;
  startedAt: string;
  refreshSeconds: number;
  connections: number;
  /** On a node that answers to secretServer: whether it is the active one; on an SSO server, null. */
  lease: LeaseStatus | null;
  secret: {
    holds: boolean;
    id: string | null;
    generation: number | null;
    confirmedAt: string | null;
    ageSeconds: number | null;
    unreachableSince: string | null;
    releasedBecause: string | null;
    lastRefresh: { at: string; result: string; problem: string | null } | null;
  };
}

export function serviceStatus(state: ServiceState): ServiceStatus {
  const now = state.node.deps.now();
  const cache = state.cache.status();
  const mss = state.isSecretServer();
  const age = state.cache.ageSeconds(now);
  const { refresher } = state;
  return {
    node: state.node.node.nodeName,
    role: mss ? 'master secret server' : 'SSO server',
    secretServer: state.secretServer(),
    socket: state.socket,
    listen: state.listen,
    startedAt: state.startedAt.toISOString(),
    refreshSeconds: state.refreshSeconds,
    connections: state.connections(),
    lease: mss ? state.lease.status() : null,
    secret: {
      holds: mss || cache.holds,
      id: cache.currentId,
      generation: cache.generation,
      confirmedAt: cache.confirmedAt?.toISOString() ?? null,
      ageSeconds: Number.isNaN(age) ? null : Math.round(age * 10) / 10,
      unreachableSince: cache.unreachableSince?.toISOString() ?? null,
      releasedBecause: mss ? null : cache.releasedBecause,
      lastRefresh:
        refresher.lastAttemptAt && refresher.lastResult
          ? { at: refresher.lastAttemptAt.toISOString(), result: refresher.lastResult, problem: refresher.lastProblem }
          : null,
    },
  };
}

/** How the audit names each operation: as the CLI command that does the same. */
const AUDIT_NAMES: Record<string, string> = {
  lookup: 'credentials-lookup',
  'config-get': 'config-store-get',
  'btdf-get': 'config-store-get',
  'list-apps': 'client-apps',
  'credentials-set': 'set-credentials',
};

export async function handleLocalRequest(state: ServiceState, peer: Peer, request: Request): Promise<unknown> {
  const { log, metrics } = state;
  const started = process.hrtime.bigint();
  let result = 'ok';
  try {
    return await answer(state, peer, request);
  } catch (error) {
    result = isSsoError(error) ? error.code : 'INTERNAL';
    if (isSsoError(error) && error.code === 'ACCESS_DENIED') {
      metrics.refusals.inc({ reason: 'access-denied' });
      await auditDenial(state.contextFor(peer.caller), error, AUDIT_NAMES[request.op] ?? request.op);
    }
    if (!isSsoError(error)) log.error({ err: error, op: request.op }, 'request failed');
    throw error;
  } finally {
    metrics.requests.inc({ op: Object.hasOwn(OPERATIONS, request.op) ? request.op : 'unknown', result });
    log.info(
      {
        event: EVENTS.request,
        op: String(request.op).slice(0, 40),
        uid: peer.uid,
        user: peer.caller.user,
        pid: peer.pid,
        result,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      },
      EVENTS.request,
    );
  }
}

type Operation = (state: ServiceState, peer: Peer, request: Request) => Promise<unknown>;

const OPERATIONS: Record<string, Operation> = {
  status: async (state) => serviceStatus(state),
  health: async (state) => ({ ok: true, node: state.node.node.nodeName }),
  /** GetCredentials: the caller's own mapping, or (as an application administrator) another's. */
  lookup: async (state, peer, request) => {
    const app = text(request, 'app');
    const ctx = state.contextFor(peer.caller);
    const user = optionalText(request, 'user') ?? callerIdentity(peer.caller, ctx.node).text;
    const server = optionalText(request, 'server');
    if (server && server.toLowerCase() !== ctx.node.nodeName.toLowerCase()) {
      // Sent to another SSO server that takes remote lookups (ssoconfig -remoteLookup).
      return sendRemoteLookup({
        store: state.store,
        keys: state.keys,
        nodeName: ctx.node.nodeName,
        server,
        caller: peer.caller,
        app,
        user,
        reveal: request.reveal === true,
        now: ctx.deps.now().getTime(),
      });
    }
    const outcome = await state.batcher.lookup({
      caller: peer.caller,
      request: { app, user },
      reveal: request.reveal === true,
    });
    state.metrics.lookups.inc({ result: outcome.ok ? 'ok' : outcome.error.code });
    if (!outcome.ok) throw outcome.error;
    return outcome.result satisfies LookupResult;
  },
  'config-get': async (state, peer, request) =>
    getConfig(
      state.contextFor(peer.caller),
      text(request, 'app'),
      optionalText(request, 'identifier') ?? DEFAULT_IDENTIFIER,
      {
        runtime: request.runtime === true,
      },
    ),
  'btdf-get': async (state, peer, request) =>
    readBtdfSettings(state.contextFor(peer.caller), text(request, 'app'), { runtime: request.runtime === true }),
  'list-apps': async (state, peer) => applicationsForCaller(state.contextFor(peer.caller)),
  /** Single sign-on for web applications (the package's middleware): sign a principal on. */
  'sso-signon': async (state, peer, request) => {
    await requireSsoCaller(state, peer);
    return state.sso.signOn(
      text(request, 'bizsys'),
      text(request, 'principal'),
      optionalText(request, 'authType') ?? 'FORM',
    );
  },
  /** The caller's single sign-on id at a business system: its session there, or not signed on. */
  'sso-resolve': async (state, peer, request) => {
    await requireSsoCaller(state, peer);
    return state.sso.resolve(text(request, 'token'), text(request, 'bizsys'));
  },
  /** A sign-out: every session of the group ends. */
  'sso-invalidate': async (state, peer, request) => {
    await requireSsoCaller(state, peer);
    return { invalidated: await state.sso.invalidate(text(request, 'token')) };
  },
  /** A CLI command, run for the caller (run-command.ts): the CLI's client mode. */
  run: (state, peer, request) => runForCaller(state, peer, request),
  /** ssomanage -setcredentials: encrypts, so refused while the master secret server is away. */
  'credentials-set': async (state, peer, request) => {
    const ctx = state.contextFor(peer.caller);
    const plan = await planSetCredentials(ctx, text(request, 'user'), text(request, 'app'));
    const values = request.values;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new SsoError('INVALID_INPUT', 'the request needs "values", an object of field label to value');
    }
    const externalUser = optionalText(request, 'externalUser');
    const { mapping, created } = await setCredentials(ctx, plan, {
      ...(externalUser ? { externalUser } : {}),
      values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])),
    });
    return { app: plan.app.name, user: mapping.localUser, externalUser: mapping.externalUser, created };
  },
};

async function answer(state: ServiceState, peer: Peer, request: Request): Promise<unknown> {
  const operation = Object.hasOwn(OPERATIONS, request.op) ? OPERATIONS[request.op] : undefined;
  if (!operation) {
    throw new SsoError('USAGE', `the SSO service has no operation "${String(request.op).slice(0, 40)}"`, {
      hint: `its operations are ${Object.keys(OPERATIONS).join(', ')}`,
    });
  }
  return operation(state, peer, request);
}

/**
 * Who may sign principals on and resolve their ids: the web applications, which run as the
 * service's own account or as an SSO administrator. Decided once a minute per connection.
 */
const ssoCallers = new WeakMap<Peer, number>();

async function requireSsoCaller(state: ServiceState, peer: Peer): Promise<void> {
  if (peer.uid === process.getuid?.()) return;
  const checked = ssoCallers.get(peer);
  if (checked !== undefined && Date.now() - checked < 60_000) return;
  requireRole(await roleCheck(state.contextFor(peer.caller)), 'sso-admin', 'single sign-on for web applications');
  ssoCallers.set(peer, Date.now());
}

function text(request: Request, name: string): string {
  const value = request[name];
  if (typeof value !== 'string' || value === '' || value.length > 1024) {
    throw new SsoError('INVALID_INPUT', `the request needs "${name}", a string of 1 to 1024 characters`);
  }
  return value;
}

function optionalText(request: Request, name: string): string | undefined {
  return request[name] === undefined ? undefined : text(request, name);
}
