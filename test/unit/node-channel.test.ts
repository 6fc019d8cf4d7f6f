// Node channel v1 (docs/formats.md): envelopes open only for the keys, names, window and
// request they were sealed for; every refusal is a ChannelError with its reason, whatever
// the bytes (property tests); and the committed vectors open, fail and re-seal as they say.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { deterministicRng } from '../../fixtures/vectors/deterministic-rng.js';
import { makeNodeChannelVectors, renderChannelVector } from '../../fixtures/vectors/node-channel-vectors.js';
import { parseVector } from '../../fixtures/vectors/secret-backup-vectors.js';
import { nacl } from '../../src/crypto/nacl.js';
import {
  ChannelError,
  type ChannelErrorReason,
  MAX_ENVELOPE_BYTES,
  newNodeBoxKeys,
  nodeBoxKeysFromSecretKey,
  type OpenRequestInput,
  openRequest,
  openResponse,
  ReplayGuard,
  type RequestInput,
  type SealedRequest,
  sealRequest,
  sealRequestWith,
  sealResponse,
  sealResponseWith,
} from '../../src/crypto/node-channel.js';
import { systemRng } from '../../src/crypto/random.js';
import { REPO_ROOT } from '../helpers/cli.js';

const NOW = Date.parse('2026-11-01T12:00:00.000Z');
const web1 = newNodeBoxKeys();
const web2 = newNodeBoxKeys();
const sso1 = newNodeBoxKeys();
const known = new Map([
  ['web1', web1.publicKey],
  ['web2', web2.publicKey],
]);
const publicKeyOf = (name: string) => known.get(name.toLowerCase());

function request(over: Partial<RequestInput> = {}): SealedRequest {
  return sealRequest({
    from: web1,
    fromName: 'web1',
    toPublicKey: sso1.publicKey,
    toName: 'sso1',
    operation: 'secret',
    body: Buffer.from('hello'),
    now: NOW,
    ...over,
  });
}

function opening(envelope: Uint8Array, over: Partial<OpenRequestInput> = {}) {
  return openRequest({
    server: sso1,
    serverName: 'sso1',
    envelope,
    publicKeyOf,
    now: NOW,
    replay: new ReplayGuard(),
    ...over,
  });
}

/** The reason a call is refused with; 'opened' when it is not; anything but a ChannelError fails the test. */
function outcome(attempt: () => unknown): ChannelErrorReason | 'opened' {
  try {
    attempt();
    return 'opened';
  } catch (error) {
    if (error instanceof ChannelError) return error.reason;
    throw error;
  }
}

/** A copy of a sealed request for one openResponse (which wipes the reply secret key). */
function pending(sealed: SealedRequest): SealedRequest {
  return { ...sealed, replyKeys: { ...sealed.replyKeys, secretKey: Uint8Array.from(sealed.replyKeys.secretKey) } };
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
}

describe('node box keys', () => {
  test('a fresh X25519 pair from the random source', () => {
    const keys = newNodeBoxKeys();
    expect(keys.publicKey.length).toBe(32);
    expect(keys.secretKey.length).toBe(32);
    expect(Buffer.from(nacl.box.keyPair.fromSecretKey(keys.secretKey).publicKey)).toEqual(Buffer.from(keys.publicKey));
    expect(Buffer.from(newNodeBoxKeys().secretKey)).not.toEqual(Buffer.from(keys.secretKey));
    const a = newNodeBoxKeys(deterministicRng('keys'));
    const b = nodeBoxKeysFromSecretKey(deterministicRng('keys')(32));
    expect(Buffer.from(a.publicKey)).toEqual(Buffer.from(b.publicKey));
  });
});

