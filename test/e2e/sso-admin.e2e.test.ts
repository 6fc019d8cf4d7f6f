/**
 * `ssokit sso list | show | invalidate | reap`, end to end on both engines: principals
 * signed on through a business server's SSO service, one on a business system with
 * failover (its entry in the store), one without (in the service's memory), one with a short
 * sso-max-inactive-seconds. Run through the service, the commands see both kinds; an
 * invalidation signs the principal out and is audited without the token; a reap removes
 * only what expired; with the service stopped, only the store's entries are left to see.
 * (A caller who is no SSO administrator is refused as every such read is: the role tests
 * with real OS users cover that.)
 */

import { jest } from '@jest/globals';
import type { EntryView } from '../../src/core/sso/index.js';
import type { SsoClient } from '../../src/service/client.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { type Engine, type ServiceSystem, serviceSystem } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const describeEngine =
    engine === 'postgres' ? describeNeeding(postgresUnavailable(), 'the PostgreSQL SSO tests') : describe;

  describeEngine(`ssokit sso on ${engine}`, () => {
    let dir: ReturnType<typeof tempDir>;
    let system: ServiceSystem;
    let client: SsoClient;

    const cli = (args: string[], status = 0) => {
      const result = system.cli('biz1', args);
      if (result.status !== status) {
        throw new Error(`${args.join(' ')}: exit ${result.status}, not ${status}\n${result.stdout}\n${result.stderr}`);
      }
      return result;
    };
    const json = <T>(args: string[]): T => JSON.parse(cli([...args, '--json']).stdout) as T;

    beforeAll(async () => {
      dir = tempDir();
      system = await serviceSystem(dir.path, engine, ['mss', 'biz1']);
      for (const name of ['shopf', 'shopm', 'brief']) {
        cli(['bizsys', 'add', name, '--public-url', `https://${name}.example.com`, '--path', `/${name}`]);
      }
      // Set before anyone signs on: an entry keeps the max inactive time it was made with.
      cli(['set', 'bizsys.shopf.sso-failover-enabled=true', 'bizsys.brief.sso-max-inactive-seconds=1']);
      await system.start('mss');
      await system.start('biz1');
      client = system.client('biz1');
    });
    afterAll(async () => {
      client?.close();
      await system?.stopAll();
      dir?.cleanup();
    });

    test('list, show, invalidate and reap through the service; the store alone without it', async () => {
      const carol = await client.ssoSignOn('brief', 'carol');
      const carolSignedOnAt = Date.now();
      const alice = await client.ssoSignOn('shopf', 'alice');
      const bob = await client.ssoSignOn('shopm', 'bob');
      for (const made of [alice, bob, carol]) expect(made.id).toMatch(/^[0-9a-f]{16}$/);

      // Through the service: the store's entries and its memory's.
      const all = json<EntryView[]>(['sso', 'list']);
      const byId = new Map(all.map((e) => [e.id, e]));
      expect(byId.get(alice.id)).toMatchObject({ principal: 'alice', bizsys: 'shopf', where: 'store' });
      expect(byId.get(bob.id)).toMatchObject({ principal: 'bob', bizsys: 'shopm', where: 'memory' });
      expect(JSON.stringify(all)).not.toContain(alice.token);
      expect(json<EntryView[]>(['sso', 'list', '--user', 'alice']).map((e) => e.id)).toEqual([alice.id]);
      expect(json<EntryView[]>(['sso', 'list', '--bizsys', 'shopm']).map((e) => e.id)).toEqual([bob.id]);
      const text = cli(['sso', 'list']);
      expect(text.stdout).toMatch(/ID\s+PRINCIPAL\s+SIGNED ON AT\s+WHERE\s+LAST ACCESS\s+EXPIRES\s+SESSIONS/);
      expect(text.stderr).not.toContain('not running');

      const shown = json<EntryView>(['sso', 'show', alice.id]);
      expect(shown).toMatchObject({ id: alice.id, principal: 'alice', where: 'store', authType: 'FORM' });
      expect(shown.sessions).toEqual([expect.objectContaining({ bizsys: 'shopf', timedOut: false })]);
      expect(cli(['sso', 'show', alice.id]).stdout).toContain('shopf: created');
      cli(['sso', 'show', '0000000000000000'], 51);

      // An invalidation is a sign-out, for the web applications too.
      expect((await client.ssoResolve(bob.token, 'shopm')).signedOn).toBe(true);
      expect(json<EntryView & { invalidated: boolean }>(['sso', 'invalidate', bob.id])).toMatchObject({
        id: bob.id,
        principal: 'bob',
        where: 'memory',
        invalidated: true,
      });
      expect(await client.ssoResolve(bob.token, 'shopm')).toMatchObject({ signedOn: false });
      cli(['sso', 'show', bob.id], 51);
      const audit = json<{ operation: string; target: string; result: string }[]>(['audit', 'list', '--limit', '20']);
      const row = audit.find((r) => r.operation === 'sso-invalidate');
      expect(row).toMatchObject({ result: 'success' });
      expect(row!.target).toContain(bob.id);
      expect(row!.target).toContain('bob');
      expect(JSON.stringify(audit)).not.toContain(bob.token);

      // carol's entry had 1 s without a request: the reap removes it, and only it.
      await sleep(Math.max(0, carolSignedOnAt + 2_500 - Date.now()));
      expect(json<{ memory: number; store: number; removed: number }>(['sso', 'reap'])).toEqual({
        memory: 1,
        store: 0,
        removed: 1,
      });
      expect(json<EntryView[]>(['sso', 'list']).map((e) => e.id)).toEqual([alice.id]);
      expect(json<{ operation: string; result: string }[]>(['audit', 'list', '--limit', '5']).at(-1)).toMatchObject({
        operation: 'sso-reap',
        result: expect.stringContaining('1 in memory, 0 in the store'),
      });
      expect((await client.ssoResolve(alice.token, 'shopf')).signedOn).toBe(true);

      // Without the service: its memory is gone, the store's entry is still there.
      const bobAgain = await client.ssoSignOn('shopm', 'bob');
      client.close();
      await system.kill('biz1', 'SIGTERM');
      const left = json<EntryView[]>(['sso', 'list']);
      expect(left.map((e) => [e.id, e.where])).toEqual([[alice.id, 'store']]);
      expect(left.map((e) => e.id)).not.toContain(bobAgain.id);
      expect(cli(['sso', 'list']).stderr).toContain('only the entries kept in the store');
      cli(['sso', 'show', bobAgain.id], 51);
    });
  });
}
