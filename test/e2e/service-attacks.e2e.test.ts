/**
 * The SSO service attacked and fed bad input, with real processes on loopback, on both
 * store engines. Attacks: an unapproved node, a replayed node channel request, an impostor
 * at the master secret server's address, a forged identity in a request body, a fuzzed
 * request reader. Bad input: an oversized line, a client gone mid-request, a slow client,
 * a thousand connections at once, a port in use, an unconfigured home, a stale socket, a
 * second service on a live socket, SIGTERM with a request in flight.
 *
 * A genuine response with one byte flipped is refused by openResponse whatever the byte:
 * test/unit/node-channel.test.ts ("a flipped bit anywhere is refused") covers it, so the
 * impostor here answers with a well-formed response sealed by the wrong key instead.
 */

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { createConnection, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import type * as PgModule from 'pg';
import { masterSecretId } from '../../src/crypto/master-secret-id.js';
import {
  newNodeBoxKeys,
  type OpenedRequest,
  openRequest,
  openResponse,
  ReplayGuard,
  sealRequest,
  sealResponse,
} from '../../src/crypto/node-channel.js';
import { homePaths } from '../../src/node/home.js';
import { type NodeKeys, readNodeKeys } from '../../src/node/node-keys.js';
import { MAX_REQUEST_BYTES } from '../../src/service/local-api.js';
import { decodeSecretAnswer, encodeSecretAnswer } from '../../src/service/secret-serving.js';
import { type CliResult, REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { createIdentities, type TestIdentities, whyNoOsUsers } from '../helpers/os-users.js';
import { baseConnection, postgresUnavailable, testPassword } from '../helpers/postgres.js';
import { describeNeeding, testNeeding } from '../helpers/requirements.js';
import {
  type Engine,
  type ServiceNode,
  type ServiceSystem,
  seedApp,
  seedApplication,
  serviceSystem,
  socketGone,
  waitFor,
} from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(120_000);

const require = createRequire(import.meta.url);
const pg = require('pg') as typeof PgModule;
const Sqlite = require('better-sqlite3') as typeof import('better-sqlite3');

const me = userInfo().username;
/** The request deadline the SSO server under test keeps (the production one is 10 s). */
const DEADLINE_MS = 500;
const withDeadline = { env: { SSOKIT_SERVICE_REQUEST_DEADLINE_MS: String(DEADLINE_MS) } };
const CONNECTIONS = 1000;
const FUZZ_RUNS = 400;

const osUsersMissing = whyNoOsUsers();
const testWithUsers = testNeeding(osUsersMissing, 'the forged-identity test (a real OS user)');

// ---- talking to the services ------------------------------------------------------------

interface Answer {
  id: unknown;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string; hint?: string };
}

/** A connection to a service's socket that writes whatever it is given and parses every answer line. */
interface Raw {
  socket: Socket;
  answers: Answer[];
  closed: Promise<void>;
  isClosed(): boolean;
  /** The first answer that matches (already here, or within `ms`). */
  until(match: (answer: Answer) => boolean, ms?: number): Promise<Answer>;
}

async function connectRaw(path: string): Promise<Raw> {
  const socket = createConnection(path);
  await new Promise<void>((resolvePromise, reject) => {
    socket.once('connect', () => resolvePromise());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const answers: Answer[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let closed = false;
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      answers.push(JSON.parse(buffer.slice(0, nl)) as Answer);
      buffer = buffer.slice(nl + 1);
    }
    for (const wake of waiters) wake();
  });
  const closedPromise = new Promise<void>((resolvePromise) =>
    socket.once('close', () => {
      closed = true;
      for (const wake of waiters) wake();
      resolvePromise();
    }),
  );
  return {
    socket,
    answers,
    closed: closedPromise,
    isClosed: () => closed,
    until(match, ms = 5000) {
      const shown = () => {
        try {
          return JSON.stringify(answers).slice(0, 2000);
        } catch {
          return `${answers.length} answers, too deep to show`;
        }
      };
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const found = answers.find(match);
          if (found) return done(() => resolvePromise(found));
          if (closed) done(() => reject(new Error(`closed without the answer; answers: ${shown()}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no such answer within ${ms} ms; answers: ${shown()}`))),
          ms,
        );
        const done = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Resolves when the promise does, or rejects after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]);
}

