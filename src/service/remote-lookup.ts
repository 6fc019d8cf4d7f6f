/**
 * ssoconfig -remoteLookup: an SSO server whose setting is on answers credential lookups
 * that approved nodes send over the node channel. The sending service vouches for its
 * caller — the user and groups its kernel named — as Enterprise SSO trusts the Windows
 * identity another SSO server passes on; the node channel proves which approved node sent
 * it. Off by default: a node answers only its own local callers.
 */

import type { LookupResult } from '../core/manage/index.js';
import { readNodeRecord } from '../core/nodes/index.js';
import type { NodeBoxKeys, OpenedRequest } from '../crypto/node-channel.js';
import { SsoError } from '../errors.js';
import type { Caller } from '../node/os-identity.js';
import type { Store } from '../store/store.js';
import { ChannelCallError, channelCall } from './channel-client.js';
import type { LookupBatcher } from './lookup-batcher.js';
import { type ErrorBody, errorBody, errorFromBody } from './wire.js';

interface RemoteLookupBody {
  app: string;
  user: string;
  reveal: boolean;
  caller: { user: string; groups: string[] };
}

/** The answering side: refused unless this node allows remote lookups. */
export async function answerRemoteLookup(
  request: OpenedRequest,
  store: Store,
  nodeName: string,
  batcher: LookupBatcher,
): Promise<{ status: string; body: Uint8Array }> {
  const self = await readNodeRecord(store, nodeName);
  if (!self?.remoteLookup) {
    return reply('REMOTE_LOOKUP_OFF', errorBody(remoteLookupOff(nodeName)));
  }
  let body: RemoteLookupBody;
  try {
    body = JSON.parse(Buffer.from(request.body).toString('utf8')) as RemoteLookupBody;
    if (typeof body.app !== 'string' || typeof body.user !== 'string' || typeof body.caller?.user !== 'string') {
      throw new Error('shape');
    }
  } catch {
    return reply('INVALID_INPUT', errorBody(new SsoError('INVALID_INPUT', 'a remote lookup is not well formed')));
  }
  const groups = Array.isArray(body.caller.groups) ? body.caller.groups.map(String).slice(0, 1024) : [];
  const caller: Caller = { user: body.caller.user, uid: -1, groups: () => groups };
  const outcome = await batcher.lookup({
    caller,
    request: { app: body.app, user: body.user },
    reveal: body.reveal === true,
  });
  if (!outcome.ok) return reply(outcome.error.code, errorBody(outcome.error));
  return { status: 'ok', body: Buffer.from(JSON.stringify(outcome.result)) };
}

function reply(status: string, error: ErrorBody): { status: string; body: Uint8Array } {
  return { status, body: Buffer.from(JSON.stringify(error)) };
}

function remoteLookupOff(nodeName: string): SsoError {
  return new SsoError('ACCESS_DENIED', `the SSO server '${nodeName}' does not take remote lookups`, {
    hint: `an SSO administrator allows them there with ssoconfig -remoteLookup yes (ssokit node remote-lookup yes)`,
  });
}

/** The asking side: this node's caller's lookup, sent to `server`'s service. */
export async function sendRemoteLookup(options: {
  store: Store;
  keys: NodeBoxKeys;
  nodeName: string;
  server: string;
  caller: Caller;
  app: string;
  user: string;
  reveal: boolean;
  now: number;
}): Promise<LookupResult> {
  const target = await readNodeRecord(options.store, options.server);
  if (!target?.serviceAddress || target.state !== 'approved') {
    throw new SsoError(
      'NO_SSO_SERVICE',
      `no approved SSO server '${options.server}' with a running service is recorded in the store`,
      {
        hint: 'see ssokit node list',
      },
    );
  }
  const body: RemoteLookupBody = {
    app: options.app,
    user: options.user,
    reveal: options.reveal,
    caller: { user: options.caller.user, groups: options.caller.groups() },
  };
  let answer: { status: string; body: Uint8Array };
  try {
    answer = await channelCall({
      keys: options.keys,
      fromName: options.nodeName,
      target: { name: target.name, address: target.serviceAddress, publicKey: target.publicKey },
      operation: 'lookup',
      body: Buffer.from(JSON.stringify(body)),
      timeoutMs: 5000,
      now: options.now,
    });
  } catch (error) {
    if (error instanceof ChannelCallError) {
      throw new SsoError('NO_SSO_SERVICE', `could not contact the SSO server '${target.name}': ${error.message}`, {
        hint: `check that the SSO service runs on '${target.name}' and that it approved this node`,
      });
    }
    throw error;
  }
  const parsed = JSON.parse(Buffer.from(answer.body).toString('utf8')) as LookupResult | ErrorBody;
  if (answer.status !== 'ok') throw errorFromBody(parsed as ErrorBody);
  return parsed as LookupResult;
}
