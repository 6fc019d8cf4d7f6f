/**
 * One call over the node channel: an envelope sealed to the server's recorded key, POSTed
 * to its service address, and the answer opened with that same key — so an impostor at the
 * address, a tampered answer or an answer to another request is refused, not believed.
 */

import { request as httpRequest } from 'node:http';
import {
  ChannelError,
  MAX_ENVELOPE_BYTES,
  type NodeBoxKeys,
  openResponse,
  sealRequest,
} from '../crypto/node-channel.js';

export interface ChannelTarget {
  name: string;
  address: string;
  publicKey: Uint8Array;
}

export interface ChannelCall {
  keys: NodeBoxKeys;
  fromName: string;
  target: ChannelTarget;
  operation: string;
  body: Uint8Array;
  timeoutMs: number;
  now: number;
}

/** Why a call got no usable answer: no answer, an answer refusing us, or an answer not to be believed. */
export class ChannelCallError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused' | 'untrusted',
    message: string,
  ) {
    super(message);
    this.name = 'ChannelCallError';
  }
}

export interface ChannelAnswer {
  status: string;
  body: Uint8Array;
}

export async function channelCall(call: ChannelCall): Promise<ChannelAnswer> {
  const sealed = sealRequest({
    from: call.keys,
    fromName: call.fromName,
    toPublicKey: call.target.publicKey,
    toName: call.target.name,
    operation: call.operation,
    body: call.body,
    now: call.now,
  });
  const { status, body } = await post(call.target.address, `/v1/${call.operation}`, sealed.envelope, call.timeoutMs);
  if (status === 403)
    throw new ChannelCallError(
      'refused',
      `${call.target.name} refused this node: ${body.toString('utf8').slice(0, 200)}`,
    );
  if (status !== 200) throw new ChannelCallError('unreachable', `${call.target.name} answered HTTP ${status}`);
  try {
    return openResponse({ request: sealed, serverPublicKey: call.target.publicKey, envelope: body });
  } catch (error) {
    if (error instanceof ChannelError) {
      throw new ChannelCallError(
        'untrusted',
        `the answer from ${call.target.address} is not ${call.target.name}'s: ${error.message}`,
      );
    }
    throw error;
  }
}

function post(
  address: string,
  path: string,
  envelope: Uint8Array,
  timeoutMs: number,
): Promise<{ status: number; body: Buffer }> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host,
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': envelope.length },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ENVELOPE_BYTES) {
            req.destroy();
            reject(new ChannelCallError('untrusted', `the answer from ${address} is larger than an envelope can be`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(new ChannelCallError('unreachable', `${address}: ${error.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new ChannelCallError('unreachable', `${address}: ${error.message}`)));
    req.end(envelope);
  });
}

/** `host:port`, `[v6]:port`. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port < 0 || port > 65535) throw new Error(`${address} is not host:port`);
  return { host: match[1] ?? match[2]!, port };
}