/** The node's log events of that name, parsed. */
function events(node: ServiceNode, event: string): Record<string, unknown>[] {
  return node.log.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return parsed.event === event ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** `ssokit service run` that is expected to stop by itself: its status and output (killed after `ms`). */
function runServiceToExit(home: string, args: string[], ms = 20_000): Promise<CliResult & { timedOut: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [resolve(REPO_ROOT, 'bin', 'ssokit.js'), '--home', home, 'service', 'run', '--refresh-seconds', '1', ...args],
      { cwd: REPO_ROOT, env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status: status ?? -1, stdout, stderr, timedOut });
    });
  });
}

function post(address: string, path: string, body: Uint8Array): Promise<{ status: number; body: Buffer }> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      {
        host,
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolvePromise(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The soft limit on open files of a process (Linux), or null when /proc does not say. */
function openFileLimit(pid: number | string): number | null {
  let limits: string;
  try {
    limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return null;
  }
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined ? null : soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** A write lock on the store, held until `release`: a credentials write waits for it. */
async function lockStore(
  engine: Engine,
  store: string,
): Promise<{ release(): Promise<void>; waiting(): Promise<boolean> }> {
  if (engine === 'sqlite') {
    const db = new Sqlite(store);
    db.exec('BEGIN IMMEDIATE');
    return {
      async release() {
        db.exec('ROLLBACK');
        db.close();
      },
      // The service waits for a SQLite lock inside the driver: nothing outside can see it waiting.
      waiting: async () => true,
    };
  }
  const connection = { ...baseConnection(), database: decodeURIComponent(new URL(store).pathname.slice(1)) };
  const client = new pg.Client({ ...connection, password: connection.password ?? testPassword() ?? '' });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE credentials IN EXCLUSIVE MODE');
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
    async waiting() {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return (rows[0] as { n: number }).n > 0;
    },
  };
}

// ---- fuzzing ------------------------------------------------------------------------------

const OPERATIONS = ['status', 'health', 'lookup', 'config-get', 'btdf-get', 'list-apps', 'credentials-set'];
const nest = (depth: number, open = '[', close = ']', inner = '') => open.repeat(depth) + inner + close.repeat(depth);

/** What the fuzzer sends, shown shortened when a property fails (a nest can be 40 kB). */
class Sent {
  constructor(readonly line: string | Uint8Array) {}
  [fc.toStringMethod](): string {
    const text =
      typeof this.line === 'string' ? JSON.stringify(this.line) : `bytes ${Buffer.from(this.line).toString('hex')}`;
    return text.length > 200 ? `${text.slice(0, 160)}… (${this.line.length} in all)` : text;
  }
}

/** A line (or a few) for the request reader: text, bytes, JSON of any shape, deep nests, huge numbers. */
const fuzzedLine: fc.Arbitrary<Sent> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 2000 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.uint8Array({ maxLength: 4000 }),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc
      .record(
        {
          id: fc.jsonValue(),
          op: fc.oneof(fc.constantFrom(...OPERATIONS), fc.string({ unit: 'binary' })),
          app: fc.oneof(fc.jsonValue(), fc.constant('payroll'), fc.string({ maxLength: 2000 })),
          user: fc.jsonValue(),
          identifier: fc.jsonValue(),
          values: fc.jsonValue(),
          reveal: fc.jsonValue(),
          runtime: fc.jsonValue(),
        },
        { requiredKeys: ['op'] },
      )
      // credentials-set only on applications that do not exist: the fuzzer must not write.
      .map((r) => JSON.stringify(r.op === 'credentials-set' ? { ...r, app: `nowhere-${String(r.app)}` } : r)),
    fc
      .tuple(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom(
          (d: number) => nest(d),
          (d: number) => nest(d, '{"a":', '}', '1'),
          (d: number) => `{"id":${nest(d)},"op":"status"}`,
          (d: number) => `{"id":${nest(d, '{"a":', '}', '1')},"op":"health"}`,
          (d: number) => `{"op":"status","x":${nest(d)}}`,
          (d: number) => `{"op":${nest(d)}}`,
          (d: number) => `{"op":"lookup","app":${nest(d)}}`,
          (d: number) => `{"op":"lookup","app":"payroll","user":${nest(d)}}`,
          (d: number) => `{"op":"credentials-set","app":"nowhere","user":"x","values":{"a":${nest(d)}}}`,
          (d: number) => '['.repeat(d),
          (d: number) => ']'.repeat(d),
          (d: number) => `{"id":"x","op":"status","a":${'['.repeat(d)}`,
        ),
      )
      .map(([depth, make]) => make(depth)),
    fc
      .tuple(
        fc.bigInt({ min: -(10n ** 400n), max: 10n ** 400n }),
        fc.constantFrom(
          (n: bigint) => `{"id":${n},"op":"status"}`,
          (n: bigint) => `{"id":${n}e999999,"op":"health"}`,
          (n: bigint) => `{"op":"lookup","app":"payroll","reveal":${n}}`,
          (n: bigint) => `{"op":"lookup","app":${n}}`,
          (n: bigint) => `${n}`,
          (n: bigint) => `-${n}.${n}e-${n}`,
        ),
      )
      .map(([n, make]) => make(n)),
  )
  .map((line) => new Sent(line));

// ---- the tests ----------------------------------------------------------------------------

let ids: TestIdentities | undefined;
beforeAll(() => {
  if (osUsersMissing === null) ids = createIdentities(['ledgeradm'], { intruder: [] });
});
afterAll(() => ids?.cleanup());

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const describeEngine =
    engine === 'postgres' ? describeNeeding(postgresUnavailable(), 'the PostgreSQL service attack tests') : describe;

  describeEngine(`the SSO service attacked, on ${engine}`, () => {
    let dir: ReturnType<typeof tempDir>;
    let system: ServiceSystem;
    let sso1Keys: NodeKeys;
    let mssPublicKey: Uint8Array;
    const node = (name: string) => system.nodes[name]!;
    /** sso1, the SSO server most tests aim at, with a short request deadline. */
    const startSso1 = () => system.start('sso1', [], withDeadline);
    const currentSecretId = async () => (await system.status('sso1')).secret.id;

    beforeAll(async () => {
      dir = tempDir();
      // rogue joins and is never approved.
      system = await serviceSystem(dir.path, engine, ['mss', 'sso1', 'rogue'], ['sso1']);
      seedApplication(system, 'mss', 'payroll', me);
      if (ids) {
        // ledger: the intruder is one of its users, and not in its administrators' group.
        seedApp(system, 'mss', {
          name: 'ledger',
          userAccounts: [ids.users.intruder!, me],
          adminAccounts: [ids.groups.ledgeradm!],
          credentials: {
            [me]: {
              externalUser: 'ledger-root',
              values: { 'User ID': 'ledger-root', Password: 'ledger-secret-of-root' },
            },
          },
        });
      }
      await system.start('mss');
      await startSso1();
      const nodes = JSON.parse(system.cli('mss', ['node', 'list', '--json']).stdout) as {
        name: string;
        publicKey: string;
      }[];
      mssPublicKey = new Uint8Array(Buffer.from(nodes.find((n) => n.name === 'mss')!.publicKey, 'base64'));
      sso1Keys = readNodeKeys(homePaths(node('sso1').home))!;
    });
    afterAll(async () => {
      await system?.stopAll();
      dir?.cleanup();
    });
    // One test that kills a service must not fail the ones after it.
    beforeEach(async () => {
      if (!system) return;
      const down = (name: string) => node(name).process?.exitCode !== null;
      if (down('mss')) await system.start('mss');
      if (down('sso1')) await startSso1();
    });

    describe('attacks', () => {
      test('an unapproved node holds no copy, looks nothing up, and the master secret server logs why', async () => {
        await system.start('rogue');
        const status = await system.status('rogue');
        expect(status.role).toBe('SSO server');
        expect(status.secret).toMatchObject({ holds: false, id: null });
        expect(status.secret.lastRefresh).toMatchObject({
          result: 'refused',
          problem: expect.stringMatching(/mss refused this node: unknown-sender/),
        });
        const client = system.client('rogue');
        await expect(client.getCredentials('payroll')).rejects.toMatchObject({
          code: 'NO_SECRET',
          message: expect.stringMatching(/holds no copy of it/),
        });
        client.close();
        const refused = await waitFor(() => {
          const found = events(node('mss'), 'node channel request refused').filter(
            (e) => e.reason === 'unknown-sender',
          );
          return found.length > 0 ? found : undefined;
        }, 5000);
        expect(refused[0]).toMatchObject({
          level: 'warn',
          reason: 'unknown-sender',
          detail: 'unknown-sender: no approved key for rogue',
          remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        });
        // Still pending in the store: starting its service approved nothing.
        const nodes = JSON.parse(system.cli('mss', ['node', 'list', '--json']).stdout) as {
          name: string;
          state: string;
        }[];
        expect(nodes.find((n) => n.name === 'rogue')?.state).toBe('pending');
        expect(await system.kill('rogue', 'SIGTERM')).toBe(0);
      });

      test('a request replayed to the master secret server is refused; the original gave the secret', async () => {
        const sealed = sealRequest({
          from: sso1Keys,
          fromName: 'sso1',
          toPublicKey: mssPublicKey,
          toName: 'mss',
          operation: 'secret',
          body: new Uint8Array(0),
          now: Date.now(),
        });
        const first = await post(node('mss').address, '/v1/secret', sealed.envelope);
        expect(first.status).toBe(200);
        const answer = openResponse({ request: sealed, serverPublicKey: mssPublicKey, envelope: first.body });
        expect(answer.status).toBe('ok');
        const keyring = decodeSecretAnswer(answer.body);
        expect(keyring.current.id).toBe(await currentSecretId());
        expect(masterSecretId(keyring.current.secret)).toBe(keyring.current.id);

        const again = await post(node('mss').address, '/v1/secret', sealed.envelope);
        expect(again.status).toBe(403);
        expect(again.body.toString('utf8')).toBe('replayed');
        await waitFor(
          () => events(node('mss'), 'node channel request refused').find((e) => e.reason === 'replayed'),
          5000,
        );
      });

      testWithUsers('a forged identity in a request body is ignored: the kernel names the caller', async () => {
        const intruder = ids!.users.intruder!;
        const uid = ids!.uids.intruder!;
        const gid = Number(execFileSync('id', ['-g', intruder], { encoding: 'utf8' }).trim());
        const forged = { uid: 0, caller: 'root', groups: ['root', ids!.groups.ledgeradm], pid: 1 };
        const lines = [
          { id: 1, op: 'lookup', app: 'ledger', user: me, reveal: true, ...forged },
          { id: 2, op: 'lookup', app: 'ledger', user: 'someoneelse', ...forged },
          // No user named: the caller's own mapping, and the intruder has none.
          { id: 3, op: 'lookup', app: 'ledger', reveal: true, ...forged },
        ];
        const script = `
          const socket = require('node:net').createConnection(process.argv[1]);
          let text = '';
          const finish = () => { process.stdout.write(text); process.exit(0); };
          socket.setEncoding('utf8');
          socket.on('connect', () => socket.write(process.argv[2]));
          socket.on('data', (d) => { text += d; if (text.split('\\n').length > ${lines.length}) finish(); });
          socket.on('close', finish);
          socket.on('error', (e) => { process.stderr.write(String(e)); process.exit(3); });
          setTimeout(finish, 8000);
        `;
        const run = spawnSync(
          process.execPath,
          ['-e', script, node('sso1').socket, lines.map((l) => `${JSON.stringify(l)}\n`).join('')],
          { uid, gid, cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8', timeout: 15_000 },
        );
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const answers = run.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Answer);
        expect(answers.map((a) => a.id).sort()).toEqual([1, 2, 3]);
        const byId = (id: number) => answers.find((a) => a.id === id)!;
        for (const id of [1, 2]) {
          expect(byId(id)).toEqual({
            id,
            ok: false,
            error: expect.objectContaining({
              code: 'ACCESS_DENIED',
              message: expect.stringContaining(`'${intruder}'`),
            }),
          });
        }
        expect(byId(3)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
        expect(run.stdout).not.toMatch(/ledger-root|ledger-secret-of-root/);

        // The service logged the kernel's caller; the audit has the two denials, in the intruder's name.
        await waitFor(() => {
          const seen = events(node('sso1'), 'request').filter((e) => e.op === 'lookup' && e.uid === uid);
          return seen.length === 3 ? seen : undefined;
        }, 5000);
        expect(
          events(node('sso1'), 'request')
            .filter((e) => e.uid === uid)
            .map((e) => [e.user, e.result])
            .sort(),
        ).toEqual([
          [intruder, 'ACCESS_DENIED'],
          [intruder, 'ACCESS_DENIED'],
          [intruder, 'NOT_FOUND'],
        ]);
        const audit = JSON.parse(system.cli('mss', ['audit', 'list', '--json', '--limit', '200']).stdout) as {
          osUser: string;
          node: string;
          operation: string;
          result: string;
        }[];
        const denials = audit.filter((r) => r.osUser === intruder);
        expect(denials).toHaveLength(2);
        for (const row of denials) {
          expect(row).toMatchObject({
            node: 'sso1',
            operation: 'credentials-lookup',
            result: 'failure: ACCESS_DENIED',
          });
        }
        const lookups = JSON.parse(
          system.cli('mss', ['audit', 'list', '--kind', 'lookups', '--json', '--limit', '1000']).stdout,
        ) as { osUser: string }[];
        expect(lookups.filter((r) => r.osUser === intruder)).toEqual([]);
      });

      test('a fuzzed request reader: every line is answered or ignored, and the service keeps answering', async () => {
        const sso1 = node('sso1');
        let runs = 0;
        let crashedBy: string | undefined;
        await fc.assert(
          fc.asyncProperty(fuzzedLine, async (sent) => {
            // After a crash every run would fail on a dead service: the line that did it is reported below.
            if (crashedBy !== undefined) return;
            runs++;
            let raw: Raw | undefined;
            try {
              raw = await connectRaw(sso1.socket);
              raw.socket.write(sent.line);
              raw.socket.write('\n{"id":"probe","op":"status"}\n');
              const probe = await raw.until((a) => a.id === 'probe', 10_000);
              expect(probe).toMatchObject({ ok: true, result: { node: 'sso1', role: 'SSO server' } });
              // Whatever came back before it is an answer in the protocol's shape, never an internal error.
              for (const answer of raw.answers) {
                expect(typeof answer.ok).toBe('boolean');
                if (!answer.ok) expect(answer.error?.code).not.toBe('INTERNAL');
              }
            } catch (error) {
              await new Promise((r) => setTimeout(r, 200));
              if (sso1.process?.exitCode === null) throw error;
              crashedBy = sent[fc.toStringMethod]();
            } finally {
              raw?.socket.destroy();
            }
          }),
          { numRuns: FUZZ_RUNS },
        );
        if (crashedBy !== undefined) {
          throw new Error(`the service died after ${crashedBy}; its stderr: ${sso1.stderr.join('').slice(0, 2000)}`);
        }
        expect(runs).toBe(FUZZ_RUNS);
        expect(sso1.process?.exitCode).toBeNull();
        expect((await system.status('sso1')).secret.holds).toBe(true);
        expect(sso1.stderr.join('')).toMatch(/^(the SSO service of sso1 is running: [^\n]*\n)+$/);
        const failures = ['request failed', 'request answer failed', 'an answer could not be serialised'];
        expect(sso1.log.filter((l) => failures.some((msg) => l.includes(`"msg":"${msg}"`)))).toEqual([]);
      });

      test('an impostor at the master secret server address is not believed; a restart then holds no copy', async () => {
        const address = node('mss').address;
        const port = Number(address.slice(address.lastIndexOf(':') + 1));
        const unavailableBefore = events(node('sso1'), 'master secret server unavailable').length;
        expect(await system.kill('mss', 'SIGTERM')).toBe(0);
        // The impostor stole sso1's node key (not the master secret server's): it can read
        // sso1's requests, and answers them exactly, with a plausible secret, sealed by a key
        // of its own. Only the pinned key of 'mss' is believed.
        const impostorKeys = newNodeBoxKeys();
        let answered = 0;
        const impostor = createHttpServer((req, res) => {
          void (async () => {
            const envelope = await readBody(req);
            let opened: Pick<OpenedRequest, 'requestId' | 'replyPublicKey'>;
            try {
              opened = openRequest({
                server: { publicKey: sso1Keys.publicKey, secretKey: sso1Keys.secretKey },
                serverName: 'mss',
                envelope,
                publicKeyOf: () => mssPublicKey,
                now: Date.now(),
                replay: new ReplayGuard(),
              });
            } catch {
              opened = { requestId: new Uint8Array(16), replyPublicKey: newNodeBoxKeys().publicKey };
            }
            const fake = new Uint8Array(32).fill(7);
            const body = encodeSecretAnswer({
              current: { id: masterSecretId(fake), generation: 1, secret: fake },
              previous: null,
            });
            answered++;
            res
              .writeHead(200, { 'content-type': 'application/octet-stream' })
              .end(sealResponse({ server: impostorKeys, request: opened, status: 'ok', body }));
          })();
        });
        await new Promise<void>((r) => impostor.listen(port, '127.0.0.1', () => r()));
        try {
          const status = await waitFor(async () => {
            const s = await system.status('sso1');
            return answered > 0 && s.secret.lastRefresh?.result === 'untrusted' ? s : undefined;
          }, 5000);
          expect(status.secret.lastRefresh?.problem).toMatch(new RegExp(`the answer from ${address} is not mss's`));
          // It keeps the copy it had, and reports the master secret server unreachable.
          expect(status.secret.holds).toBe(true);
          expect(status.secret.unreachableSince).not.toBeNull();
          const client = system.client('sso1');
          await expect(client.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
          client.close();
          // One event for the transition (its reason is the impostor's answer, or the closed port just before it).
          expect(events(node('sso1'), 'master secret server unavailable')).toHaveLength(unavailableBefore + 1);

          // Restarted, it has no copy to keep, and the impostor gives it none.
          await system.kill('sso1', 'SIGTERM');
          const before = answered;
          await startSso1();
          const restarted = await system.status('sso1');
          expect(answered).toBeGreaterThan(before);
          expect(restarted.secret).toMatchObject({ holds: false, id: null });
          expect(restarted.secret.lastRefresh?.result).toBe('untrusted');
          const again = system.client('sso1');
          await expect(again.getCredentials('payroll')).rejects.toMatchObject({ code: 'NO_SECRET' });
          again.close();
        } finally {
          await new Promise<void>((r) => {
            impostor.close(() => r());
            impostor.closeAllConnections();
          });
        }
        // The real one back (at a new port, which it records): sso1 recovers.
        await system.start('mss');
        await waitFor(async () => {
          const { secret } = await system.status('sso1');
          return secret.holds && secret.unreachableSince === null ? true : undefined;
        }, 5000);
      });
    });

    describe('bad input', () => {
      test('an oversized request is refused and its connection closed; nothing after it is read; the next is served', async () => {
        const sso1 = node('sso1');
        const raw = await connectRaw(sso1.socket);
        raw.socket.write(
          `{"id":"big","op":"status","pad":"${'x'.repeat(MAX_REQUEST_BYTES + 100)}"}\n{"id":"smuggled","op":"smuggled-after-oversize"}\n`,
        );
        const refusal = await raw.until((a) => a.ok === false, 5000);
        expect(refusal).toMatchObject({
          id: null,
          ok: false,
          error: { code: 'INVALID_INPUT', message: `a request is larger than ${MAX_REQUEST_BYTES} bytes` },
        });
        await within(raw.closed, 5000, 'the refused connection closing');
        expect(raw.answers).toHaveLength(1);
        await waitFor(() => events(sso1, 'request refused').find((e) => e.reason === 'oversized'), 5000);
        const next = await connectRaw(sso1.socket);
        next.socket.write('{"id":2,"op":"status"}\n');
        await expect(next.until((a) => a.id === 2)).resolves.toMatchObject({ ok: true, result: { node: 'sso1' } });
        // The line after the oversized one was never acted upon: the log has a later request, and not it.
        next.socket.write('{"id":3,"op":"marker-after-oversize"}\n');
        await expect(next.until((a) => a.id === 3)).resolves.toMatchObject({ ok: false, error: { code: 'USAGE' } });
        next.socket.destroy();
        await waitFor(() => events(sso1, 'request').find((e) => e.op === 'marker-after-oversize'), 3000);
        expect(events(sso1, 'request').filter((e) => e.op === 'smuggled-after-oversize')).toEqual([]);
      });

      test('a client that disconnects mid-request leaves the service fine', async () => {
        const sso1 = node('sso1');
        for (let i = 0; i < 20; i++) {
          const raw = await connectRaw(sso1.socket);
          raw.socket.write('{"id":1,"op":"lookup","app":"pay');
          raw.socket.destroy();
        }
        const client = system.client('sso1');
        await expect(client.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
        // Nothing left open but this client's own connection.
        await waitFor(async () => ((await client.status()).connections === 1 ? true : undefined), 3000);
        client.close();
        expect(sso1.process?.exitCode).toBeNull();
        expect(events(sso1, 'request refused')).toEqual(
          expect.not.arrayContaining([expect.objectContaining({ reason: 'slow' })]),
        );
      });

      test('a slow client is refused at the request deadline, counted from the first byte', async () => {
        const sso1 = node('sso1');
        const raw = await connectRaw(sso1.socket);
        const line = '{"id":"slow","op":"status"}\n';
        const started = Date.now();
        let sent = 0;
        // A byte every 100 ms: each one well within the deadline, the whole far beyond it.
        const trickle = setInterval(() => {
          if (sent < line.length && !raw.isClosed()) raw.socket.write(line[sent++]!);
        }, 100);
        try {
          const refusal = await raw.until((a) => a.ok === false, 2000 + DEADLINE_MS);
          const after = Date.now() - started;
          expect(refusal).toMatchObject({
            id: null,
            error: { code: 'INVALID_INPUT', message: 'the request was not completed in time' },
          });
          expect(after).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
          expect(after).toBeLessThan(DEADLINE_MS + 1000);
          await within(raw.closed, 3000, 'the slow connection closing');
        } finally {
          clearInterval(trickle);
        }
        expect(sent).toBeLessThan(line.length);
        expect(raw.answers.some((a) => a.id === 'slow')).toBe(false);
        await waitFor(() => events(sso1, 'request refused').find((e) => e.reason === 'slow'), 3000);
      });

      test(`${CONNECTIONS} connections at once, each asking for the status: all are answered`, async () => {
        const sso1 = node('sso1');
        const needed = CONNECTIONS + 200;
        for (const pid of [process.pid, sso1.process!.pid!]) {
          const limit = openFileLimit(pid);
          if (limit !== null && limit < needed) {
            throw new Error(
              `process ${pid} may open ${limit} files, fewer than the ${needed} this test needs: raise ulimit -n`,
            );
          }
        }
        const raws = await Promise.all(Array.from({ length: CONNECTIONS }, () => connectRaw(sso1.socket)));
        try {
          for (const [i, raw] of raws.entries()) raw.socket.write(`{"id":${i},"op":"status"}\n`);
          const answers = await Promise.all(raws.map((raw, i) => raw.until((a) => a.id === i, 30_000)));
          expect(answers.filter((a) => a.ok && a.result?.node === 'sso1')).toHaveLength(CONNECTIONS);
          // The last to be answered saw (nearly) all of them open.
          expect(Math.max(...answers.map((a) => Number(a.result?.connections)))).toBeGreaterThanOrEqual(CONNECTIONS);
        } finally {
          for (const raw of raws) raw.socket.destroy();
        }
        expect(sso1.process?.exitCode).toBeNull();
      });

      test('a port in use: the service exits with one clear line naming it, and leaves no socket', async () => {
        const rogue = node('rogue');
        expect(socketGone(rogue)).toBe(true);
        const holder: Server = createTcpServer();
        await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
        const port = (holder.address() as { port: number }).port;
        try {
          const run = await runServiceToExit(rogue.home, ['--listen', `127.0.0.1:${port}`]);
          expect(run.timedOut).toBe(false);
          expect(run.status).not.toBe(0);
          const errors = run.stderr.split('\n').filter((l) => l.startsWith('ssokit: error:'));
          expect(errors).toEqual([`ssokit: error: the service cannot listen on 127.0.0.1:${port}: the port is in use`]);
          expect(socketGone(rogue)).toBe(true);
        } finally {
          holder.close();
        }
      });

      test('an unconfigured home: exit 30 (NOT_CONFIGURED)', async () => {
        const empty = join(dir.path, 'unconfigured');
        mkdirSync(empty, { mode: 0o700 });
        const run = await runServiceToExit(empty, ['--listen', '127.0.0.1:0']);
        expect(run.timedOut).toBe(false);
        expect(run.status).toBe(30);
        expect(run.stderr).toMatch(/^ssokit: error: this node is not part of an SSO system yet/);
        expect(existsSync(join(empty, 'service.sock'))).toBe(false);
      });

      test('a socket left by a killed service is removed by the next start, which serves', async () => {
        const sso1 = node('sso1');
        await system.kill('sso1', 'SIGKILL');
        expect(existsSync(sso1.socket)).toBe(true);
        await startSso1();
        await waitFor(() => events(sso1, 'stale socket removed').find((e) => e.socket === sso1.socket), 3000);
        const client = system.client('sso1');
        await waitFor(async () => ((await client.status()).secret.holds ? true : undefined), 5000);
        await expect(client.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
        client.close();
      });

      test('a second service on a live socket is refused with a clear error; the first keeps serving', async () => {
        const sso1 = node('sso1');
        const run = await runServiceToExit(sso1.home, ['--listen', '127.0.0.1:0']);
        expect(run.timedOut).toBe(false);
        expect(run.status).toBe(53);
        expect(run.stderr.split('\n').filter((l) => l.startsWith('ssokit: error:'))).toEqual([
          `ssokit: error: an SSO service is already running on ${sso1.socket}`,
        ]);
        expect(existsSync(sso1.socket)).toBe(true);
        expect(sso1.process?.exitCode).toBeNull();
        const client = system.client('sso1');
        await expect(client.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
        expect((await client.status()).listen).toBe(sso1.address);
        client.close();
      });

      test('SIGTERM with a request in flight: it is answered, the process exits 0, the socket is gone', async () => {
        const sso1 = node('sso1');
        // A write needs the master secret server reachable (a test before may have restarted sso1).
        await waitFor(async () => {
          const { secret } = await system.status('sso1');
          return secret.holds && secret.unreachableSince === null ? true : undefined;
        }, 5000);
        const lock = await lockStore(engine, system.store);
        let raw: Raw | undefined;
        try {
          raw = await connectRaw(sso1.socket);
          // A credentials write (the same values again): it waits for the lock.
          const values = { 'User ID': `${me}-ext`, Password: `pw-of-${me}` };
          raw.socket.write(
            `${JSON.stringify({ id: 'inflight', op: 'credentials-set', app: 'payroll', user: me, externalUser: `${me}-ext`, values })}\n`,
          );
          await waitFor(async () => {
            if (raw!.answers.length > 0)
              throw new Error(`answered while the store was locked: ${JSON.stringify(raw!.answers)}`);
            return (await lock.waiting()) ? true : undefined;
          }, 5000);
          await new Promise((r) => setTimeout(r, 200));
          expect(raw.answers).toEqual([]);
          const exited = system.kill('sso1', 'SIGTERM');
          await new Promise((r) => setTimeout(r, 500));
          expect(raw.answers).toEqual([]);
          await lock.release();
          const answer = await raw.until((a) => a.id === 'inflight', 10_000);
          expect(answer).toMatchObject({ ok: true, result: { app: 'payroll', user: me, created: false } });
          expect(await within(exited, 10_000, 'the service exiting')).toBe(0);
        } finally {
          raw?.socket.destroy();
          await lock.release().catch(() => undefined);
        }
        expect(socketGone(sso1)).toBe(true);
        expect(events(sso1, 'service stopped').length).toBeGreaterThan(0);
      });
    });
  });
}