describe('requests', () => {
  test('open with the keys, names and window they were sealed for', () => {
    const sealed = request();
    const opened = opening(sealed.envelope);
    expect(opened.fromName).toBe('web1');
    expect(opened.toName).toBe('sso1');
    expect(opened.operation).toBe('secret');
    expect(Buffer.from(opened.body).toString()).toBe('hello');
    expect(Buffer.from(opened.requestId)).toEqual(Buffer.from(sealed.requestId));
    expect(opened.timestamp).toBe(NOW);
    expect(Buffer.from(opened.clientPublicKey)).toEqual(Buffer.from(web1.publicKey));
    expect(Buffer.from(opened.replyPublicKey)).toEqual(Buffer.from(sealed.replyKeys.publicKey));
  });

  test('keys and bodies may be Buffers, as the store and HTTP hand them over', () => {
    const sealed = request({ toPublicKey: Buffer.from(sso1.publicKey), body: Buffer.from('x') });
    const server = { publicKey: Buffer.from(sso1.publicKey), secretKey: Buffer.from(sso1.secretKey) };
    const opened = opening(Buffer.from(sealed.envelope), {
      server,
      publicKeyOf: (name) => Buffer.from(publicKeyOf(name)!),
    });
    expect(opened.fromName).toBe('web1');
  });

  test('fresh nonce, request id and reply key every time', () => {
    const a = request();
    const b = request();
    expect(Buffer.from(a.envelope)).not.toEqual(Buffer.from(b.envelope));
    expect(Buffer.from(a.requestId)).not.toEqual(Buffer.from(b.requestId));
    expect(Buffer.from(a.replyKeys.publicKey)).not.toEqual(Buffer.from(b.replyKeys.publicKey));
    expect(Buffer.from(a.replyKeys.publicKey)).not.toEqual(Buffer.from(web1.publicKey));
  });

  test('the server answers to each of its names, without regard to case', () => {
    const sealed = request({ toName: 'SsoCluster' });
    expect(opening(sealed.envelope, { serverName: ['sso1', 'ssocluster'] }).toName).toBe('SsoCluster');
    expect(outcome(() => opening(sealed.envelope))).toBe('misaddressed');
  });

  test('an empty body, and a body that makes the envelope exactly 1 MiB', () => {
    expect(opening(request({ body: new Uint8Array(0) }).envelope).body.length).toBe(0);
    const overhead = request({ body: new Uint8Array(0) }).envelope.length;
    const largest = new Uint8Array(MAX_ENVELOPE_BYTES - overhead).fill(7);
    const sealed = request({ body: largest });
    expect(sealed.envelope.length).toBe(MAX_ENVELOPE_BYTES);
    expect(opening(sealed.envelope).body.length).toBe(largest.length);
    expect(outcome(() => request({ body: new Uint8Array(largest.length + 1) }))).toBe('malformed');
  });

  test('unknown-sender: no key, or not a key, for the outer sender name', () => {
    const sealed = request();
    expect(outcome(() => opening(sealed.envelope, { publicKeyOf: () => undefined }))).toBe('unknown-sender');
    expect(outcome(() => opening(sealed.envelope, { publicKeyOf: () => new Uint8Array(31) }))).toBe('unknown-sender');
  });

  test('bad-box: sealed with another key than the sender name has, or for another server key', () => {
    expect(outcome(() => opening(request({ from: web2 }).envelope))).toBe('bad-box');
    expect(outcome(() => opening(request({ toPublicKey: web2.publicKey }).envelope))).toBe('bad-box');
    expect(outcome(() => opening(request().envelope, { server: web2 }))).toBe('bad-box');
  });

  test('bad-box: a low-order key, whose box key anyone can compute', () => {
    const zero = new Uint8Array(32);
    expect(outcome(() => opening(request().envelope, { publicKeyOf: () => zero }))).toBe('bad-box');
    expect(outcome(() => request({ toPublicKey: zero }))).toBe('malformed');
  });

  test('misaddressed: for another server name', () => {
    expect(outcome(() => opening(request({ toName: 'sso2' }).envelope))).toBe('misaddressed');
  });

  test('stale: outside the window either way; its edges are inside', () => {
    for (const [skew, expected] of [
      [-60_000, 'opened'],
      [60_000, 'opened'],
      [-60_001, 'stale'],
      [60_001, 'stale'],
    ] as const) {
      expect(outcome(() => opening(request({ now: NOW + skew }).envelope))).toBe(expected);
    }
    const guard = new ReplayGuard({ maxSkewMs: 1000 });
    expect(outcome(() => opening(request({ now: NOW - 1001 }).envelope, { replay: guard }))).toBe('stale');
    expect(outcome(() => opening(request({ now: NOW - 1000 }).envelope, { replay: guard }))).toBe('opened');
  });

  test('replayed: one guard opens a request once', () => {
    const sealed = request();
    const replay = new ReplayGuard();
    opening(sealed.envelope, { replay });
    expect(outcome(() => opening(sealed.envelope, { replay }))).toBe('replayed');
    expect(outcome(() => opening(sealed.envelope, { replay, now: NOW + 59_000 }))).toBe('replayed');
    expect(outcome(() => opening(request().envelope, { replay }))).toBe('opened');
  });

  test('a refused request does not use up its id', () => {
    const sealed = request();
    const replay = new ReplayGuard();
    expect(outcome(() => opening(sealed.envelope, { replay, publicKeyOf: () => undefined }))).toBe('unknown-sender');
    expect(outcome(() => opening(sealed.envelope, { replay }))).toBe('opened');
  });

  test('unsupported-version', () => {
    const envelope = Uint8Array.from(request().envelope);
    envelope[4] = 2;
    expect(outcome(() => opening(envelope))).toBe('unsupported-version');
  });

  test('a flipped bit anywhere is refused, with the reason of the field it is in', () => {
    const { envelope } = request();
    const head = 4 + 2 + 5 + 5;
    for (let i = 0; i < envelope.length; i++) {
      const reason = outcome(() => opening(flipped(envelope, i)));
      if (i < 4) expect(reason).toBe('malformed');
      else if (i === 4) expect(reason).toBe('unsupported-version');
      else if (i === 5) expect(reason).toBe('malformed');
      else if (i === 6)
        expect(reason).toBe('malformed'); // the sender name's length byte
      else if (i === 11)
        expect(['malformed', 'misaddressed']).toContain(reason); // the recipient's
      else if (i < 11)
        expect(['malformed', 'unknown-sender']).toContain(reason); // sender name
      else if (i < head)
        expect(['malformed', 'misaddressed']).toContain(reason); // recipient name
      else expect(reason).toBe('bad-box'); // nonce and box
    }
  });

  test('every truncation is refused', () => {
    const { envelope } = request();
    for (let length = 0; length < envelope.length; length++) {
      expect(['malformed', 'bad-box']).toContain(outcome(() => opening(envelope.subarray(0, length))));
    }
  });

  test('malformed: over 1 MiB (before anything is read), not bytes, bad names', () => {
    const big = new Uint8Array(MAX_ENVELOPE_BYTES + 1);
    big.set(request().envelope);
    expect(outcome(() => opening(big))).toBe('malformed');
    expect(outcome(() => opening('sknc' as unknown as Uint8Array))).toBe('malformed');
    expect(outcome(() => request({ fromName: '' }))).toBe('malformed');
    expect(outcome(() => request({ toName: 'sso1/x' }))).toBe('malformed');
    expect(outcome(() => request({ fromName: 'a'.repeat(256) }))).toBe('malformed');
    expect(outcome(() => request({ toName: 'é' }))).toBe('malformed');
    expect(outcome(() => request({ operation: 'get secret' }))).toBe('malformed');
    expect(outcome(() => request({ now: -1 }))).toBe('malformed');
    expect(outcome(() => request({ fromName: 'a'.repeat(255), toName: 'b'.repeat(255) }))).toBe('opened');
  });
});

