/**
 * Node channel v1: the envelopes SSO services exchange over HTTP (docs/formats.md, "Node
 * channel, version 1"). Pure functions on bytes; no networking and no store.
 *
 * Every envelope is a tweetnacl `box` (X25519, XSalsa20-Poly1305) with a fresh random
 * nonce. A request is boxed from the client's node key to the server's node key; it
 * carries a one-time reply key pair's public half, and the server boxes its response from
 * its node key to that reply key. So both ends are authenticated by the node keys the
 * store records, a response opens only for the request it answers, and a node key that
 * leaks later does not open the responses recorded before (they were sealed to reply keys
 * that are gone). The plaintexts start with a label (a request never reads as a response)
 * and repeat the names and the request id, so a box cannot be re-addressed; a timestamp
 * window and a ReplayGuard refuse a request seen twice.
 *
 * The box is computed as `box.before` + `box.after` (what `box` does; `box.before` by
 * crypto/x25519.ts, with OpenSSL's X25519) so that a shared key
 * from a low-order public key — the same for every secret key, so anyone could compute it —
 * is refused, as libsodium's crypto_box refuses it; tweetnacl alone does not.
 */

import { constantTimeEqual } from './hmac.js';
import { LABELS } from './labels.js';
import { nacl } from './nacl.js';
import { type Rng, systemRng } from './random.js';
import { boxBefore } from './x25519.js';

export const NODE_KEY_BYTES = 32;
export const REQUEST_ID_BYTES = 16;
export const NONCE_BYTES = 24;
export const MAX_ENVELOPE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SKEW_MS = 60_000;
export const DEFAULT_REPLAY_CAPACITY = 100_000;
/** The status of a response that did what was asked; any other status is an error code. */
export const STATUS_OK = 'ok';

const MAGIC = Uint8Array.of(0x73, 0x6b, 0x6e, 0x63); // "sknc"
const VERSION = 1;
const KIND_REQUEST = 1;
const KIND_RESPONSE = 2;
const HEAD_BYTES = MAGIC.length + 2;
const BOX_OVERHEAD = nacl.box.overheadLength;
const REQUEST_LABEL = Buffer.from(LABELS.nodeRequest, 'latin1');
const RESPONSE_LABEL = Buffer.from(LABELS.nodeResponse, 'latin1');
/** label, timestamp, request id, reply key, three length-prefixed fields of ≥ 1 byte. */
const MIN_REQUEST_PLAINTEXT = REQUEST_LABEL.length + 8 + REQUEST_ID_BYTES + NODE_KEY_BYTES + 3 * 2;
/** label, request id, a length-prefixed status of ≥ 1 byte. */
const MIN_RESPONSE_PLAINTEXT = RESPONSE_LABEL.length + REQUEST_ID_BYTES + 2;

/** Host names, as node-config's validateNodeName takes them: ASCII, so one byte a character. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
/** Operations and statuses. */
const TOKEN_PATTERN = /^[A-Za-z0-9._-]{1,255}$/;

/** What every low-order public key shares with every secret key (X25519 output all zero). */
const LOW_ORDER_SHARED_KEY = nacl.box.before(new Uint8Array(NODE_KEY_BYTES), new Uint8Array(NODE_KEY_BYTES));

export type ChannelErrorReason =
  | 'malformed'
  | 'unsupported-version'
  | 'unknown-sender'
  | 'bad-box'
  | 'misaddressed'
  | 'stale'
  | 'replayed'
  | 'busy';

/** The only error the channel's functions throw. Messages never contain key or body bytes. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly reason: ChannelErrorReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}

/** A node's box key pair (X25519); the store records the public half. */
export interface NodeBoxKeys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function newNodeBoxKeys(rng: Rng = systemRng): NodeBoxKeys {
  return nodeBoxKeysFromSecretKey(rng(NODE_KEY_BYTES));
}

