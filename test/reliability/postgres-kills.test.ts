// Issue 13: kill trials on a PostgreSQL store. A client SIGKILLed in the middle of a long
// transaction (a bulk `credentials import`, a `secret reencrypt`), and the server restarted
// under the same commands: nothing is lost, nothing is half-done, the writers' lock is
// released, `check` finds nothing, and running the command again finishes.
//
// The trials run on a server of this file's own (privateServer): a restart of the shared
// test server would end the connections of the test files running beside this one.
//
// When a kill counts (as in test/crash/trial.ts): the process died of this file's SIGKILL
// (so it was still running when the signal was sent) and had written nothing to stdout
// (each command prints its result once its work is committed). Kills are timed from the
// moment the command is seen holding the writers' advisory lock, at fractions of how long
// an uninterrupted run held it, so they land inside its transactions whatever the load.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as PgModule from 'pg';
import type { PostgresConnection } from '../../src/store/open-store.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import {
  freshDatabase,
  type PrivateServer,
  privateServer,
  privateServerUnavailable,
  storeUrl,
  type TestDatabase,
} from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml } from '../helpers/xml.js';

const pg = createRequire(import.meta.url)('pg') as typeof PgModule;

const APPS = 20;
/** Credentials the store holds before the trials (made on SQLite, then `db copy`): two re-encryption batches. */
const SEED = 10_500;
/**
 * Lines of each import file. 20,000 take about 31 s on PostgreSQL here (2 s on SQLite: the
 * import makes several round trips a line), too long for npm test;
 * SSOKIT_PGKILL_IMPORT_LINES=20000 runs the trials with them.
 */
const IMPORT_LINES = Number(process.env.SSOKIT_PGKILL_IMPORT_LINES ?? 1500);
/** Where in the writers' lock window of an uninterrupted run each kill is sent. */
const IMPORT_KILLS = [0.2, 0.5, 0.8];
/** A re-encryption moves 10,000 rows a transaction: early, in the first batch, between, at the end. */
const REENCRYPT_KILLS = [0.15, 0.45, 0.65, 0.85];
const RESTART_FRACTION = 0.35;
const FIGURES = process.env.SSOKIT_RELIABILITY_FIGURES === '1';
/** Per test: ample for the default files on a loaded machine, more for larger ones. */
const TIMEOUT_MS = 180_000 + IMPORT_LINES * 20;

interface Outcome {
  status: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  /** From the spawn: when the writers' lock was first and last seen held, and the end. */
  firstHeldMs: number | null;
  lastHeldMs: number | null;
  ms: number;
  /** When an action was planned: its time from the spawn, and whether the lock was held just before it. */
  actedAtMs: number | null;
  heldWhenActed: boolean | null;
}

/** Watches the store's database for the writers' advisory lock, on a connection of its own. */
class LockWatch {
  #client: PgModule.Client | null = null;
  constructor(
    private readonly connection: PostgresConnection,
    private readonly database: string,
  ) {}

