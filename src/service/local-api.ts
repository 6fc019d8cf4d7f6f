/**
 * The SSO service's local API: a Unix domain socket in the node's home, open to every local
 * user, carrying one JSON object a line each way. Who is asking is what the kernel says of
 * the connection (SO_PEERCRED, SO_PEERGROUPS), never what the request says.
 *
 * Manners, in the spirit of a careful local secrets API: a request line is at most 1 MiB;
 * a request must be complete within REQUEST_DEADLINE_MS of its first byte, and a connection
 * with nothing to do is closed after IDLE_MS; a malformed request is answered with an error
 * and the connection goes on; requests on one connection may overlap, and every answer
 * carries the id of its request (a number or a short string). An oversized or slow request
 * is answered with an error and ends its connection: nothing after it on that connection is
 * read.
 */

import { promises as fs } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { SsoError } from '../errors.js';
import { type Caller, callerFromIds } from '../node/os-identity.js';
import { peerCredentialsOf } from '../node/peer-credentials.js';
import { EVENTS, type ServiceLog } from './log.js';
import { type ErrorBody, errorBody } from './wire.js';

export const MAX_REQUEST_BYTES = 1024 * 1024;
export const REQUEST_DEADLINE_MS = 10_000;
export const IDLE_MS = 120_000;
/** An id longer than this is refused: an answer repeats it. */
export const MAX_ID_LENGTH = 256;
/** Connections waiting to be accepted: a burst of clients must not meet EAGAIN (the kernel caps it at somaxconn). */
export const LISTEN_BACKLOG = 4096;
/** How long a refused connection may take to read its answer and go before it is destroyed. */
const REFUSED_GRACE_MS = 2000;

/**
 * The request deadline: REQUEST_DEADLINE_MS, or less for tests. SSOKIT_SERVICE_REQUEST_DEADLINE_MS
 * is for tests only (they would wait 10 s for a slow client otherwise); it may shorten the
 * deadline, never lengthen it.
 */
export function requestDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SSOKIT_SERVICE_REQUEST_DEADLINE_MS;
  if (text === undefined || text === '') return REQUEST_DEADLINE_MS;
  const ms = Number(text);
  if (!/^[0-9]+$/.test(text) || ms < 1 || ms > REQUEST_DEADLINE_MS) {
    throw new SsoError(
      'USAGE',
      `SSOKIT_SERVICE_REQUEST_DEADLINE_MS takes a whole number of milliseconds from 1 to ${REQUEST_DEADLINE_MS}`,
      { hint: 'it is for tests; unset it to keep the 10 s deadline' },
    );
  }
  return ms;
}

export interface Peer {
  caller: Caller;
  uid: number;
  pid: number;
}

export type Request = Record<string, unknown> & { op: string };

/** Answers one request for `peer`; a thrown SsoError becomes the error answer. */
export type RequestHandler = (peer: Peer, request: Request) => Promise<unknown>;

export interface LocalApi {
  readonly socketPath: string;
  connections(): number;
  /** Stops accepting, lets the requests in flight finish, closes every connection, removes the socket. */
  close(): Promise<void>;
}

export interface LocalApiOptions {
  socketPath: string;
  handle: RequestHandler;
  log: ServiceLog;
  onRefused?: (reason: string) => void;
}

/** Starts listening; a socket left by a killed service is removed, a live one is refused. */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const { socketPath, log } = options;
  const deadlineMs = requestDeadlineMs();
  await clearStaleSocket(socketPath, log);
  const sockets = new Set<Socket>();
  const inFlight = new Set<Promise<void>>();
  let closing = false;
  const server: Server = createServer((socket) => {
    if (closing) return socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, options, deadlineMs, inFlight, () => closing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SsoError('IO_ERROR', `the service cannot listen on ${socketPath}: ${error.message}`, {
          hint: "check that the home is this service account's and that no other service uses it",
        }),
      ),
    );
    server.listen({ path: socketPath, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  // Open to every local user, as Enterprise SSO's interface is: the roles decide, per request.
  await fs.chmod(socketPath, 0o666);
  return {
    socketPath,
    connections: () => sockets.size,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      for (const socket of sockets) socket.end();
      const forced = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 2000);
      await stopped;
      clearTimeout(forced);
      await fs.rm(socketPath, { force: true });
    },
  };
}

/** Whether a service answers on the socket (a socket left by a killed one refuses). */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export function serviceAlreadyRunning(socketPath: string): SsoError {
  return new SsoError('CONFLICT', `an SSO service is already running on ${socketPath}`, {
    hint: 'stop it first (systemctl stop ssokit, or SIGTERM), or give this one another home',
  });
}

/**
 * Refuses (CONFLICT) when a live service answers on `socketPath`, removes a socket a killed
 * one left, and refuses a file that is not a socket. startLocalApi calls it; a service may
 * call it first too, before it changes anything a second instance must not change.
 */