/** Any 32 bytes are an X25519 secret key (the scalar is clamped when used). */
export function nodeBoxKeysFromSecretKey(secretKey: Uint8Array): NodeBoxKeys {
  checkKey(secretKey, 'secret key');
  const pair = nacl.box.keyPair.fromSecretKey(secretKey);
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

// ---- replay guard -------------------------------------------------------------------------

export interface ReplayGuardOptions {
  /** A request timestamped further than this from the server's clock, either way, is stale. */
  maxSkewMs?: number;
  /** The most request ids remembered at once. */
  capacity?: number;
}

/**
 * Remembers the request ids a server has accepted, each until its timestamp plus twice the
 * skew window (a replay after that is stale anyway, even on a clock stepped back by up to
 * one window). Memory is bounded: when `capacity` ids are remembered, expired ones are
 * forgotten first; when none has expired, the request is refused as 'busy' rather than an
 * unexpired id forgotten — forgetting one would let its request be replayed. Only requests
 * whose box opened reach the guard, so only approved nodes can fill it. In memory only: a
 * restarted server does not remember what it accepted before (docs/formats.md says why that
 * is harmless for reads).
 */
export class ReplayGuard {
  readonly maxSkewMs: number;
  readonly capacity: number;
  /** Request id (hex) → the time after which it is forgotten; insertion order ≈ time order. */
  readonly #seen = new Map<string, number>();
  /** At most the earliest forget-after time remembered: no id expires before it, so no sweep is worth it. */
  #nextExpiry = Number.POSITIVE_INFINITY;

  constructor(options: ReplayGuardOptions = {}) {
    const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    const capacity = options.capacity ?? DEFAULT_REPLAY_CAPACITY;
    if (!Number.isSafeInteger(maxSkewMs) || maxSkewMs < 0) throw new RangeError('maxSkewMs: a whole number ≥ 0');
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity: a whole number ≥ 1');
    this.maxSkewMs = maxSkewMs;
    this.capacity = capacity;
  }

  /** The number of request ids remembered. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Accepts a request once: throws 'stale' when `timestamp` is outside `now` ± maxSkewMs,
   * 'replayed' for an id already accepted, 'busy' when full of unexpired ids.
   */
  check(requestId: Uint8Array, timestamp: number, now: number): void {
    if (requestId.length !== REQUEST_ID_BYTES) throw new ChannelError('malformed', 'a request id is 16 bytes');
    if (!Number.isFinite(timestamp) || !Number.isFinite(now) || Math.abs(now - timestamp) > this.maxSkewMs) {
      throw new ChannelError('stale', `the request is more than ${this.maxSkewMs} ms from this server's clock`);
    }
    const id = Buffer.from(requestId).toString('hex');
    if (this.#seen.has(id)) throw new ChannelError('replayed', 'this request was accepted before');
    this.#forgetOldest(now);
    if (this.#seen.size >= this.capacity) {
      this.#sweep(now);
      if (this.#seen.size >= this.capacity) {
        throw new ChannelError('busy', `${this.capacity} recent requests remembered; try again later`);
      }
    }
    const forgetAt = timestamp + 2 * this.maxSkewMs;
    this.#seen.set(id, forgetAt);
    this.#nextExpiry = Math.min(this.#nextExpiry, forgetAt);
  }

  /** Amortised O(1): ids are inserted roughly in time order, so the expired ones are first. */
  #forgetOldest(now: number): void {
    for (const [id, forgetAt] of this.#seen) {
      if (forgetAt >= now) return;
      this.#seen.delete(id);
    }
  }

  /** O(n), only when full, and then only once some id has expired. */
  #sweep(now: number): void {
    if (now <= this.#nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, forgetAt] of this.#seen) {
      if (forgetAt < now) this.#seen.delete(id);
      else next = Math.min(next, forgetAt);
    }
    this.#nextExpiry = next;
  }
}

// ---- requests -----------------------------------------------------------------------------

export interface RequestInput {
  /** The client's node keys. */
  from: NodeBoxKeys;
  fromName: string;
  /** The server's public key, as the store records it. */
  toPublicKey: Uint8Array;
  /** The name the client addresses the server by (its node name or a cluster name). */
  toName: string;
  operation: string;
  body: Uint8Array;
  /** The client's clock, ms since the epoch. */
  now: number;
  rng?: Rng;
}

export interface SealedRequest {
  envelope: Uint8Array;
  requestId: Uint8Array;
  /** The one-time key pair the response is boxed to; openResponse wipes its secret key. */
  replyKeys: NodeBoxKeys;
}

/** The values a request is sealed with; random in sealRequest, fixed for test vectors. */
export interface RequestFixedValues {
  nonce: Uint8Array;
  requestId: Uint8Array;
  replyKeys: NodeBoxKeys;
}

export function sealRequest(input: RequestInput): SealedRequest {
  const rng = input.rng ?? systemRng;
  return sealRequestWith(input, {
    nonce: rng(NONCE_BYTES),
    requestId: rng(REQUEST_ID_BYTES),
    replyKeys: newNodeBoxKeys(rng),
  });
}