describe('replay guard', () => {
  const id = (n: number) => new Uint8Array(16).fill(n);

  test('remembers an id until its timestamp plus twice the window', () => {
    const guard = new ReplayGuard({ maxSkewMs: 100 });
    guard.check(id(1), 1000, 1000);
    // A clock stepped back by up to one window still finds it.
    expect(outcome(() => guard.check(id(1), 1000, 1100))).toBe('replayed');
    expect(outcome(() => guard.check(id(1), 1000, 1200))).toBe('stale');
    guard.check(id(2), 1200, 1200);
    expect(guard.size).toBe(2);
    guard.check(id(3), 1201, 1201); // id 1 (forgotten after 1200) goes
    expect(guard.size).toBe(2);
    expect(outcome(() => guard.check(id(1), 1100, 1100))).toBe('opened');
  });

  test('busy when full of unexpired ids; expired ones make room, wherever they are', () => {
    const guard = new ReplayGuard({ maxSkewMs: 100, capacity: 2 });
    guard.check(id(1), 1100, 1000); // from a client ahead: remembered until 1300
    guard.check(id(2), 900, 1000); // from a client behind: until 1100
    expect(outcome(() => guard.check(id(3), 1000, 1000))).toBe('busy');
    expect(outcome(() => guard.check(id(2), 900, 1000))).toBe('replayed');
    expect(outcome(() => guard.check(id(3), 1000, 1100))).toBe('busy');
    guard.check(id(3), 1050, 1101); // id 2 expired behind id 1: swept
    expect(outcome(() => guard.check(id(1), 1100, 1101))).toBe('replayed');
    expect(outcome(() => guard.check(id(3), 1050, 1101))).toBe('replayed');
    expect(guard.size).toBe(2);
  });

  test('a full guard is refused quickly, and recovers', () => {
    const guard = new ReplayGuard({ capacity: 1000 });
    for (let i = 0; i < 1000; i++) guard.check(systemRng(16), NOW, NOW);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) expect(outcome(() => guard.check(systemRng(16), NOW, NOW))).toBe('busy');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcome(() => guard.check(systemRng(16), NOW + 60_001, NOW + 120_001))).toBe('opened');
    expect(guard.size).toBe(1);
  });

  test('options are checked', () => {
    expect(() => new ReplayGuard({ capacity: 0 })).toThrow(RangeError);
    expect(() => new ReplayGuard({ maxSkewMs: -1 })).toThrow(RangeError);
    expect(outcome(() => new ReplayGuard().check(new Uint8Array(15), NOW, NOW))).toBe('malformed');
  });
});

