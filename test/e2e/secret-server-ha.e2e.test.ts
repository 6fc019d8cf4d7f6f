/**
 * A highly available master secret server without a cluster manager, on both engines: two
 * nodes answer to the cluster name MSS_CLUSTER and hold the secret; the one holding the
 * lease serves it, the other stands by. Killing the active one costs no lookup anywhere,
 * and refuses writes for at most the lease plus a refresh; a paused active node that wakes
 * after losing its lease serves nothing more; and in no test do two nodes serve at once.
 */

import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { SsoClient } from '../../src/service/client.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import {
  type Engine,
  fetchSecretStatus,
  type ServiceSystem,
  seedApplication,
  serviceSystem,
  waitFor,
} from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(180_000);

const me = userInfo().username;
const LEASE_SECONDS = 3;
const REFRESH_SECONDS = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every secret a master secret server served, from its log: who, when (ms). */
function served(system: ServiceSystem): { node: string; at: number }[] {
  return ['mss1', 'mss2']
    .flatMap((node) =>
      system.nodes[node]!.log.flatMap((line) => {
        const event = JSON.parse(line) as { event?: string; status?: string; time: string };
        return event.event === 'master secret served' && event.status === 'ok'
          ? [{ node, at: Date.parse(event.time) }]
          : [];
      }),
    )
    .sort((a, b) => a.at - b.at);
}

