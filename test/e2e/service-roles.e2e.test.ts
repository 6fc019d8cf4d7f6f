/**
 * The SSO service's roles with real OS users, on both store engines: a master secret
 * server and two SSO servers run as this process's user (root in CI), and child processes
 * run as test users made with useradd. An application user reads their own credentials
 * only, an application administrator anyone's, a user in no account nothing; every
 * refusal is audited under the real user's name. What a request says of its sender is
 * ignored (the kernel's identity wins), and nothing in the homes but the socket is theirs.
 *
 * The children run through runuser, which sets the user's groups as a login does: Node's
 * spawn({ uid, gid }) drops every supplementary group (libuv calls setgroups(0, NULL)),
 * and the roles come from group membership. One check spawns that way on purpose.
 */

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jest } from '@jest/globals';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { createIdentities, type TestIdentities, whyNoOsUsers } from '../helpers/os-users.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { type Engine, type ServiceSystem, seedApp, serviceSystem, waitFor } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(60_000);

const SERVERS = ['sso1', 'sso2'] as const;

/** One thing a child does, as the user it runs as. */
type Step =
  | { kind: 'lookup'; socket: string; app: string; user?: string }
  | { kind: 'config'; socket: string; app: string }
  | { kind: 'set'; socket: string; app: string; user: string; values: Record<string, string> }
  | { kind: 'raw'; socket: string; line: string }
  | { kind: 'connect'; socket: string }
  | { kind: 'read'; path: string }
  | { kind: 'list'; path: string };

/** What it got: the answer, the service's error (code, exit status, HRESULT, sentence), or a file error's code. */
interface Outcome {
  ok: boolean;
  value?: unknown;
  code?: string;
  exit?: number;
  hresult?: number;
  message?: string;
}

interface ChildReport {
  uid: number;
  groups: number[];
  results: Record<string, Outcome>;
}

/**
 * The child: imports the built SsoClient by absolute path (after it runs as the user, so
 * that reading dist/ is checked too), runs the steps, prints one JSON line.
 */
const CHILD = `import { readFileSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';

const plan = JSON.parse(process.argv[2]);
const fail = (error) =>
  error && error.name === 'SsoError'
    ? { ok: false, code: error.code, exit: error.exitStatus, hresult: error.esso.hresult, message: error.message }
    : { ok: false, code: error?.code ?? 'UNKNOWN', message: String(error?.message ?? error) };

function raw(socket, line) {
  return new Promise((resolve) => {
    const s = createConnection(socket);
    let got = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(line + '\\n'));
    s.on('data', (d) => {
      got += d;
      if (got.includes('\\n')) {
        s.destroy();
        const answer = JSON.parse(got.slice(0, got.indexOf('\\n')));
        resolve(answer.ok ? { ok: true, value: answer.result } : { ok: false, code: answer.error.code, hresult: answer.error.esso.hresult, message: answer.error.message });
      }
    });
    s.on('error', (e) => resolve(fail(e)));
  });
}

function connect(socket) {
  return new Promise((resolve) => {
    const s = createConnection(socket);
    s.on('connect', () => { s.destroy(); resolve({ ok: true }); });
    s.on('error', (e) => resolve(fail(e)));
  });
}

const { SsoClient } = await import(plan.client);
const clients = new Map();
const client = (socket) => {
  if (!clients.has(socket)) clients.set(socket, new SsoClient({ socket, timeoutMs: 10000 }));
  return clients.get(socket);
};
const results = {};
for (const [name, step] of Object.entries(plan.steps)) {
  try {
    let value;
    if (step.kind === 'lookup') value = await client(step.socket).getCredentials(step.app, { reveal: true, ...(step.user ? { user: step.user } : {}) });
    else if (step.kind === 'config') value = await client(step.socket).getConfig(step.app, undefined, { runtime: true });
    else if (step.kind === 'set') value = await client(step.socket).setCredentials(step.app, step.user, step.values, { externalUser: 'x' });
    else if (step.kind === 'raw') { results[name] = await raw(step.socket, step.line); continue; }
    else if (step.kind === 'connect') { results[name] = await connect(step.socket); continue; }
    else if (step.kind === 'read') value = readFileSync(step.path).length;
    else if (step.kind === 'list') value = readdirSync(step.path);
    results[name] = { ok: true, value };
  } catch (error) {
    results[name] = fail(error);
  }
}
for (const c of clients.values()) c.close();
process.stdout.write(JSON.stringify({ uid: process.getuid(), groups: process.getgroups(), results }) + '\\n');
`;