describe('responses', () => {
  function exchange() {
    const sealed = request();
    const opened = opening(sealed.envelope);
    return { sealed, opened };
  }
  const answerOf = (sealed: SealedRequest, envelope: Uint8Array, serverPublicKey = sso1.publicKey) =>
    openResponse({ request: pending(sealed), serverPublicKey, envelope });

  test('the answer opens for the request it answers', () => {
    const { sealed, opened } = exchange();
    const envelope = sealResponse({ server: sso1, request: opened, status: 'ok', body: Buffer.from('secrets') });
    const answer = openResponse({ request: sealed, serverPublicKey: sso1.publicKey, envelope });
    expect(answer.status).toBe('ok');
    expect(Buffer.from(answer.body).toString()).toBe('secrets');
  });

  test('a request takes one answer: the reply secret key is wiped once it opened', () => {
    const { sealed, opened } = exchange();
    const envelope = sealResponse({ server: sso1, request: opened, status: 'ok', body: new Uint8Array(0) });
    openResponse({ request: sealed, serverPublicKey: sso1.publicKey, envelope });
    expect(sealed.replyKeys.secretKey.every((byte) => byte === 0)).toBe(true);
    expect(outcome(() => openResponse({ request: sealed, serverPublicKey: sso1.publicKey, envelope }))).toBe('bad-box');
  });

  test('a failed attempt does not wipe it', () => {
    const { sealed, opened } = exchange();
    const envelope = sealResponse({ server: sso1, request: opened, status: 'ok', body: new Uint8Array(0) });
    expect(
      outcome(() =>
        openResponse({ request: sealed, serverPublicKey: sso1.publicKey, envelope: flipped(envelope, 40) }),
      ),
    ).toBe('bad-box');
    expect(outcome(() => openResponse({ request: sealed, serverPublicKey: sso1.publicKey, envelope }))).toBe('opened');
  });

  test('bad-box: an impostor answering with its own key, or with the pinned key wrong', () => {
    const { sealed, opened } = exchange();
    const impostor = newNodeBoxKeys();
    const forged = sealResponse({ server: impostor, request: opened, status: 'ok', body: new Uint8Array(0) });
    expect(outcome(() => answerOf(sealed, forged))).toBe('bad-box');
    const real = sealResponse({ server: sso1, request: opened, status: 'ok', body: new Uint8Array(0) });
    expect(outcome(() => answerOf(sealed, real, impostor.publicKey))).toBe('bad-box');
    expect(outcome(() => answerOf(sealed, real, new Uint8Array(32)))).toBe('bad-box');
    expect(outcome(() => answerOf(sealed, real, new Uint8Array(5)))).toBe('bad-box');
  });

  test('bad-box: the answer to another request (swapped or replayed)', () => {
    const first = exchange();
    const second = exchange();
    const answerToSecond = sealResponse({
      server: sso1,
      request: second.opened,
      status: 'ok',
      body: new Uint8Array(0),
    });
    expect(outcome(() => answerOf(first.sealed, answerToSecond))).toBe('bad-box');
  });

  test('misaddressed: an answer naming another request id', () => {
    const { sealed, opened } = exchange();
    const envelope = sealResponse({
      server: sso1,
      request: { requestId: systemRng(16), replyPublicKey: opened.replyPublicKey },
      status: 'ok',
      body: new Uint8Array(0),
    });
    expect(outcome(() => answerOf(sealed, envelope))).toBe('misaddressed');
  });

  test('a request is not a response, nor the reverse', () => {
    const { sealed, opened } = exchange();
    expect(outcome(() => answerOf(sealed, sealed.envelope))).toBe('malformed');
    const envelope = sealResponse({ server: sso1, request: opened, status: 'ok', body: new Uint8Array(0) });
    expect(outcome(() => opening(envelope))).toBe('malformed');
  });

  test('a flipped bit anywhere is refused, with the reason of the field it is in', () => {
    const { sealed, opened } = exchange();
    const envelope = sealResponse({ server: sso1, request: opened, status: 'NOT_APPROVED', body: Buffer.from('x') });
    for (let i = 0; i < envelope.length; i++) {
      const reason = outcome(() => answerOf(sealed, flipped(envelope, i)));
      expect(reason).toBe(i === 4 ? 'unsupported-version' : i < 6 ? 'malformed' : 'bad-box');
    }
    for (let length = 0; length < envelope.length; length++) {
      expect(['malformed', 'bad-box']).toContain(outcome(() => answerOf(sealed, envelope.subarray(0, length))));
    }
  });

  test('statuses are tokens; an envelope over 1 MiB is not sealed', () => {
    const { opened } = exchange();
    const seal =
      (status: string, body = new Uint8Array(0)) =>
      () =>
        sealResponse({ server: sso1, request: opened, status, body });
    expect(outcome(seal(''))).toBe('malformed');
    expect(outcome(seal('not ok'))).toBe('malformed');
    expect(outcome(seal('ok', new Uint8Array(MAX_ENVELOPE_BYTES)))).toBe('malformed');
  });
});