/** sealRequest with the random values given: for test vectors only (a nonce must never repeat). */
export function sealRequestWith(input: RequestInput, fixed: RequestFixedValues): SealedRequest {
  const from = nameBytes(input.fromName, 'sender name');
  const to = nameBytes(input.toName, 'recipient name');
  const operation = tokenBytes(input.operation, 'operation');
  if (!Number.isSafeInteger(input.now) || input.now < 0) throw new ChannelError('malformed', 'now: ms since the epoch');
  if (fixed.nonce.length !== NONCE_BYTES) throw new ChannelError('malformed', 'a nonce is 24 bytes');
  if (fixed.requestId.length !== REQUEST_ID_BYTES) throw new ChannelError('malformed', 'a request id is 16 bytes');
  checkKey(fixed.replyKeys.publicKey, 'reply public key');
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64BE(BigInt(input.now));
  const plaintext = Buffer.concat([
    REQUEST_LABEL,
    timestamp,
    fixed.requestId,
    fixed.replyKeys.publicKey,
    lengthPrefixed(to),
    lengthPrefixed(from),
    lengthPrefixed(operation),
    input.body,
  ]);
  const head = Buffer.concat([MAGIC, Uint8Array.of(VERSION, KIND_REQUEST), lengthPrefixed(from), lengthPrefixed(to)]);
  const envelope = seal(head, plaintext, fixed.nonce, input.toPublicKey, input.from.secretKey, true);
  return {
    envelope,
    requestId: Uint8Array.from(fixed.requestId),
    replyKeys: { publicKey: Uint8Array.from(fixed.replyKeys.publicKey), secretKey: fixed.replyKeys.secretKey },
  };
}

export interface OpenRequestInput {
  /** The server's node keys. */
  server: NodeBoxKeys;
  /** The names this server answers to (its node name, its cluster names); compared without case. */
  serverName: string | readonly string[];
  envelope: Uint8Array;
  /** The public key the store records (approved) for a node, or undefined. */
  publicKeyOf: (nodeName: string) => Uint8Array | undefined;
  /** The server's clock, ms since the epoch. */
  now: number;
  /** Also sets the skew window (its maxSkewMs), so the window can never outlast the memory. */
  replay: ReplayGuard;
}

export interface OpenedRequest {
  /** The authenticated sender. */
  fromName: string;
  /** The name the client addressed this server by. */
  toName: string;
  operation: string;
  body: Uint8Array;
  requestId: Uint8Array;
  /** The client's clock when it sealed the request, ms since the epoch. */
  timestamp: number;
  /** The key the box opened with (publicKeyOf(fromName)). */
  clientPublicKey: Uint8Array;
  /** Where sealResponse boxes the answer. */
  replyPublicKey: Uint8Array;
}

/** Opens and checks a request (the order is docs/formats.md's); throws only ChannelError. */
export function openRequest(input: OpenRequestInput): OpenedRequest {
  const envelope = checkHead(input.envelope, KIND_REQUEST);
  const outer = new Cursor(envelope, HEAD_BYTES);
  const from = outer.name();
  const to = outer.name();
  if (outer.remaining < NONCE_BYTES + BOX_OVERHEAD + MIN_REQUEST_PLAINTEXT) {
    throw new ChannelError('malformed', 'the envelope is too short for a request');
  }
  const serverNames = typeof input.serverName === 'string' ? [input.serverName] : input.serverName;
  if (!serverNames.some((name) => name.toLowerCase() === to.text.toLowerCase())) {
    throw new ChannelError('misaddressed', `the request is addressed to ${to.text}`);
  }
  const clientPublicKey = input.publicKeyOf(from.text);
  if (!(clientPublicKey instanceof Uint8Array) || clientPublicKey.length !== NODE_KEY_BYTES) {
    throw new ChannelError('unknown-sender', `no approved key for ${from.text}`);
  }
  const plaintext = new Cursor(open(outer.rest(), clientPublicKey, input.server.secretKey, true), 0);
  if (!plaintext.take(REQUEST_LABEL.length).every((byte, i) => byte === REQUEST_LABEL[i])) {
    throw new ChannelError('malformed', 'the box does not hold a request');
  }
  const timestamp = plaintext.u64();
  const requestId = Uint8Array.from(plaintext.take(REQUEST_ID_BYTES));
  const replyPublicKey = Uint8Array.from(plaintext.take(NODE_KEY_BYTES));
  const innerTo = plaintext.name();
  const innerFrom = plaintext.name();
  const operation = plaintext.token('operation');
  if (!Buffer.from(innerTo.bytes).equals(to.bytes) || !Buffer.from(innerFrom.bytes).equals(from.bytes)) {
    throw new ChannelError('misaddressed', `the box was sealed by ${innerFrom.text} for ${innerTo.text}`);
  }
  input.replay.check(requestId, timestamp, input.now);
  return {
    fromName: from.text,
    toName: to.text,
    operation,
    body: plaintext.rest(),
    requestId,
    timestamp,
    clientPublicKey: Uint8Array.from(clientPublicKey),
    replyPublicKey,
  };
}

