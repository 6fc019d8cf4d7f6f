/**
 * Single sign-on groups, end to end over HTTP with cookies, on both engines: web
 * applications using the package's middleware on business servers whose services keep the
 * single sign-on state. The four behaviours of Sun's application server hold: one sign-on
 * for the group; a timeout is not a sign-out (the shopping cart); an invalidation is; and
 * with sso-failover-enabled the state survives the business server the user was on.
 */

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { SsoClient } from '../../src/service/client.js';
import { type SsoIncomingMessage, ssoMiddleware } from '../../src/web/sso-middleware.js';
import { runCli } from '../helpers/cli.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { type Engine, type ServiceSystem, serviceSystem } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A web application of a business system: its own carts, by its own session id. */
async function webApp(bizsys: string, socket: string): Promise<{ url: string; server: Server; client: SsoClient }> {
  const client = new SsoClient({ socket });
  const sso = ssoMiddleware({ bizsys, client, secure: false });
  const carts = new Map<string, string[]>();
  const server = createServer((req, res) => {
    void sso(req, res, async (error?: unknown) => {
      if (error) {
        res.writeHead(500).end(String(error));
        return;
      }
      const { sso: state } = req as SsoIncomingMessage;
      const url = new URL(req.url ?? '/', 'http://x');
      try {
        if (url.pathname === '/login') await state.signOn(url.searchParams.get('user') ?? 'nobody');
        if (url.pathname === '/logout') await state.signOut();
      } catch (failure) {
        res.writeHead(500).end(String(failure));
        return;
      }
      const id = state.session?.sessionId;
      if (url.pathname === '/add' && id) carts.set(id, [...(carts.get(id) ?? []), url.searchParams.get('item') ?? '']);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          app: bizsys,
          signedOn: state.signedOn,
          principal: state.principal,
          sessionId: id ?? null,
          isNew: state.session?.isNew ?? null,
          cart: id ? (carts.get(id) ?? []) : [],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, client };
}

interface Page {
  app: string;
  signedOn: boolean;
  principal: string | null;
  sessionId: string | null;
  isNew: boolean | null;
  cart: string[];
}

/** A browser: one cookie jar for every application of the host (`jar` reads or sets it). */
function browser() {
  let cookie = '';
  const visit = async (url: string): Promise<Page> =>
    new Promise((resolve, reject) => {
      const req = request(url, { headers: cookie ? { cookie } : {} }, (res) => {
        const sets = res.headers['set-cookie'] ?? [];
        for (const set of sets) {
          const [pair] = set.split(';');
          cookie = /Max-Age=0/.test(set) ? '' : pair!;
        }
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            if (sets.some((set) => !/HttpOnly/.test(set) || !/SameSite=Lax/.test(set))) {
              throw new Error(`a cookie without HttpOnly and SameSite=Lax: ${sets.join(' | ')}`);
            }
            resolve(JSON.parse(body) as Page);
          } catch (error) {
            reject(new Error(`${url}: HTTP ${res.statusCode}: ${body.slice(0, 500)} (${(error as Error).message})`));
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  return Object.assign(visit, {
    jar: (value?: string) => {
      if (value !== undefined) cookie = value;
      return cookie;
    },
  });
}

/** A round-robin proxy on loopback over business servers, skipping one that does not answer. */
async function roundRobin(targets: () => string[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const server = createServer((req, res) => {
    const list = targets();
    const tryAt = (attempt: number) => {
      const target = new URL(req.url ?? '/', list[(next + attempt) % list.length]);
      const forward = request(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => (attempt + 1 < list.length ? tryAt(attempt + 1) : res.writeHead(502).end()));
      forward.end();
    };
    tryAt(0);
    next++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const describeEngine =
    engine === 'postgres' ? describeNeeding(postgresUnavailable(), 'the PostgreSQL SSO tests') : describe;

  describeEngine(`single sign-on groups on ${engine}`, () => {
    let dir: ReturnType<typeof tempDir>;
    let system: ServiceSystem;
    const servers: Server[] = [];
    const clients: SsoClient[] = [];
    const app = async (bizsys: string, node: string) => {
      const made = await webApp(bizsys, system.nodes[node]!.socket);
      servers.push(made.server);
      clients.push(made.client);
      return made;
    };

    beforeAll(async () => {
      dir = tempDir();
      system = await serviceSystem(dir.path, engine, ['mss', 'biz1', 'biz2']);
      const on = (args: string[]) => {
        const result = system.cli('biz1', args);
        if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
      };
      for (const name of ['shop', 'news', 'cart', 'shopf', 'shopm']) {
        on(['bizsys', 'add', name, '--public-url', `https://${name}.example.com`, '--path', `/${name}`]);
      }
      on(['set', 'bizsys.cart.session-timeout-seconds=2', 'bizsys.shopf.sso-failover-enabled=true']);
      // biz2 is a clone of biz1: the same business systems, its own node.
      const bundle = join(dir.path, 'biz.bundle');
      const password = join(dir.path, 'password');
      const exported = runCli('ssocloneaz', [
        '-p',
        '-f',
        bundle,
        '--home',
        system.nodes.biz1!.home,
        '--password-file',
        password,
      ]);
      if (exported.status !== 0) throw new Error(`ssocloneaz -p: ${exported.stderr}`);
      const biz2 = join(dir.path, 'biz2-clone');
      const imported = runCli('ssocloneaz', [
        '-c',
        '-f',
        bundle,
        '--home',
        biz2,
        '--node-name',
        'biz2c',
        '--password-file',
        password,
      ]);
      if (imported.status !== 0) throw new Error(`ssocloneaz -c: ${imported.stderr}`);
      system.nodes.biz2 = { ...system.nodes.biz2!, home: biz2, socket: join(biz2, 'service.sock') };
      await system.start('mss');
      await system.start('biz1');
      await system.start('biz2');
      const approved = system.cli('mss', ['node', 'approve', 'biz2c']);
      if (approved.status !== 0) throw new Error(`approve: ${approved.stderr}`);
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      for (const server of servers) server.close();
      await system?.stopAll();
      dir?.cleanup();
    });

    test('one sign-on for the group; the cart times out without a sign-out; a sign-out ends every session', async () => {
      const shop = await app('shop', 'biz1');
      const news = await app('news', 'biz1');
      const cart = await app('cart', 'biz1');
      const visit = browser();
      expect(await visit(`${shop.url}/`)).toMatchObject({ signedOn: false });
      const signedOn = await visit(`${shop.url}/login?user=alice`);
      expect(signedOn).toMatchObject({ signedOn: true, principal: 'alice', isNew: true });
      const atNews = await visit(`${news.url}/`);
      expect(atNews).toMatchObject({ signedOn: true, principal: 'alice', isNew: true });
      expect(await visit(`${cart.url}/add?item=book`)).toMatchObject({ signedOn: true, cart: ['book'] });
      // The cart's session times out (2 s) while the user goes on with shop and news.
      for (let i = 0; i < 6; i++) {
        await sleep(500);
        expect(await visit(`${shop.url}/`)).toMatchObject({
          signedOn: true,
          sessionId: signedOn.sessionId,
          isNew: false,
        });
        expect(await visit(`${news.url}/`)).toMatchObject({
          signedOn: true,
          sessionId: atNews.sessionId,
          isNew: false,
        });
      }
      const back = await visit(`${cart.url}/`);
      expect(back).toMatchObject({ signedOn: true, principal: 'alice', isNew: true, cart: [] });
      // An invalidation is a sign-out: every application of the group asks again, even
      // for the cookie the browser had before.
      const cookie = visit.jar();
      expect(await visit(`${news.url}/logout`)).toMatchObject({ signedOn: false });
      for (const url of [shop.url, news.url, cart.url]) {
        visit.jar(cookie);
        expect(await visit(`${url}/`)).toMatchObject({ signedOn: false });
      }
    });

    test.each([
      ['shopf', true],
      ['shopm', false],
    ] as const)('%s behind a round-robin proxy, its first server killed (failover %s)', async (bizsys, failover) => {
      const first = await app(bizsys, 'biz1');
      const second = await app(bizsys, 'biz2');
      let alive = [first.url, second.url];
      const proxy = await roundRobin(() => alive);
      servers.push(proxy.server);
      const visit = browser();
      // Signed on through the first server (the proxy's first turn).
      const signedOn = await visit(`${proxy.url}/login?user=bob`);
      expect(signedOn).toMatchObject({ signedOn: true, principal: 'bob' });
      // The first business server fails: its application and its service.
      first.server.close();
      await system.kill('biz1', 'SIGKILL');
      try {
        alive = [second.url];
        const next = await visit(`${proxy.url}/`);
        // With failover the session itself carries on at the other server; without, the state died with the first.
        expect(next).toMatchObject(
          failover
            ? { signedOn: true, principal: 'bob', sessionId: signedOn.sessionId, isNew: false }
            : { signedOn: false },
        );
      } finally {
        await system.start('biz1');
      }
    });

    test('an invalidation on one business server holds on the other at the next request', async () => {
      const one = await app('shopf', 'biz1');
      const two = await app('shopf', 'biz2');
      const visit = browser();
      expect(await visit(`${one.url}/login?user=carol`)).toMatchObject({ signedOn: true });
      expect(await visit(`${two.url}/`)).toMatchObject({ signedOn: true, principal: 'carol' });
      const cookie = visit.jar();
      expect(await visit(`${two.url}/logout`)).toMatchObject({ signedOn: false });
      visit.jar(cookie);
      expect(await visit(`${one.url}/`)).toMatchObject({ signedOn: false });
    });
  });
}