// ---- property tests ---------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip' && out.length > 0) {
      out = Buffer.from(out);
      out[at]! ^= m.mask;
    } else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    else if (m.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.count)]);
    else if (m.kind === 'truncate') out = out.subarray(0, at);
  }
  return new Uint8Array(out);
}

const RUNS = { numRuns: 200 };
const MAGIC_AND_VERSION = Uint8Array.of(0x73, 0x6b, 0x6e, 0x63, 1);
const arbitraryEnvelope = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc
    .tuple(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 400 }))
    .map(([kind, rest]) => Uint8Array.from([...MAGIC_AND_VERSION, kind, ...rest])),
);

describe('property tests', () => {
  const sealed = request({ body: Buffer.from('a body of some length') });
  const opened = opening(sealed.envelope);
  const response = sealResponse({ server: sso1, request: opened, status: 'ok', body: Buffer.from('answer') });

  test('random bytes: only ChannelError, nothing opens', () => {
    fc.assert(
      fc.property(arbitraryEnvelope, (envelope) => {
        expect(outcome(() => opening(envelope))).not.toBe('opened');
        expect(
          outcome(() => openResponse({ request: pending(sealed), serverPublicKey: sso1.publicKey, envelope })),
        ).not.toBe('opened');
      }),
      RUNS,
    );
  });

  test('a mutated request: only ChannelError, and it opens only when unchanged', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const envelope = mutate(sealed.envelope, mutations);
        const reason = outcome(() => opening(envelope));
        if (Buffer.from(envelope).equals(Buffer.from(sealed.envelope))) expect(reason).toBe('opened');
        else expect(['opened', 'replayed']).not.toContain(reason);
      }),
      RUNS,
    );
  });

  test('a mutated response: only ChannelError, and it opens only when unchanged', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const envelope = mutate(response, mutations);
        const same = Buffer.from(envelope).equals(Buffer.from(response));
        const reason = outcome(() =>
          openResponse({ request: pending(sealed), serverPublicKey: sso1.publicKey, envelope }),
        );
        expect(reason === 'opened').toBe(same);
      }),
      RUNS,
    );
  });
});

// ---- vectors ----------------------------------------------------------------------------

const dir = join(REPO_ROOT, 'fixtures/vectors/node-channel');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.vector'))
  .sort();
const bytesOf = (text: string | undefined) => new Uint8Array(Buffer.from(text ?? '', 'hex'));

