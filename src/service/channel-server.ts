/**
 * The service's TCP listener: the node channel (POST /v1/<operation>, NaCl-box envelopes
 * from approved nodes), the health endpoint (GET /health) and the Prometheus metrics
 * (GET /metrics). HTTP is only the transport: every channel answer is authenticated by the
 * envelope, never by the connection.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChannelError,
  MAX_ENVELOPE_BYTES,
  type NodeBoxKeys,
  type OpenedRequest,
  openRequest,
  ReplayGuard,
  sealResponse,
} from '../crypto/node-channel.js';
import { SsoError } from '../errors.js';
import { splitAddress } from './channel-client.js';
import { EVENTS, type ServiceLog } from './log.js';

/** Request ids the service remembers: see startChannelServer. */
export const SERVICE_REPLAY_CAPACITY = 400_000;

export interface ChannelServerOptions {
  listen: string;
  keys: NodeBoxKeys;
  /** The names this node answers to. */
  names: () => readonly string[];
  /** Approved nodes' keys, fresh enough to decide on (a revocation counts within a second). */
  /** `fresh`: read again now unless just read (a node approved a moment ago is not unknown). */
  approvedKeys: (fresh?: boolean) => Promise<ReadonlyMap<string, Uint8Array>>;
  handle: (request: OpenedRequest) => Promise<{ status: string; body: Uint8Array }>;
  health: () => { status: number; body: unknown };
  metrics: () => Promise<{ contentType: string; body: string }>;
  now: () => number;
  log: ServiceLog;
  onRefused?: (reason: string) => void;
}

export interface ChannelServer {
  /** host:port as bound (the port the system chose for :0). */
  readonly address: string;
  close(): Promise<void>;
}

export async function startChannelServer(options: ChannelServerOptions): Promise<ChannelServer> {
  const { host, port } = splitAddress(options.listen);
  // Ids are kept for twice the skew window (120 s): 400,000 of them allow 3,333 fetches a
  // second, room above 60,000 servers refreshing every 60 s (1,000/s), in some 40 MB.
  const replay = new ReplayGuard({ capacity: SERVICE_REPLAY_CAPACITY });
  const server: Server = createServer((req, res) => {
    route(req, res, options, replay).catch((error: unknown) => {
      options.log.error({ event: EVENTS.channelRefused, reason: (error as Error).message }, 'channel request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SsoError(
          error.code === 'EADDRINUSE' ? 'CONFLICT' : 'IO_ERROR',
          `the service cannot listen on ${options.listen}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`,
          { hint: 'choose another address with --listen HOST:PORT, or stop what uses the port' },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const address = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: ChannelServerOptions, replay: ReplayGuard) {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/health') {
    const { status, body } = options.health();
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    return;
  }
  if (req.method === 'GET' && path === '/metrics') {
    const { contentType, body } = await options.metrics();
    res.writeHead(200, { 'content-type': contentType }).end(body);
    return;
  }
  if (req.method !== 'POST' || !path?.startsWith('/v1/')) {
    res.writeHead(404).end();
    return;
  }
  const envelope = await readBody(req);
  if (!envelope) {
    refuse(req, res, options, 'malformed', 413, `the envelope is larger than ${MAX_ENVELOPE_BYTES} bytes`);
    return;
  }
  const open = (keys: ReadonlyMap<string, Uint8Array>) =>
    openRequest({
      server: options.keys,
      serverName: options.names(),
      envelope,
      publicKeyOf: (name) => keys.get(name.toLowerCase()),
      now: options.now(),
      replay,
    });
  let opened: OpenedRequest;
  try {
    try {
      opened = open(await options.approvedKeys());
    } catch (error) {
      // The sender is checked before the replay guard: a second try with a fresh read is safe.
      if (!(error instanceof ChannelError && error.reason === 'unknown-sender')) throw error;
      opened = open(await options.approvedKeys(true));
    }
  } catch (error) {
    if (!(error instanceof ChannelError)) throw error;
    refuse(req, res, options, error.reason, 403, error.message);
    return;
  }
  if (`/v1/${opened.operation}` !== path) {
    refuse(req, res, options, 'misaddressed', 403, `a request for ${opened.operation} sent to ${path.slice(0, 100)}`);
    return;
  }
  const answer = await options.handle(opened);
  const sealed = sealResponse({ server: options.keys, request: opened, status: answer.status, body: answer.body });
  res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(sealed);
}

/** The answer names the reason only; the log also has who asked from where (a ChannelError's message holds no key or body bytes). */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  options: ChannelServerOptions,
  reason: string,
  status: number,
  detail: string,
): void {
  options.onRefused?.(reason);
  const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
  options.log.warn({ event: EVENTS.channelRefused, reason, detail, remote }, EVENTS.channelRefused);
  res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ENVELOPE_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
