/**
 * The master secret server failover when the active node is cut off the network, not
 * killed: each node runs in a network namespace of its own, joined by veth pairs to a
 * bridge that only this test makes, and reaches the PostgreSQL store through a proxy on
 * the bridge. Taking the active node's link down cuts it from the store and from the SSO
 * servers at once — its process lives on, cannot renew its lease, and must stop serving by
 * itself. PostgreSQL only: on SQLite every node shares the file system, so a link cut
 * cannot part a node from the store.
 */

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { SsoClient } from '../../src/service/client.js';
import type { ServiceStatus } from '../../src/service/operations.js';
import { REPO_ROOT, runCliAsync } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import {
  baseConnection,
  freshDatabase,
  postgresUnavailable,
  type TestDatabase,
  testPassword,
} from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { fetchSecretStatus, waitFor } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(180_000);

const me = userInfo().username;
const LEASE_SECONDS = 3;
const REFRESH_SECONDS = 1;
const NODES = ['mss1', 'mss2', 'sso1', 'sso2'] as const;
type NodeName = (typeof NODES)[number];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function whyNoNamespaces(): string | null {
  const why = postgresUnavailable();
  if (why) return why;
  if (process.getuid?.() !== 0) return 'not running as root, so no network namespaces can be made';
  if (spawnSync('ip', ['netns', 'list']).status !== 0)
    return 'the ip command (iproute2) cannot list network namespaces';
  return null;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A bridge, a namespace per node with a veth pair on it, and the addresses; all removed by `remove`. */
function makeNetwork(tag: string, subnet: number) {
  const bridge = `skbr${tag}`;
  const made: (() => void)[] = [];
  const remove = () => {
    for (const undo of made.reverse()) {
      try {
        undo();
      } catch {
        // Already gone.
      }
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    made.push(() => ip('link', 'del', bridge));
    ip('addr', 'add', `10.231.${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    const address: Record<string, string> = {};
    NODES.forEach((node, i) => {
      const ns = `skns${tag}${node}`;
      const host = `skv${tag}${i}`;
      ip('netns', 'add', ns);
      made.push(() => ip('netns', 'del', ns));
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('link', 'set', host, 'master', bridge, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `10.231.${subnet}.${10 + i}/24`, 'dev', 'eth0');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      address[node] = `10.231.${subnet}.${10 + i}`;
    });
    return { gateway: `10.231.${subnet}.1`, address, namespace: (node: string) => `skns${tag}${node}`, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** A TCP relay on the bridge to the test's PostgreSQL server: the store as the namespaces reach it. */
async function storeRelay(
  host: string,
  target: { host: string; port: number },
): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection(target);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return { port: (server.address() as { port: number }).port, server };
}

describeNeeding(whyNoNamespaces(), 'the network-namespace failover test')(
  'the active master secret server cut off the network',
  () => {
    let dir: ReturnType<typeof tempDir>;
    let network: ReturnType<typeof makeNetwork>;
    let relay: Awaited<ReturnType<typeof storeRelay>>;
    let database: TestDatabase;
    let env: Record<string, string>;
    const services: Partial<Record<NodeName, ChildProcess>> = {};
    const logs: Record<string, string[]> = {};
    const home = (node: string) => join(dir.path, node);
    const socket = (node: string) => join(home(node), 'service.sock');
    // Not spawnSync: the store relay runs in this process, and must go on answering meanwhile.
    const cli = async (node: string, args: string[]) => {
      const result = await runCliAsync('ssokit', ['--home', home(node), ...args], { env });
      if (result.status !== 0) throw new Error(`${node} ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    const status = async (node: string): Promise<ServiceStatus> => {
      const client = new SsoClient({ socket: socket(node), timeoutMs: 5000 });
      try {
        return await client.status();
      } finally {
        client.close();
      }
    };

    beforeAll(async () => {
      dir = tempDir();
      const tag = randomBytes(2).toString('hex');
      network = makeNetwork(tag, 1 + (Number.parseInt(tag, 16) % 250));
      const base = baseConnection();
      relay = await storeRelay(network.gateway, { host: base.host ?? '127.0.0.1', port: base.port ?? 5432 });
      database = await freshDatabase('netns');
      // The password for the store's address on the bridge, where the test server's own pgpass does not reach.
      const pgpass = join(dir.path, 'pgpass');
      writeFileSync(pgpass, `${network.gateway}:${relay.port}:*:*:${testPassword() ?? ''}\n`, { mode: 0o600 });
      env = { PGPASSFILE: pgpass };
      const store = `postgres://${base.user}@${network.gateway}:${relay.port}/${database.name}`;
      const password = join(dir.path, 'password');
      writeFileSync(password, 'backup-password-1\n', { mode: 0o600 });
      await cli('mss1', [
        '--node-name',
        'mss1',
        'init',
        '--db',
        store,
        '--cluster-name',
        'MSS_CLUSTER',
        '--secret-server',
        'MSS_CLUSTER',
        '--backup',
        join(dir.path, 'init.bak'),
        '--password-file',
        password,
        '--reminder',
        'r',
      ]);
      await cli('mss2', ['--node-name', 'mss2', 'join', '--db', store, '--cluster-name', 'MSS_CLUSTER']);
      await cli('mss2', ['secret', 'restore', join(dir.path, 'init.bak'), '--password-file', password]);
      for (const node of ['sso1', 'sso2']) await cli(node, ['--node-name', node, 'join', '--db', store]);
      for (const node of ['mss2', 'sso1', 'sso2']) await cli('mss1', ['node', 'approve', node]);
      const xml = join(dir.path, 'apps.xml');
      writeFileSync(
        xml,
        `<?xml version="1.0"?>\n<SSO><application name="payroll"><description>p</description><contact>c@example.com</contact><appUserAccount>${me}</appUserAccount><appAdminAccount>${me}</appAdminAccount><field ordinal="0" label="User ID" masked="no" /><field ordinal="1" label="Password" masked="yes" /><flags groupApp="no" enableApp="yes" allowLocalAccounts="yes" /></application></SSO>\n`,
      );
      await cli('mss1', ['app', 'create', xml]);
      const fields = join(dir.path, 'fields.json');
      writeFileSync(fields, JSON.stringify({ 'User ID': 'ext', Password: 'pw' }), { mode: 0o600 });
      await cli('mss1', ['credentials', 'set', me, 'payroll', '--external-user', 'ext', '--fields-file', fields]);
      for (const node of NODES) {
        logs[node] = [];
        const extra = node.startsWith('mss')
          ? ['--lease-seconds', String(LEASE_SECONDS)]
          : ['--refresh-seconds', String(REFRESH_SECONDS)];
        const child = spawn(
          'ip',
          [
            'netns',
            'exec',
            network.namespace(node),
            process.execPath,
            join(REPO_ROOT, 'bin', 'ssokit.js'),
            '--home',
            home(node),
            'service',
            'run',
            '--listen',
            `${network.address[node]!}:7461`,
            ...extra,
          ],
          { env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
        );
        child.stdout!.setEncoding('utf8').on('data', (d: string) => logs[node]!.push(...d.split('\n').filter(Boolean)));
        services[node] = child;
        await waitFor(
          async () =>
            status(node).then(
              () => true,
              () => undefined,
            ),
          20_000,
        );
      }
      for (const node of ['sso1', 'sso2']) {
        await waitFor(async () => ((await status(node)).secret.holds ? true : undefined), 10_000);
      }
    });

    afterAll(async () => {
      for (const child of Object.values(services)) child?.kill('SIGKILL');
      await sleep(200);
      network?.remove();
      relay?.server.close();
      await database?.drop();
      dir?.cleanup();
    });

    test('the link cut: no lookup fails, writes come back within the lease and a refresh, and the cut node serves nothing more', async () => {
      expect((await status('mss1')).lease).toMatchObject({ state: 'active', holder: 'mss1' });
      expect((await status('mss2')).lease).toMatchObject({ state: 'standby', holder: 'mss1' });
      const clients = [new SsoClient({ socket: socket('sso1') }), new SsoClient({ socket: socket('sso2') })];
      const failures: string[] = [];
      let lookups = 0;
      let running = true;
      const loops = clients.map(async (client) => {
        while (running) {
          await client.getCredentials('payroll').then(
            () => lookups++,
            (error: Error) => failures.push(error.message),
          );
        }
      });
      await sleep(500);
      ip('netns', 'exec', network.namespace('mss1'), 'ip', 'link', 'set', 'eth0', 'down');
      const cutAt = Date.now();
      const writer = new SsoClient({ socket: socket('sso1') });
      let lastRefusedAt = cutAt;
      for (;;) {
        if (Date.now() - cutAt > 30_000) throw new Error('the standby never took over');
        const wrote = await writer.setCredentials('payroll', me, { 'User ID': 'ext', Password: 'pw' }).then(
          () => true,
          (error: { code: string }) => {
            if (error.code !== 'NO_SECRET') throw error;
            return false;
          },
        );
        if (!wrote) lastRefusedAt = Date.now();
        const standby = await status('mss2');
        const follower = await status('sso1');
        const takenAt = Date.parse(standby.lease?.expiresAt ?? '') - LEASE_SECONDS * 1000;
        if (wrote && standby.lease?.state === 'active' && Date.parse(follower.secret.lastRefresh?.at ?? '') > takenAt)
          break;
        await sleep(100);
      }
      await sleep(500);
      running = false;
      await Promise.all(loops);
      for (const client of [...clients, writer]) client.close();
      const refusedForMs = lastRefusedAt - cutAt;
      console.log(`network cut: ${lookups} lookups, ${failures.length} failed; writes refused for ${refusedForMs} ms`);
      expect(failures).toEqual([]);
      expect(refusedForMs).toBeLessThanOrEqual((LEASE_SECONDS + REFRESH_SECONDS) * 1000 + 2000);
      expect((await status('mss2')).lease).toMatchObject({ state: 'active', holder: 'mss2', term: 2 });
      // Cut off, mss1 found out by itself: its deadline passed without a renewal.
      expect((await status('mss1')).lease?.state).toBe('standby');

      // The link back: mss1 finds the lease held by mss2 and gives the secret to no one.
      ip('netns', 'exec', network.namespace('mss1'), 'ip', 'link', 'set', 'eth0', 'up');
      const listed = JSON.parse((await cli('sso1', ['--json', 'node', 'list'])).stdout) as {
        name: string;
        publicKey: string;
      }[];
      const fetchFromMss1 = () =>
        fetchSecretStatus({
          fromHome: home('sso1'),
          fromName: 'sso1',
          toName: 'MSS_CLUSTER',
          publicKey: listed.find((n) => n.name === 'mss1')!.publicKey,
          address: `${network.address.mss1!}:7461`,
        });
      expect(await fetchFromMss1()).toBe('NOT_ACTIVE');
      await waitFor(async () => ((await status('mss1')).lease?.holder === 'mss2' ? true : undefined), 20_000);
      expect(await fetchFromMss1()).toBe('NOT_ACTIVE');
      const served = ['mss1', 'mss2'].flatMap((node) =>
        logs[node]!.flatMap((line) => {
          const event = JSON.parse(line) as { event?: string; status?: string; time: string };
          return event.event === 'master secret served' && event.status === 'ok'
            ? [{ node, at: Date.parse(event.time) }]
            : [];
        }),
      );
      const mss2First = Math.min(...served.filter((e) => e.node === 'mss2').map((e) => e.at));
      expect(served.filter((e) => e.node === 'mss1' && e.at >= mss2First)).toEqual([]);
    });
  },
);