function openVector(fields: Record<string, string>, body: Uint8Array, replay = new ReplayGuard()) {
  if (fields.kind === 'request') {
    return openRequest({
      server: nodeBoxKeysFromSecretKey(bytesOf(fields['server secret key'])),
      serverName: fields['server name']!,
      envelope: body,
      publicKeyOf: (name) => (fields[`key ${name}`] === undefined ? undefined : bytesOf(fields[`key ${name}`])),
      now: Number(fields.now),
      replay,
    });
  }
  return openResponse({
    request: {
      requestId: bytesOf(fields['request id']),
      replyKeys: nodeBoxKeysFromSecretKey(bytesOf(fields['reply secret key'])),
    },
    serverPublicKey: bytesOf(fields['server public key']),
    envelope: body,
  });
}

describe('node channel v1 vectors', () => {
  test('there are vectors for every outcome a single envelope can have, both ways', () => {
    const outcomes = (kind: string) =>
      [
        ...new Set(
          files
            .map((f) => parseVector(readFileSync(join(dir, f))).fields)
            .filter((fields) => fields.kind === kind)
            .map((fields) => fields.expect),
        ),
      ].sort();
    expect(outcomes('request')).toEqual([
      'bad-box',
      'malformed',
      'misaddressed',
      'stale',
      'success',
      'unknown-sender',
      'unsupported-version',
    ]);
    expect(outcomes('response')).toEqual(['bad-box', 'malformed', 'misaddressed', 'success', 'unsupported-version']);
  });

  test.each(files)('%s', (file) => {
    const { fields, body } = parseVector(readFileSync(join(dir, file)));
    const envelope = new Uint8Array(body);
    if (fields.expect !== 'success') {
      expect(outcome(() => openVector(fields, envelope))).toBe(fields.expect);
      return;
    }
    const opened = openVector(fields, envelope);
    expect(Buffer.from(opened.body).toString('hex')).toBe(fields.body);
    // Sealed again from the vector's values, the envelope is the same bytes.
    if (fields.kind === 'request') {
      const request = opened as ReturnType<typeof openRequest>;
      expect([request.fromName, request.operation, request.timestamp]).toEqual([
        fields['client name'],
        fields.operation,
        Number(fields.timestamp),
      ]);
      expect(Buffer.from(request.requestId).toString('hex')).toBe(fields['request id']);
      const resealed = sealRequestWith(
        {
          from: nodeBoxKeysFromSecretKey(bytesOf(fields['client secret key'])),
          fromName: fields['client name']!,
          toPublicKey: nodeBoxKeysFromSecretKey(bytesOf(fields['server secret key'])).publicKey,
          toName: fields['server name']!,
          operation: fields.operation!,
          body: bytesOf(fields.body),
          now: Number(fields.timestamp),
        },
        {
          nonce: bytesOf(fields.nonce),
          requestId: bytesOf(fields['request id']),
          replyKeys: nodeBoxKeysFromSecretKey(bytesOf(fields['reply secret key'])),
        },
      );
      expect(Buffer.from(resealed.envelope).equals(body)).toBe(true);
    } else {
      expect((opened as ReturnType<typeof openResponse>).status).toBe(fields.status);
      const resealed = sealResponseWith(
        {
          server: nodeBoxKeysFromSecretKey(bytesOf(fields['sealer secret key'])),
          request: {
            requestId: bytesOf(fields['answered request id']),
            replyPublicKey: nodeBoxKeysFromSecretKey(bytesOf(fields['reply secret key'])).publicKey,
          },
          status: fields.status!,
          body: bytesOf(fields.body),
        },
        { nonce: bytesOf(fields.nonce) },
      );
      expect(Buffer.from(resealed).equals(body)).toBe(true);
    }
  });

  test('a good request vector opened twice by one server is replayed', () => {
    const { fields, body } = parseVector(readFileSync(join(dir, 'request-good.vector')));
    const replay = new ReplayGuard();
    openVector(fields, new Uint8Array(body), replay);
    expect(outcome(() => openVector(fields, new Uint8Array(body), replay))).toBe('replayed');
  });

  test('the generator reproduces the committed vectors byte for byte', () => {
    const vectors = makeNodeChannelVectors();
    expect(vectors.map((v) => `${v.name}.vector`).sort()).toEqual(files);
    for (const vector of vectors) {
      expect(renderChannelVector(vector).equals(readFileSync(join(dir, `${vector.name}.vector`)))).toBe(true);
    }
  });
});