/** How many times the serving node changed: the secret passed from one to the other. */
function handovers(events: { node: string }[]): number {
  return events.filter((e, i) => i > 0 && e.node !== events[i - 1]!.node).length;
}

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const describeEngine =
    engine === 'postgres' ? describeNeeding(postgresUnavailable(), 'the PostgreSQL HA tests') : describe;

  describeEngine(`an active and a standby master secret server on ${engine}`, () => {
    let dir: ReturnType<typeof tempDir>;
    let system: ServiceSystem;
    const mssArgs = ['--lease-seconds', String(LEASE_SECONDS)];

    beforeAll(async () => {
      dir = tempDir();
      system = await serviceSystem(dir.path, engine, ['mss1', 'sso1', 'sso2', 'mss2']);
      const ok = (node: string, args: string[]) => {
        const result = system.cli(node, args);
        if (result.status !== 0) throw new Error(`${node} ${args.join(' ')}: ${result.stderr}`);
      };
      // The cluster, as the runbook in docs/operations.md makes it.
      ok('mss1', ['set', 'node.cluster-names=MSS_CLUSTER']);
      const rename = join(dir.path, 'rename.xml');
      writeFileSync(rename, '<SSO><globalInfo><secretServer>MSS_CLUSTER</secretServer></globalInfo></SSO>\n');
      ok('mss1', ['db', 'update', rename]);
      const backup = join(dir.path, 'cluster.bak');
      ok('mss1', ['secret', 'backup', backup, '--password-file', join(dir.path, 'password'), '--reminder', 'r']);
      ok('mss2', ['set', 'node.cluster-names=MSS_CLUSTER']);
      ok('mss2', ['secret', 'restore', backup, '--password-file', join(dir.path, 'password')]);
      seedApplication(system, 'mss1', 'payroll', me);
      await system.start('mss1', mssArgs);
      await system.start('mss2', mssArgs);
      await system.start('sso1');
      await system.start('sso2');
      for (const node of ['sso1', 'sso2']) {
        await waitFor(async () => ((await system.status(node)).secret.holds ? true : undefined), 10_000);
      }
    });
    afterAll(async () => {
      for (const node of ['mss1', 'mss2'])
        if (system?.nodes[node]?.process?.killed === false) system.nodes[node]!.process!.kill('SIGCONT');
      await system?.stopAll();
      dir?.cleanup();
    });

    test('one active, one standby: a standby started while the active is healthy stays standby', async () => {
      await sleep(LEASE_SECONDS * 1000);
      expect((await system.status('mss1')).lease).toMatchObject({ state: 'active', holder: 'mss1', term: 1 });
      expect((await system.status('mss2')).lease).toMatchObject({ state: 'standby', holder: 'mss1' });
      expect(system.nodes.mss2!.log.some((l) => l.includes('"event":"master secret server active"'))).toBe(false);
      // The standby holds the secret and gives it to no one.
      expect(await fetchFrom(system, 'mss2')).toBe('NOT_ACTIVE');
      expect(await fetchFrom(system, 'mss1')).toBe('ok');
    });

    test('the active one killed: no lookup fails; writes come back within the lease and a refresh', async () => {
      const clients: SsoClient[] = [system.client('sso1'), system.client('sso2')];
      const failures: string[] = [];
      let running = true;
      let lookups = 0;
      const loops = clients.map(async (client) => {
        while (running) {
          await client.getCredentials('payroll').then(
            () => lookups++,
            (error: Error) => failures.push(error.message),
          );
        }
      });
      await sleep(500);
      await system.kill('mss1', 'SIGKILL');
      const killedAt = Date.now();
      const writer = system.client('sso1');
      // Writes until the new active node serves sso1: each refused one is timed.
      let refused = 0;
      let lastRefusedAt = killedAt;
      for (;;) {
        if (Date.now() - killedAt > 20_000) throw new Error('the standby never took over');
        const wrote = await writer
          .setCredentials('payroll', me, { 'User ID': `${me}-ext`, Password: `pw-of-${me}` })
          .then(
            () => true,
            (error: { code: string }) => {
              if (error.code !== 'NO_SECRET') throw error;
              return false;
            },
          );
        if (!wrote) {
          refused++;
          lastRefusedAt = Date.now();
        }
        const standby = await system.status('mss2');
        const follower = await system.status('sso1');
        const takenAt = Date.parse(standby.lease?.expiresAt ?? '') - LEASE_SECONDS * 1000;
        if (
          wrote &&
          standby.lease?.state === 'active' &&
          follower.secret.unreachableSince === null &&
          Date.parse(follower.secret.lastRefresh?.at ?? '') > takenAt
        ) {
          break;
        }
        await sleep(100);
      }
      const refusedForMs = lastRefusedAt - killedAt;
      await sleep(1000);
      running = false;
      await Promise.all(loops);
      for (const client of [...clients, writer]) client.close();
      console.log(
        `${engine}: active master secret server killed: ${lookups} lookups, ${failures.length} failed; writes refused ${refused} times, for ${refusedForMs} ms (lease ${LEASE_SECONDS} s + refresh ${REFRESH_SECONDS} s)`,
      );
      expect(failures).toEqual([]);
      expect(refusedForMs).toBeLessThanOrEqual((LEASE_SECONDS + REFRESH_SECONDS) * 1000 + 1500);
      expect((await system.status('mss2')).lease).toMatchObject({ state: 'active', holder: 'mss2', term: 2 });
      const audit = JSON.parse(system.cli('sso1', ['--json', 'audit', 'list', '--limit', '50']).stdout) as {
        operation: string;
        node: string;
        result: string;
      }[];
      expect(audit.filter((a) => a.operation === 'secret-server-lease').at(-1)).toMatchObject({
        node: 'mss2',
        result: 'success: active, term 2, taken over from mss1',
      });
      expect(handovers(served(system))).toBe(1);
    });

    test('a paused active node that wakes after losing its lease serves nothing more', async () => {
      await system.start('mss1', mssArgs);
      expect((await system.status('mss1')).lease).toMatchObject({ state: 'standby', holder: 'mss2' });
      const paused = system.nodes.mss2!.process!;
      paused.kill('SIGSTOP');
      await waitFor(async () => ((await system.status('mss1')).lease?.state === 'active' ? true : undefined), 10_000);
      const wokeAt = Date.now();
      paused.kill('SIGCONT');
      expect(await fetchFrom(system, 'mss2')).toBe('NOT_ACTIVE');
      const status = await system.status('mss2');
      expect(status.lease).toMatchObject({ state: 'standby', holder: 'mss1', term: 3 });
      await sleep(REFRESH_SECONDS * 2000);
      const events = served(system);
      expect(events.filter((e) => e.node === 'mss2' && e.at > wokeAt)).toEqual([]);
      expect(handovers(events)).toBe(2);
      for (const node of ['sso1', 'sso2']) {
        const client = system.client(node);
        await expect(client.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
        client.close();
      }
    });
  });
}

/** One master-secret fetch sent straight to `node`'s channel as sso1 would: the answer's status. */
async function fetchFrom(system: ServiceSystem, node: string): Promise<string> {
  const listed = JSON.parse(system.cli('sso1', ['--json', 'node', 'list']).stdout) as {
    name: string;
    publicKey: string;
  }[];
  return fetchSecretStatus({
    fromHome: system.nodes.sso1!.home,
    fromName: 'sso1',
    toName: 'MSS_CLUSTER',
    publicKey: listed.find((n) => n.name === node)!.publicKey,
    address: system.nodes[node]!.address,
  });
}