// ---- responses ----------------------------------------------------------------------------

export interface ResponseInput {
  /** The server's node keys. */
  server: NodeBoxKeys;
  /** The request answered (openRequest's result). */
  request: Pick<OpenedRequest, 'requestId' | 'replyPublicKey'>;
  /** STATUS_OK, or an error code (letters, digits, '.', '_', '-'). */
  status: string;
  body: Uint8Array;
  rng?: Rng;
}

export function sealResponse(input: ResponseInput): Uint8Array {
  return sealResponseWith(input, { nonce: (input.rng ?? systemRng)(NONCE_BYTES) });
}

/** sealResponse with the nonce given: for test vectors only (a nonce must never repeat). */
export function sealResponseWith(input: ResponseInput, fixed: { nonce: Uint8Array }): Uint8Array {
  const status = tokenBytes(input.status, 'status');
  if (fixed.nonce.length !== NONCE_BYTES) throw new ChannelError('malformed', 'a nonce is 24 bytes');
  if (input.request.requestId.length !== REQUEST_ID_BYTES) {
    throw new ChannelError('malformed', 'a request id is 16 bytes');
  }
  const plaintext = Buffer.concat([RESPONSE_LABEL, input.request.requestId, lengthPrefixed(status), input.body]);
  const head = Buffer.concat([MAGIC, Uint8Array.of(VERSION, KIND_RESPONSE)]);
  return seal(head, plaintext, fixed.nonce, input.request.replyPublicKey, input.server.secretKey);
}

export interface OpenResponseInput {
  /** What sealRequest returned for the request this answers. */
  request: Pick<SealedRequest, 'requestId' | 'replyKeys'>;
  /** The server's public key, as the store records it: an impostor's box does not open. */
  serverPublicKey: Uint8Array;
  envelope: Uint8Array;
}

export interface OpenedResponse {
  status: string;
  body: Uint8Array;
}

/**
 * Opens and checks a response; throws only ChannelError. Once one has opened, the reply
 * secret key is wiped: a request takes one answer, and the answer cannot be opened again.
 */
export function openResponse(input: OpenResponseInput): OpenedResponse {
  const envelope = checkHead(input.envelope, KIND_RESPONSE);
  const outer = new Cursor(envelope, HEAD_BYTES);
  if (outer.remaining < NONCE_BYTES + BOX_OVERHEAD + MIN_RESPONSE_PLAINTEXT) {
    throw new ChannelError('malformed', 'the envelope is too short for a response');
  }
  checkKey(input.serverPublicKey, 'server public key', 'bad-box');
  const plaintext = new Cursor(open(outer.rest(), input.serverPublicKey, input.request.replyKeys.secretKey, true), 0);
  if (!plaintext.take(RESPONSE_LABEL.length).every((byte, i) => byte === RESPONSE_LABEL[i])) {
    throw new ChannelError('malformed', 'the box does not hold a response');
  }
  const requestId = plaintext.take(REQUEST_ID_BYTES);
  const status = plaintext.token('status');
  if (!constantTimeEqual(requestId, input.request.requestId)) {
    throw new ChannelError('misaddressed', 'the response answers another request');
  }
  input.request.replyKeys.secretKey.fill(0);
  return { status, body: plaintext.rest() };
}

// ---- shared pieces ------------------------------------------------------------------------

/** head ‖ nonce ‖ box(plaintext); refuses an envelope over the cap and a low-order key. */
function seal(
  head: Uint8Array,
  plaintext: Uint8Array,
  nonce: Uint8Array,
  publicKey: Uint8Array,
  secretKey: Uint8Array,
  keepPeer = false,
): Uint8Array {
  const length = head.length + NONCE_BYTES + BOX_OVERHEAD + plaintext.length;
  if (length > MAX_ENVELOPE_BYTES) {
    throw new ChannelError('malformed', `the envelope would be ${length} bytes, over ${MAX_ENVELOPE_BYTES}`);
  }
  const key = sharedKey(publicKey, secretKey, 'malformed', keepPeer);
  const envelope = new Uint8Array(length);
  envelope.set(head, 0);
  envelope.set(nonce, head.length);
  envelope.set(nacl.box.after(plaintext, nonce, key), head.length + NONCE_BYTES);
  key.fill(0);
  return envelope;
}