export async function clearStaleSocket(socketPath: string, log: ServiceLog): Promise<void> {
  const found = await fs.lstat(socketPath).catch(() => null);
  if (!found) return;
  if (!found.isSocket()) {
    throw new SsoError('FILE_EXISTS', `${socketPath} exists and is not the service's socket`, {
      hint: 'move it away; the service makes its socket there',
    });
  }
  if (await socketAnswers(socketPath)) throw serviceAlreadyRunning(socketPath);
  await fs.rm(socketPath, { force: true });
  log.info({ event: EVENTS.staleSocketRemoved, socket: socketPath }, EVENTS.staleSocketRemoved);
}

function serveConnection(
  socket: Socket,
  options: LocalApiOptions,
  deadlineMs: number,
  inFlight: Set<Promise<void>>,
  closing: () => boolean,
): void {
  const { log } = options;
  let peer: Peer;
  try {
    const creds = peerCredentialsOf(socket);
    peer = { caller: callerFromIds(creds.uid, [creds.gid, ...creds.groups]), uid: creds.uid, pid: creds.pid };
  } catch (error) {
    log.warn({ event: EVENTS.requestRefused, reason: (error as Error).message }, 'peer credentials unavailable');
    socket.destroy();
    return;
  }
  let pending = '';
  /** Runs from the first byte of an incomplete request until it is complete: never restarted by more bytes. */
  let deadline: NodeJS.Timeout | undefined;
  let refused = false;
  let grace: NodeJS.Timeout | undefined;
  socket.setEncoding('utf8');
  socket.setTimeout(IDLE_MS, () => socket.end());
  /** The last answer on this connection: nothing it sends after is read, and it is closed. */
  const refuse = (reason: string, error: ErrorBody) => {
    if (refused) return;
    refused = true;
    pending = '';
    clearTimeout(deadline);
    options.onRefused?.(reason);
    log.warn({ event: EVENTS.requestRefused, uid: peer.uid, pid: peer.pid, reason }, EVENTS.requestRefused);
    if (!socket.destroyed && socket.writable) socket.end(`${JSON.stringify({ id: null, ok: false, error })}\n`);
    // A client that goes on writing instead of closing is cut off.
    if (!socket.destroyed) grace = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
  };
  const oversized = () =>
    refuse(
      'oversized',
      errorBody(new SsoError('INVALID_INPUT', `a request is larger than ${MAX_REQUEST_BYTES} bytes`)),
    );
  socket.on('data', (chunk: string) => {
    if (refused) return;
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      clearTimeout(deadline);
      deadline = undefined;
      if (line.trim() !== '') dispatch(line);
      if (refused) return;
      newline = pending.indexOf('\n');
    }
    if (Buffer.byteLength(pending) > MAX_REQUEST_BYTES) return oversized();
    if (pending === '') {
      clearTimeout(deadline);
      deadline = undefined;
    } else {
      deadline ??= setTimeout(
        () => refuse('slow', errorBody(new SsoError('INVALID_INPUT', 'the request was not completed in time'))),
        deadlineMs,
      );
    }
  });
  socket.on('close', () => {
    clearTimeout(deadline);
    clearTimeout(grace);
  });
  socket.on('error', () => undefined); // a client gone mid-answer: nothing to tell it

  const dispatch = (line: string) => {
    if (Buffer.byteLength(line) > MAX_REQUEST_BYTES) return oversized();
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      return answer(null, {
        ok: false,
        error: errorBody(new SsoError('INVALID_INPUT', 'a request is not valid JSON')),
      });
    }
    if (
      typeof request !== 'object' ||
      request === null ||
      Array.isArray(request) ||
      typeof (request as Request).op !== 'string'
    ) {
      return answer(null, {
        ok: false,
        error: errorBody(new SsoError('INVALID_INPUT', 'a request is a JSON object with an "op"')),
      });
    }
    const id = (request as { id?: unknown }).id ?? null;
    if (
      !(
        id === null ||
        (typeof id === 'number' && Number.isFinite(id)) ||
        (typeof id === 'string' && id.length <= MAX_ID_LENGTH)
      )
    ) {
      // An answer repeats its id: one of any size or depth would be the answer's problem.
      return answer(null, {
        ok: false,
        error: errorBody(
          new SsoError(
            'INVALID_INPUT',
            `a request's "id" is a number or a string of at most ${MAX_ID_LENGTH} characters`,
          ),
        ),
      });
    }
    if (closing()) {
      return answer(id, { ok: false, error: errorBody(new SsoError('STORE_BUSY', 'the service is stopping')) });
    }
    const work: Promise<void> = options
      .handle(peer, request as Request)
      .then(
        (result) => answer(id, { ok: true, result }),
        (error: unknown) => answer(id, { ok: false, error: errorBody(error) }),
      )
      .catch((error: unknown) => log.error({ err: error }, 'request answer failed'))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };

  const answer = (id: unknown, body: { ok: true; result: unknown } | { ok: false; error: ErrorBody }) => {
    if (socket.destroyed || !socket.writable) return;
    let text: string;
    try {
      text = JSON.stringify({ id, ...body });
    } catch (error) {
      // A result that does not serialise is the service's fault: the client still gets an answer.
      log.error({ err: error }, 'an answer could not be serialised');
      text = JSON.stringify({ id, ok: false, error: errorBody(error) });
    }
    socket.write(`${text}\n`);
  };
}