/** Null when every folder on the way to `path` can be entered by others and the file read by them. */
function unreadableByOthers(path: string): string | null {
  for (let at = dirname(path); ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return `${at} cannot be entered by other users`;
    if (dirname(at) === at) break;
  }
  return (statSync(path).mode & 0o004) === 0 ? `${path} cannot be read by other users` : null;
}

const describeWithUsers = describeNeeding(whyNoOsUsers(), 'the SSO service role tests');

describeWithUsers('the SSO service, called by real OS users', () => {
  let ids: TestIdentities;
  const name = (who: string) => ids.users[who]!;

  beforeAll(() => {
    ids = createIdentities(['appusers', 'appadmins'], {
      alice: ['appusers'],
      bob: ['appadmins'],
      mallory: [],
    });
  });
  afterAll(() => ids?.cleanup());

  for (const engine of ['sqlite', 'postgres'] as Engine[]) {
    const describeEngine =
      engine === 'postgres' ? describeNeeding(postgresUnavailable(), 'the PostgreSQL service role tests') : describe;

    describeEngine(`on ${engine}`, () => {
      let dir: ReturnType<typeof tempDir>;
      let system: ServiceSystem;
      let script: string;
      const client = join(REPO_ROOT, 'dist', 'src', 'index.js');
      const socket = (node: string) => system.nodes[node]!.socket;
      const home = (node: string) => system.nodes[node]!.home;

      /** Runs the steps as `who`: with their groups (runuser), or with { uid, gid } and none. */
      const runAs = (who: string, steps: Record<string, Step>, how: 'login' | 'uid-gid' = 'login') =>
        new Promise<ChildReport>((resolve, reject) => {
          const args = [script, JSON.stringify({ client: pathToFileURL(client).href, steps })];
          const child =
            how === 'login'
              ? spawn('runuser', ['-u', name(who), '--', process.execPath, ...args], { cwd: '/', env: testEnv() })
              : spawn(process.execPath, args, {
                  cwd: '/',
                  env: testEnv(),
                  uid: ids.uids[who]!,
                  gid: Number(execFileSync('id', ['-g', name(who)], { encoding: 'utf8' }).trim()),
                });
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            stdout += d;
          });
          child.stderr.setEncoding('utf8').on('data', (d: string) => {
            stderr += d;
          });
          child.on('error', reject);
          child.on('close', (status) => {
            if (status !== 0) return reject(new Error(`the child of ${who} exited ${status}: ${stderr}`));
            resolve(JSON.parse(stdout) as ChildReport);
          });
        });

      const denied = (who: string) => ({
        ok: false,
        code: 'ACCESS_DENIED',
        exit: 50,
        hresult: 0xc0002a5a,
        message: expect.stringContaining(`needs the OS user '${name(who)}'`),
      });

      beforeAll(async () => {
        dir = tempDir();
        system = await serviceSystem(dir.path, engine, ['mss', ...SERVERS]);
        const accounts = { userAccounts: [ids.groups.appusers!], adminAccounts: [ids.groups.appadmins!] };
        seedApp(system, 'mss', {
          name: 'payroll',
          ...accounts,
          credentials: Object.fromEntries(
            ['alice', 'bob'].map((who) => [
              name(who),
              { externalUser: `${who}-ext`, values: { 'User ID': `${who}-ext`, Password: `pw-of-${who}` } },
            ]),
          ),
        });
        seedApp(system, 'mss', { name: 'settings', ...accounts, configStore: true, properties: { endpoint: 'x' } });
        script = join(dir.path, 'child.mjs');
        writeFileSync(script, CHILD, { mode: 0o644 });
        for (const path of [script, client]) {
          const why = unreadableByOthers(path);
          if (why) throw new Error(`the test users must read ${path}, and ${why}`);
        }
        await system.start('mss');
        await Promise.all(SERVERS.map((node) => system.start(node)));
        for (const node of SERVERS) {
          await waitFor(async () => ((await system.status(node)).secret.holds ? true : undefined), 10_000);
        }
      });
      afterAll(async () => {
        await system?.stopAll();
        dir?.cleanup();
      });

      test('an application user reads their own credentials only; an application administrator anyone’s', async () => {
        const [alice, bob] = await Promise.all([
          runAs(
            'alice',
            Object.fromEntries(
              SERVERS.flatMap((node) => [
                [`own@${node}`, { kind: 'lookup', socket: socket(node), app: 'payroll' }],
                [`bob@${node}`, { kind: 'lookup', socket: socket(node), app: 'payroll', user: name('bob') }],
                [`settings@${node}`, { kind: 'config', socket: socket(node), app: 'settings' }],
              ]),
            ),
          ),
          runAs(
            'bob',
            Object.fromEntries(
              SERVERS.map((node) => [
                `alice@${node}`,
                { kind: 'lookup', socket: socket(node), app: 'payroll', user: name('alice') },
              ]),
            ),
          ),
        ]);
        expect(alice.uid).toBe(ids.uids.alice);
        const credentials = (who: string) => ({
          ok: true,
          value: {
            app: 'payroll',
            user: name(who),
            externalUser: `${who}-ext`,
            fields: [
              { label: 'User ID', masked: false, value: `${who}-ext` },
              { label: 'Password', masked: true, value: `pw-of-${who}` },
            ],
          },
        });
        for (const node of SERVERS) {
          expect(alice.results[`own@${node}`]).toEqual(credentials('alice'));
          expect(alice.results[`bob@${node}`]).toEqual(denied('alice'));
          expect(alice.results[`settings@${node}`]).toMatchObject({ ok: true, value: { app: 'settings' } });
          expect(bob.results[`alice@${node}`]).toEqual(credentials('alice'));
        }
      });

      test('a user in no account is refused everything, whatever the request says, and each refusal is audited', async () => {
        const steps: Record<string, Step> = {};
        for (const node of SERVERS) {
          steps[`own@${node}`] = { kind: 'lookup', socket: socket(node), app: 'payroll' };
          steps[`alice@${node}`] = { kind: 'lookup', socket: socket(node), app: 'payroll', user: name('alice') };
          steps[`config@${node}`] = { kind: 'config', socket: socket(node), app: 'settings' };
          steps[`set@${node}`] = {
            kind: 'set',
            socket: socket(node),
            app: 'payroll',
            user: name('mallory'),
            values: { 'User ID': 'm', Password: 'm' },
          };
          // A forged sender: the request names alice and her uid; the kernel names mallory.
          steps[`forged@${node}`] = {
            kind: 'raw',
            socket: socket(node),
            line: JSON.stringify({
              id: 1,
              op: 'lookup',
              app: 'payroll',
              user: name('alice'),
              uid: ids.uids.alice,
              caller: name('alice'),
            }),
          };
        }
        const mallory = await runAs('mallory', steps);
        expect(mallory.uid).toBe(ids.uids.mallory);
        for (const node of SERVERS) {
          for (const step of ['own', 'alice', 'config', 'set'])
            expect(mallory.results[`${step}@${node}`]).toEqual(denied('mallory'));
          // The raw answer carries no exit status: that is the client's reading of the code.
          const { exit: _, ...raw } = denied('mallory');
          expect(mallory.results[`forged@${node}`]).toEqual(raw);
        }

        // Alice's process without her supplementary groups (spawn { uid, gid }) is not an
        // application user: the kernel's groups count, not the account database's.
        const groupless = await runAs(
          'alice',
          { own: { kind: 'lookup', socket: socket('sso1'), app: 'payroll' } },
          'uid-gid',
        );
        expect(groupless.results.own).toEqual(denied('alice'));

        const listed = system.cli('mss', ['audit', 'list', '--json', '--limit', '1000']);
        expect([listed.status, listed.stderr]).toEqual([0, '']);
        const audit = JSON.parse(listed.stdout) as {
          osUser: string;
          node: string;
          operation: string;
          result: string;
        }[];
        const refusals = (who: string) =>
          audit
            .filter((row) => row.osUser === name(who) && row.result !== 'success')
            .map(({ node, operation, result }) => ({ node, operation, result }));
        const row = (node: string, operation: string) => ({ node, operation, result: 'failure: ACCESS_DENIED' });
        // As the service records them: lookups and config reads under its AUDIT_NAMES;
        // credentials-set under the core's own name, 'set-credentials' (planSetCredentials
        // audits its failures itself, so the service's name for it is never used).
        const expected = SERVERS.flatMap((node) => [
          row(node, 'credentials-lookup'),
          row(node, 'credentials-lookup'),
          row(node, 'config-store-get'),
          row(node, 'set-credentials'),
          row(node, 'credentials-lookup'),
        ]);
        const byOrder = (a: { node: string; operation: string }, b: { node: string; operation: string }) =>
          `${a.node} ${a.operation}`.localeCompare(`${b.node} ${b.operation}`);
        expect(refusals('mallory').sort(byOrder)).toEqual(expected.sort(byOrder));
        // Alice: bob's credentials on each SSO server, and the lookup without her groups.
        expect(refusals('alice').sort(byOrder)).toEqual(
          [
            row('sso1', 'credentials-lookup'),
            row('sso1', 'credentials-lookup'),
            row('sso2', 'credentials-lookup'),
          ].sort(byOrder),
        );
        expect(refusals('bob')).toEqual([]);
      });

      test('the CLI of another OS user runs through the service, as that user, with their role', () => {
        const cliAs = (who: string, args: string[]) => {
          const result = spawnSync(
            'runuser',
            [
              '-u',
              name(who),
              '--',
              process.execPath,
              join(REPO_ROOT, 'bin', 'ssokit.js'),
              '--home',
              home('sso1'),
              ...args,
            ],
            { cwd: '/', env: testEnv(), encoding: 'utf8' },
          );
          return { status: result.status, stdout: result.stdout, stderr: result.stderr };
        };
        const own = cliAs('alice', ['--json', 'credentials', 'get', name('alice'), 'payroll', '--reveal']);
        expect([own.status, own.stderr]).toEqual([0, '']);
        expect(JSON.parse(own.stdout)).toMatchObject({ user: name('alice'), externalUser: 'alice-ext' });
        const others = cliAs('alice', ['credentials', 'get', name('bob'), 'payroll']);
        expect(others.status).toBe(50);
        // Node settings were the home owner's to change: through the service, an SSO administrator's.
        for (const who of ['alice', 'mallory']) {
          const set = cliAs(who, ['set', `node.service-account=${name(who)}`]);
          expect(set.status).toBe(50);
          expect(set.stderr).toMatch(/access denied: set on this node needs/);
        }
        expect(system.cli('sso1', ['get', 'node.service-account']).stdout).toBe('node.service-account=\n');
      });

      test('the homes show other users nothing but the socket', async () => {
        for (const node of ['mss', ...SERVERS]) expect(statSync(home(node)).mode & 0o777).toBe(0o711);
        const mss = home('mss');
        const secrets = readdirSync(join(mss, 'secret')).map((file) => join(mss, 'secret', file));
        expect(secrets.length).toBeGreaterThan(0);
        const files = [
          join(mss, 'node.json'),
          join(mss, 'node.key'),
          join(home('sso1'), 'node.key'),
          ...secrets,
          ...(engine === 'sqlite' ? [system.store] : []),
        ];
        const steps: Record<string, Step> = {
          home: { kind: 'list', path: mss },
          'socket@mss': { kind: 'connect', socket: socket('mss') },
          'socket@sso1': { kind: 'connect', socket: socket('sso1') },
          ...Object.fromEntries(files.map((path) => [path, { kind: 'read', path } as Step])),
        };
        const reports = await Promise.all(['mallory', 'alice'].map((who) => runAs(who, steps)));
        for (const report of reports) {
          expect(report.results.home).toMatchObject({ ok: false, code: 'EACCES' });
          expect(report.results['socket@mss']).toEqual({ ok: true });
          expect(report.results['socket@sso1']).toEqual({ ok: true });
          for (const path of files) {
            expect([path, report.results[path]]).toEqual([
              path,
              { ok: false, code: expect.stringMatching(/^(EACCES|EPERM)$/), message: expect.any(String) },
            ]);
          }
        }

        const check = system.cli('mss', ['check', '--json']);
        expect(check.stderr).toBe('');
        const report = JSON.parse(check.stdout) as { findings: { area: string; level: string; message: string }[] };
        expect(report.findings.filter((f) => f.area === 'files' && f.level === 'problem')).toEqual([]);
        expect(report.findings).toContainEqual(expect.objectContaining({ area: 'files', level: 'ok' }));
      });
    });
  }
});