  async held(): Promise<boolean> {
    try {
      if (!this.#client) {
        const client = new pg.Client({ ...this.connection });
        client.on('error', () => undefined);
        await client.connect();
        this.#client = client;
      }
      const result = await this.#client.query(
        `SELECT COUNT(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`,
        [this.database],
      );
      return (result.rows[0] as { n: number }).n > 0;
    } catch {
      // The server restarted or is restarting: connect again at the next call.
      await this.close();
      return false;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeNeeding(privateServerUnavailable(), 'the PostgreSQL kill trials')('kill trials on PostgreSQL', () => {
  let server: PrivateServer;
  let db: TestDatabase;
  let dir: ReturnType<typeof tempDir>;
  let watch: LockWatch;
  const figures: string[] = [];

  const bin = (tool: string) => join(REPO_ROOT, 'bin', `${tool}.js`);
  const env = () => testEnv(server.env);

  /** Runs an ssokit command on the node to its end. */
  function ssokit(...args: string[]): Promise<{ status: number; stdout: string; stderr: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [bin('ssokit'), '--home', 'alpha', ...args], { cwd: dir.path, env: env() });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status) =>
        resolve({ status: status ?? -1, stdout, stderr, ms: Math.round(performance.now() - started) }),
      );
    });
  }

  const ok = async (...args: string[]) => {
    const r = await ssokit(...args);
    if (r.status !== 0) throw new Error(`ssokit ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r;
  };

  /**
   * Runs a command while watching the writers' lock. With a plan, `act` is called once the
   * lock has been seen held for `delayMs` (a kill, a restart); without one it runs to its end.
   */
  function watched(args: string[], plan?: { delayMs: number; act: (child: ReturnType<typeof spawn>) => void }) {
    return new Promise<Outcome>((resolve, reject) => {
      const started = performance.now();
      const since = () => Math.round(performance.now() - started);
      const child = spawn(process.execPath, [bin('ssokit'), '--home', 'alpha', ...args], { cwd: dir.path, env: env() });
      const outcome: Outcome = {
        status: null,
        killed: false,
        stdout: '',
        stderr: '',
        firstHeldMs: null,
        lastHeldMs: null,
        ms: 0,
        actedAtMs: null,
        heldWhenActed: null,
      };
      let running = true;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (outcome.stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (outcome.stderr += d));
      child.on('error', reject);
      const polling = (async () => {
        while (running) {
          const held = await watch.held();
          if (!running) break;
          if (held) {
            outcome.firstHeldMs ??= since();
            outcome.lastHeldMs = since();
          }
          if (plan && outcome.actedAtMs === null && outcome.firstHeldMs !== null) {
            const due = outcome.firstHeldMs + plan.delayMs - since();
            if (due <= 25) {
              if (due > 0) await sleep(due);
              outcome.heldWhenActed = await watch.held();
              outcome.actedAtMs = since();
              if (running) plan.act(child);
              continue;
            }
          }
          await sleep(20);
        }
      })();
      child.on('close', (status, signal) => {
        running = false;
        outcome.status = status;
        outcome.killed = signal === 'SIGKILL';
        outcome.ms = since();
        polling.then(() => resolve(outcome), reject);
      });
    });
  }

  const killAt = (args: string[], delayMs: number) => watched(args, { delayMs, act: (child) => child.kill('SIGKILL') });

  /** How long an uninterrupted run holds the writers' lock, from its first hold to its last. */
  async function calibrate(args: string[]): Promise<number> {
    const run = await watched(args);
    if (run.status !== 0) throw new Error(`ssokit ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    if (run.firstHeldMs === null || run.lastHeldMs === null) throw new Error('the writers lock was never seen held');
    figures.push(
      `${args.join(' ')}: uninterrupted ${run.ms} ms, the writers' lock held from ${run.firstHeldMs} to ${run.lastHeldMs} ms`,
    );
    return Math.max(50, run.lastHeldMs - run.firstHeldMs);
  }

  /** Why a kill did not land while the command ran, or '' when it did (test/crash/trial.ts). */
  const missed = (o: Outcome) =>
    !o.killed
      ? `the command had ended (status ${o.status}${o.status ? `: ${o.stderr.trim().split('\n')[0]}` : ''}) before the kill`
      : o.stdout
        ? 'the command had printed its result before the kill'
        : '';

  async function counts() {
    const client = new pg.Client({ ...db.connection });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT (SELECT COUNT(*) FROM mappings)::int AS mappings,
                (SELECT COUNT(*) FROM credentials)::int AS credentials,
                (SELECT COUNT(*) FROM data_keys WHERE state = 'active')::int AS active,
                (SELECT COUNT(*) FROM data_keys WHERE state = 'retiring')::int AS retiring,
                (SELECT COUNT(*) FROM credentials c JOIN data_keys k ON k.id = c.data_key_id
                  WHERE k.state = 'active')::int AS moved,
                (SELECT COALESCE(MAX(id), 0) FROM data_keys)::int AS "maxKey"`,
      );
      return rows[0] as {
        mappings: number;
        credentials: number;
        active: number;
        retiring: number;
        moved: number;
        maxKey: number;
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** `ssokit check`: the problems it finds, and how many sealed items did not open. */
  async function check(): Promise<string[]> {
    const r = await ssokit('check', '--json');
    if (r.status !== 0 && r.status !== 70) return [`check exited ${r.status}: ${r.stderr.trim()}`];
    const report = JSON.parse(r.stdout) as {
      counts: { dataKeys: number; credentials: number; configEntries: number; opened: number };
      findings: { level: string; message: string }[];
    };
    const { dataKeys, credentials, configEntries, opened } = report.counts;
    const problems = report.findings.filter((f) => f.level === 'problem').map((f) => f.message);
    if (opened !== dataKeys + credentials + configEntries) {
      problems.push(`${dataKeys + credentials + configEntries - opened} keys or credentials do not open`);
    }
    if (r.status !== 0 && problems.length === 0) problems.push(`check exited ${r.status}`);
    return problems;
  }

  /** After a kill: the lock is released at once, and another writer gets through. */
  async function lockReleased(): Promise<{ releasedMs: number; writerMs: number }> {
    const started = performance.now();
    while (await watch.held()) {
      if (performance.now() - started > 10_000) throw new Error("the writers' lock is still held 10 s after the kill");
      await sleep(10);
    }
    const releasedMs = Math.round(performance.now() - started);
    const writer = await ssokit(
      'credentials',
      'set',
      'CORP\\probe',
      'App0',
      '--external-user',
      'P',
      '--fields-file',
      'probe.json',
    );
    expect([writer.status, writer.stderr]).toEqual([0, '']);
    // Well inside the 30 s busy timeout: it did not wait for a lock a dead client held.
    expect(writer.ms).toBeLessThan(10_000);
    return { releasedMs, writerMs: writer.ms };
  }

  /** The one error sentence (and hint) a failed command prints: no stack trace, no JavaScript error. */
  function expectCleanFailure(o: Outcome): void {
    expect([13, 31]).toContain(o.status);
    const lines = o.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ssokit: error: (the connection to the credential store|cannot connect|the PostgreSQL)/);
    expect(lines.slice(1).every((line) => /^ssokit: hint: /.test(line))).toBe(true);
    expect(o.stderr).not.toMatch(/^\s+at |\b[A-Z]\w*Error\b:/m);
  }

  const importLine = (file: string, i: number) =>
    JSON.stringify({
      user: `CORP\\${file}_${i}`,
      app: `App${i % APPS}`,
      externalUser: `${file.toUpperCase()}${i}`,
      fields: { 'User ID': `${file.toUpperCase()}${i}`, Password: `pw-${file}-${i}` },
    });
  const importFile = (file: string, lines: number) =>
    writeFileSync(
      join(dir.path, `${file}.jsonl`),
      `${Array.from({ length: lines }, (_, i) => importLine(file, i)).join('\n')}\n`,
    );

  beforeAll(async () => {
    server = await privateServer();
    dir = tempDir('ssokit-pgkill-');
    db = await freshDatabase('kills', server.connection);
    watch = new LockWatch(db.connection, db.name);
    writeFileSync(join(dir.path, 'pw'), 'kill-password-1\n', { mode: 0o600 });
    writeFileSync(join(dir.path, 'probe.json'), JSON.stringify({ 'User ID': 'P', Password: 'probe-pw' }), {
      mode: 0o600,
    });
    writeFileSync(join(dir.path, 'apps.xml'), appXml(Array.from({ length: APPS }, (_, a) => ({ name: `App${a}` }))));
    importFile('seed', SEED);
    // The store is filled on SQLite (an import there is quick), then copied into the database.
    await ok('--node-name', 'alpha', 'init', '--backup', 'alpha.bak', '--reminder', 'r', '--password-file', 'pw');
    await ok('app', 'create', 'apps.xml');
    await ok('credentials', 'import', 'seed.jsonl');
    await ok('credentials', 'set', 'CORP\\probe', 'App0', '--external-user', 'P', '--fields-file', 'probe.json');
    const url = storeUrl(db, server.url);
    await ok('db', 'copy', '--to', url);
    await ok('join', '--db', url);
    expect((await ok('db', 'where')).stdout).toBe(`${url}\n`);
  }, TIMEOUT_MS);

  afterAll(async () => {
    if (FIGURES) console.log(figures.join('\n'));
    await watch?.close();
    await db?.drop().catch(() => undefined);
    await server?.stop();
    dir?.cleanup();
  });

  /**
   * Kills `args` at each fraction of the writers' lock window, judging the store after each
   * kill (`judge` says how it is, starting "half-done" when it is not whole). A kill that
   * misses (the command was quicker than its calibration) is tried again, earlier, up to
   * twice; a miss that ran to its end is an uninterrupted run, and the window shrinks to it.
   */
  async function killTrials(
    label: string,
    args: string[],
    fractions: number[],
    calibrated: number,
    judge: () => Promise<string>,
  ): Promise<{ landed: number; tried: number; failures: string[] }> {
    let window = calibrated;
    const failures: string[] = [];
    let landed = 0;
    let tried = 0;
    for (const fraction of fractions) {
      for (let attempt = 0, f = fraction; attempt < 3; attempt++, f *= 0.6) {
        tried++;
        const o = await killAt(args, Math.round(f * window));
        const why = missed(o);
        const state = await judge();
        if (state.startsWith('half')) failures.push(`killed at ${o.actedAtMs} ms: ${state}`);
        const lock = await lockReleased();
        for (const problem of await check()) failures.push(`killed at ${o.actedAtMs} ms: check: ${problem}`);
        figures.push(
          `${label} kill at ${Math.round(f * 100)}% (${o.actedAtMs} ms of ${o.ms}; lock held ${o.heldWhenActed}): ${why || 'landed'}; ${state}; lock free after ${lock.releasedMs} ms, next writer ${lock.writerMs} ms`,
        );
        if (!why) {
          landed++;
          break;
        }
        if (o.status === 0 && o.firstHeldMs !== null && o.lastHeldMs !== null) {
          window = Math.min(window, Math.max(50, o.lastHeldMs - o.firstHeldMs));
        }
      }
    }
    figures.push(`${label} kills: ${landed} landed / ${tried} sent`);
    return { landed, tried, failures };
  }

  test(
    'credentials import: killed mid-transaction at three points, all or nothing; the lock goes with the client',
    async () => {
      importFile('calibration', IMPORT_LINES);
      importFile('killed', IMPORT_LINES);
      const window = await calibrate(['credentials', 'import', 'calibration.jsonl']);
      const before = await counts();
      const after = { mappings: before.mappings + IMPORT_LINES, credentials: before.credentials + IMPORT_LINES };
      const { landed, failures } = await killTrials(
        'import',
        ['credentials', 'import', 'killed.jsonl'],
        IMPORT_KILLS,
        window,
        async () => {
          const now = await counts();
          if (now.mappings === before.mappings && now.credentials === before.credentials) return 'as before';
          if (now.mappings === after.mappings && now.credentials === after.credentials) return 'as after';
          return `half-done: ${now.mappings - before.mappings} mappings and ${now.credentials - before.credentials} credentials more`;
        },
      );
      expect(failures).toEqual([]);
      // Every point was reached while the command ran (the figures say how, when not).
      expect({ landed, figures }).toEqual({ landed: IMPORT_KILLS.length, figures });
      // Running it again finishes.
      const again = await ok('credentials', 'import', 'killed.jsonl');
      expect(again.stdout).toContain(`${IMPORT_LINES} credential(s) imported`);
      expect(await counts()).toMatchObject(after);
      expect(await check()).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    'credentials import: the server restarted under it fails cleanly, nothing half-done; run again, it finishes',
    async () => {
      importFile('restarted', IMPORT_LINES);
      const window = await calibrate(['credentials', 'import', 'calibration.jsonl']); // a re-import: same length
      const before = await counts();
      let failed: Outcome | null = null;
      for (let attempt = 0, f = RESTART_FRACTION; attempt < 2 && !failed; attempt++, f *= 0.5) {
        let restart: Promise<number> = Promise.resolve(0);
        const o = await watched(['credentials', 'import', 'restarted.jsonl'], {
          delayMs: Math.round(f * window),
          act: () => {
            restart = server.restart('fast');
          },
        });
        const restartMs = await restart;
        figures.push(
          `import, server restarted at ${o.actedAtMs} ms (restart took ${Math.round(restartMs)} ms): exit ${o.status}: ${o.stderr.split('\n')[0]}`,
        );
        if (o.status !== 0) failed = o;
      }
      expect(failed).not.toBeNull();
      expectCleanFailure(failed!);
      expect(failed!.stdout).toBe('');
      expect(await counts()).toMatchObject({ mappings: before.mappings, credentials: before.credentials });
      expect(await check()).toEqual([]);
      const again = await ok('credentials', 'import', 'restarted.jsonl');
      expect(again.stdout).toContain(`${IMPORT_LINES} credential(s) imported`);
      expect(await counts()).toMatchObject({
        mappings: before.mappings + IMPORT_LINES,
        credentials: before.credentials + IMPORT_LINES,
      });
      expect(await check()).toEqual([]);
    },
    TIMEOUT_MS,
  );

  /** Nothing half-done by a re-encryption: every credential still there, under a key of its application. */
  function reencryptState(now: Awaited<ReturnType<typeof counts>>, total: number): string {
    if (now.credentials !== total) return `half-done: ${now.credentials} credentials, expected ${total}`;
    if (now.active !== APPS) return `half-done: ${now.active} active data keys`;
    if (now.retiring === 0) return now.moved === total ? 'not started, or finished' : 'half-done: rows off any key';
    if (now.retiring !== APPS) return `half-done: ${now.retiring} retiring data keys`;
    return `resumable: ${now.moved} of ${total} moved`;
  }

  test(
    'secret reencrypt: killed at four points, every credential opens; run again, it finishes',
    async () => {
      const window = await calibrate(['secret', 'reencrypt']);
      const start = await counts();
      const total = start.credentials;
      const { landed, failures } = await killTrials(
        'reencrypt',
        ['secret', 'reencrypt'],
        REENCRYPT_KILLS,
        window,
        async () => reencryptState(await counts(), total),
      );
      expect(failures).toEqual([]);
      expect({ landed, figures }).toEqual({ landed: REENCRYPT_KILLS.length, figures });
      const again = await ok('secret', 'reencrypt');
      expect(again.stdout).toMatch(/re-encrypted under new data keys/);
      const end = await counts();
      expect(end).toMatchObject({ credentials: total, active: APPS, retiring: 0, moved: total });
      expect(await check()).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    'secret reencrypt: the server restarted under it fails cleanly, every credential opens; run again, it finishes',
    async () => {
      const window = await calibrate(['secret', 'reencrypt']);
      const total = (await counts()).credentials;
      const keysAtStart = (await counts()).maxKey;
      let failed: Outcome | null = null;
      for (let attempt = 0, f = RESTART_FRACTION; attempt < 2 && !failed; attempt++, f *= 0.5) {
        let restart: Promise<number> = Promise.resolve(0);
        const o = await watched(['secret', 'reencrypt'], {
          delayMs: Math.round(f * window),
          act: () => {
            restart = server.restart('fast');
          },
        });
        const restartMs = await restart;
        figures.push(
          `reencrypt, server restarted at ${o.actedAtMs} ms (restart took ${Math.round(restartMs)} ms): exit ${o.status}: ${o.stderr.split('\n')[0]}`,
        );
        if (o.status !== 0) failed = o;
      }
      expect(failed).not.toBeNull();
      expectCleanFailure(failed!);
      const state = reencryptState(await counts(), total);
      expect(state).not.toMatch(/^half/);
      expect(await check()).toEqual([]);
      const again = await ok('secret', 'reencrypt');
      expect(again.stdout).toMatch(/re-encrypted under new data keys/);
      const end = await counts();
      expect(end).toMatchObject({ credentials: total, active: APPS, retiring: 0, moved: total });
      // Every credential is under a key made by this test's last re-encryption or after it.
      expect(end.maxKey).toBeGreaterThan(keysAtStart);
      expect(await check()).toEqual([]);
      // What was sealed reads back the same: a seeded credential and an imported one.
      for (const [user, app, password] of [
        ['CORP\\seed_7', 'App7', 'pw-seed-7'],
        ['CORP\\killed_21', 'App1', 'pw-killed-21'],
      ] as const) {
        const got = JSON.parse((await ok('credentials', 'get', user, app, '--reveal', '--json')).stdout) as {
          fields: { value: string }[];
        };
        expect(got.fields.map((f) => f.value)).toEqual([user === 'CORP\\seed_7' ? 'SEED7' : 'KILLED21', password]);
      }
    },
    TIMEOUT_MS,
  );
});
