/**
 * The SSO service, end to end with real processes on loopback, on both store engines: a
 * master secret server and two SSO servers that share nothing but the store. They look
 * credentials up, keep doing so while the master secret server is down, refuse to encrypt
 * until it is back, and follow a rotation.
 */

import { userInfo } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { SsoClient } from '../../src/service/client.js';
import { runCli } from '../helpers/cli.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { type Engine, type ServiceSystem, seedApplication, serviceSystem, waitFor } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(120_000);

const me = userInfo().username;

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const describeEngine =
    engine === 'postgres' ? describeNeeding(postgresUnavailable(), 'the PostgreSQL service tests') : describe;

  describeEngine(`three nodes on ${engine}`, () => {
    let dir: ReturnType<typeof tempDir>;
    let system: ServiceSystem;

    beforeAll(async () => {
      dir = tempDir();
      system = await serviceSystem(dir.path, engine, ['mss', 'sso1', 'sso2']);
      seedApplication(system, 'mss', 'payroll', me);
      for (const name of ['mss', 'sso1', 'sso2']) await system.start(name);
    });
    afterAll(async () => {
      await system?.stopAll();
      dir?.cleanup();
    });

    test('both SSO servers look credentials up, through the client and through the CLI', async () => {
      for (const name of ['sso1', 'sso2']) {
        const client = system.client(name);
        const result = await client.getCredentials('payroll', { reveal: true });
        client.close();
        expect(result).toMatchObject({ app: 'payroll', user: me, externalUser: `${me}-ext` });
        expect(result.fields.map((f) => f.value)).toEqual([`${me}-ext`, `pw-of-${me}`]);
      }
      // The CLI on an SSO server runs through its service (without it: exit 40, service-cli.e2e).
      const cli = system.cli('sso1', ['credentials', 'get', me, 'payroll']);
      expect(cli).toMatchObject({ status: 0, stdout: expect.stringContaining(`${me}-ext`) });
      const status = await system.status('sso1');
      expect(status).toMatchObject({ node: 'sso1', role: 'SSO server', secretServer: 'mss' });
      expect(status.secret).toMatchObject({ holds: true, unreachableSince: null });
    });

    test('the master secret server killed: no lookup fails, writes are refused, and both recover', async () => {
      const clients = { sso1: system.client('sso1'), sso2: system.client('sso2') };
      let failures: string[] = [];
      let lookups = 0;
      let running = true;
      const loop = async (client: SsoClient) => {
        while (running) {
          try {
            await client.getCredentials('payroll');
            lookups++;
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      };
      const loops = [loop(clients.sso1), loop(clients.sso2)];
      await new Promise((r) => setTimeout(r, 1000));
      await system.kill('mss', 'SIGKILL');
      await new Promise((r) => setTimeout(r, 10_000));
      running = false;
      await Promise.all(loops);
      expect(failures).toEqual([]);
      expect(lookups).toBeGreaterThan(100);
      console.log(
        `${engine}: ${lookups} lookups on two SSO servers over 11 s, the master secret server killed after 1 s: 0 failed`,
      );

      const write = clients.sso1.setCredentials('payroll', me, { 'User ID': 'x', Password: 'y' });
      await expect(write).rejects.toMatchObject({
        code: 'NO_SECRET',
        esso: { hresult: 0xc0002a1f },
        message: expect.stringMatching(
          /would encrypt new data, and the master secret server 'mss' has been unreachable since/,
        ),
      });
      const status = await system.status('sso1');
      expect(status.secret.unreachableSince).not.toBeNull();
      const shown = system.cli('sso1', ['service', 'status']);
      expect(shown.stdout).toMatch(/master secret server unreachable since \d{4}-/);
      expect(
        system.nodes.sso1!.log.filter((l) => l.includes('"event":"master secret server unavailable"')),
      ).toHaveLength(1);

      // A restart releases the copy: with the master secret server away, nothing decrypts.
      clients.sso2.close();
      await system.kill('sso2', 'SIGKILL');
      await system.start('sso2');
      const restarted = system.client('sso2');
      await expect(restarted.getCredentials('payroll')).rejects.toMatchObject({
        code: 'NO_SECRET',
        message: expect.stringMatching(/holds no copy of it/),
      });

      // Back again: both recover within a refresh or two.
      await system.start('mss');
      for (const name of ['sso1', 'sso2']) {
        await waitFor(async () => {
          const { secret } = await system.status(name);
          return secret.holds && secret.unreachableSince === null ? true : undefined;
        }, 4000);
      }
      await expect(restarted.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
      await expect(
        clients.sso1.setCredentials('payroll', me, { 'User ID': `${me}-ext`, Password: `pw-of-${me}` }),
      ).resolves.toMatchObject({
        created: false,
      });
      expect(
        system.nodes.sso1!.log.filter((l) => l.includes('"event":"master secret server available again"')),
      ).toHaveLength(1);
      clients.sso1.close();
      restarted.close();
      failures = [];
    });

    test('a rotation on the master secret server is followed at the next refresh; the old copy is released', async () => {
      const before = (await system.status('sso1')).secret.id;
      const rotated = system.cli('mss', [
        'secret',
        'rotate',
        '--backup',
        join(system.dir, 'rotated.bak'),
        '--password-file',
        join(system.dir, 'password'),
        '--reminder',
        'r',
      ]);
      expect(rotated.status).toBe(0);
      for (const name of ['sso1', 'sso2']) {
        const status = await waitFor(async () => {
          const s = await system.status(name);
          return s.secret.holds && s.secret.id !== before ? s : undefined;
        }, 4000);
        expect(status.secret.generation).toBe(2);
        const client = system.client(name);
        await expect(client.getCredentials('payroll')).resolves.toMatchObject({ app: 'payroll' });
        client.close();
      }
    });

    test('ssoconfig -remoteLookup: off by default; when on, approved nodes send lookups over the node channel', async () => {
      const client = system.client('sso1');
      await expect(client.getCredentials('payroll', { server: 'sso2' })).rejects.toMatchObject({
        code: 'ACCESS_DENIED',
        message: "the SSO server 'sso2' does not take remote lookups",
      });
      const on = runCli('ssoconfig', ['--home', system.nodes.sso2!.home, '-remoteLookup', 'yes']);
      expect(on).toMatchObject({ status: 0, stdout: 'The operation completed successfully.\n' });
      const remote = await client.getCredentials('payroll', { server: 'sso2', reveal: true });
      expect(remote.fields.map((f) => f.value)).toEqual([`${me}-ext`, `pw-of-${me}`]);
      const lookups = JSON.parse(
        system.cli('mss', ['--json', 'audit', 'list', '--kind', 'lookups', '--limit', '1']).stdout,
      );
      expect(lookups[0]).toMatchObject({ osUser: me, node: 'sso2', app: 'payroll' });
      expect(runCli('ssoconfig', ['--home', system.nodes.sso2!.home, '-remoteLookup', 'no']).status).toBe(0);
      await expect(client.getCredentials('payroll', { server: 'sso2' })).rejects.toMatchObject({
        code: 'ACCESS_DENIED',
      });
      client.close();
    });

    test('a revoked node loses its copy at its next refresh; approved again, it has it back', async () => {
      expect(system.cli('mss', ['node', 'revoke', 'sso2']).status).toBe(0);
      const client = system.client('sso2');
      await waitFor(
        async () =>
          client.getCredentials('payroll').then(
            () => undefined,
            (e: { code: string }) => e.code === 'NO_SECRET' || undefined,
          ),
        4000,
      );
      expect((await system.status('sso2')).secret.releasedBecause).toMatch(/refused this node/);
      expect(system.cli('mss', ['node', 'approve', 'sso2']).status).toBe(0);
      await waitFor(
        async () =>
          client.getCredentials('payroll').then(
            () => true,
            () => undefined,
          ),
        4000,
      );
      client.close();
    });
  });
}