/** nonce ‖ box → plaintext, or 'bad-box'. */
function open(sealed: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array, keepPeer = false): Uint8Array {
  const key = sharedKey(publicKey, secretKey, 'bad-box', keepPeer);
  const plaintext = nacl.box.open.after(sealed.subarray(NONCE_BYTES), sealed.subarray(0, NONCE_BYTES), key);
  key.fill(0);
  if (plaintext === null) throw new ChannelError('bad-box', 'the box does not open with the keys expected');
  return plaintext;
}

function sharedKey(
  publicKey: Uint8Array,
  secretKey: Uint8Array,
  reason: ChannelErrorReason,
  keepPeer = false,
): Uint8Array {
  checkKey(publicKey, 'public key', reason);
  checkKey(secretKey, 'secret key');
  const key = boxBefore(publicKey, secretKey, keepPeer);
  if (!key || constantTimeEqual(key, LOW_ORDER_SHARED_KEY)) throw new ChannelError(reason, 'a low-order public key');
  return key;
}

/** Magic, version and kind; the size cap first, before anything is read. */
function checkHead(envelope: unknown, kind: number): Uint8Array {
  if (!(envelope instanceof Uint8Array)) throw new ChannelError('malformed', 'an envelope is bytes');
  if (envelope.length > MAX_ENVELOPE_BYTES) {
    throw new ChannelError('malformed', `the envelope is over ${MAX_ENVELOPE_BYTES} bytes`);
  }
  if (envelope.length < HEAD_BYTES || !MAGIC.every((byte, i) => envelope[i] === byte)) {
    throw new ChannelError('malformed', 'not a node channel envelope');
  }
  if (envelope[MAGIC.length] !== VERSION) {
    throw new ChannelError('unsupported-version', `node channel v${envelope[MAGIC.length]}; this node reads v1`);
  }
  if (envelope[MAGIC.length + 1] !== kind) {
    throw new ChannelError('malformed', kind === KIND_REQUEST ? 'not a request' : 'not a response');
  }
  return envelope;
}

function checkKey(key: unknown, what: string, reason: ChannelErrorReason = 'malformed'): void {
  if (!(key instanceof Uint8Array) || key.length !== NODE_KEY_BYTES) {
    throw new ChannelError(reason, `a ${what} is ${NODE_KEY_BYTES} bytes`);
  }
}

function nameBytes(name: string, what: string): Buffer {
  if (!NAME_PATTERN.test(name)) throw new ChannelError('malformed', `the ${what} is not a host name`);
  return Buffer.from(name, 'latin1');
}

function tokenBytes(token: string, what: string): Buffer {
  if (!TOKEN_PATTERN.test(token)) throw new ChannelError('malformed', `the ${what} is not a token`);
  return Buffer.from(token, 'latin1');
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(bytes.length), bytes]);
}

/** Reads fields, checking every length against what is left before slicing. */
class Cursor {
  #at: number;
  constructor(
    readonly bytes: Uint8Array,
    at: number,
  ) {
    this.#at = at;
  }

  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  take(length: number): Uint8Array {
    if (length > this.remaining) throw new ChannelError('malformed', 'a field runs past the end');
    const field = this.bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return field;
  }

  rest(): Uint8Array {
    return this.take(this.remaining);
  }

  u64(): number {
    const value = Buffer.from(this.take(8)).readBigUInt64BE();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ChannelError('malformed', 'a timestamp out of range');
    return Number(value);
  }

  /** A length byte, then that many bytes of a host name. */
  name(): { text: string; bytes: Uint8Array } {
    const bytes = this.take(this.take(1)[0]!);
    const text = Buffer.from(bytes).toString('latin1');
    if (!NAME_PATTERN.test(text)) throw new ChannelError('malformed', 'a node name that is not a host name');
    return { text, bytes };
  }

  /** A length byte, then that many bytes of a token. */
  token(what: string): string {
    const text = Buffer.from(this.take(this.take(1)[0]!)).toString('latin1');
    if (!TOKEN_PATTERN.test(text)) throw new ChannelError('malformed', `the ${what} is not a token`);
    return text;
  }
}
