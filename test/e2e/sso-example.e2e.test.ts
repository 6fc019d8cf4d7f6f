/**
 * examples/sso-two-apps, run as its README says (`node examples/sso-two-apps/server.mjs`
 * against a node's running service), driven over HTTP through the README's scenario: sign
 * on at one application, the other knows the user; sign out, both ask again. So the
 * example cannot rot.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { type ServiceSystem, serviceSystem, waitFor } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(120_000);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface WhoAmI {
  app: string;
  signedOn: boolean;
  principal: string | null;
  sessionId: string | null;
  isNew: boolean | null;
}

/** A browser on loopback: one cookie jar for both applications (cookies ignore the port). */
function browser() {
  let cookie = '';
  const send = (url: string, method = 'GET', form?: Record<string, string>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : '';
      const headers: Record<string, string> = cookie ? { cookie } : {};
      if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
      const req = request(url, { method, headers }, (res) => {
        for (const set of res.headers['set-cookie'] ?? []) {
          cookie = /Max-Age=0/.test(set) ? '' : set.split(';')[0]!;
        }
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const whoami = async (url: string): Promise<WhoAmI> => {
    const answer = await send(`${url}/whoami`);
    if (answer.status !== 200) throw new Error(`${url}/whoami: HTTP ${answer.status}: ${answer.body}`);
    return JSON.parse(answer.body) as WhoAmI;
  };
  return {
    send,
    whoami,
    jar: (value?: string) => {
      if (value !== undefined) cookie = value;
      return cookie;
    },
  };
}

describe('examples/sso-two-apps', () => {
  let dir: ReturnType<typeof tempDir>;
  let system: ServiceSystem;
  let example: ChildProcess | null = null;
  const urls: Record<string, string> = {};
  const output: string[] = [];

  beforeAll(async () => {
    dir = tempDir();
    system = await serviceSystem(dir.path, 'sqlite', ['demo']);
    // The README's set-up: both applications as business systems of the node.
    for (const [name, port] of [
      ['shop', 3001],
      ['news', 3002],
    ] as const) {
      const added = system.cli('demo', [
        'bizsys',
        'add',
        name,
        '--public-url',
        `http://${name}.localhost:${port}`,
        '--path',
        '/',
      ]);
      if (added.status !== 0) throw new Error(`bizsys add ${name}: ${added.stderr}`);
    }
    await system.start('demo');
    example = spawn(process.execPath, [join(REPO_ROOT, 'examples', 'sso-two-apps', 'server.mjs')], {
      cwd: REPO_ROOT,
      env: testEnv({ SSOKIT_SERVICE: system.nodes.demo!.socket, SHOP_PORT: '0', NEWS_PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    example.stdout!.setEncoding('utf8').on('data', (d: string) => output.push(d));
    example.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
    await waitFor(() => {
      if (example!.exitCode !== null) throw new Error(`the example exited ${example!.exitCode}: ${output.join('')}`);
      for (const match of output.join('').matchAll(/^(\w+) listening on (http:\S+)$/gm)) urls[match[1]!] = match[2]!;
      return urls.shop && urls.news ? true : undefined;
    }, 20_000);
  });

  afterAll(async () => {
    if (example && example.exitCode === null) {
      const exited = new Promise((r) => example!.once('exit', r));
      example.kill('SIGTERM');
      await exited;
    }
    await system?.stopAll();
    dir?.cleanup();
  });

  test('sign on at one application, the other knows you; sign out, both ask again', async () => {
    const b = browser();
    expect(await b.whoami(urls.shop!)).toMatchObject({ signedOn: false });
    expect((await b.send(`${urls.news!}/`)).body).toContain('You are not signed on');

    const login = await b.send(`${urls.shop!}/login`, 'POST', { user: 'alice' });
    expect(login.status).toBe(303);
    const [set] = login.headers['set-cookie'] as string[];
    // The attributes the README explains; Secure is off only because this is loopback HTTP.
    expect(set).toMatch(/^ssokit_sso=[A-Za-z0-9_-]{43}; /);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Lax/);
    expect(set).toMatch(/; Path=\//);
    expect(set).not.toMatch(/; Secure/);
    const atShop = await b.whoami(urls.shop!);
    expect(atShop).toMatchObject({ app: 'shop', signedOn: true, principal: 'alice', isNew: false });

    // The other application: no sign-on, a session of its own.
    const atNews = await b.whoami(urls.news!);
    expect(atNews).toMatchObject({ app: 'news', signedOn: true, principal: 'alice', isNew: true });
    expect(atNews.sessionId).not.toBe(atShop.sessionId);
    expect((await b.send(`${urls.news!}/`)).body).toContain('Signed on as <b>alice</b>');
    expect(await b.whoami(urls.news!)).toMatchObject({ sessionId: atNews.sessionId, isNew: false });

    // Sign out at news: both ask again, even for the cookie the browser had.
    const cookie = b.jar();
    const logout = await b.send(`${urls.news!}/logout`, 'POST', {});
    expect(logout.status).toBe(303);
    expect(b.jar()).toBe('');
    for (const url of [urls.shop!, urls.news!]) {
      b.jar(cookie);
      expect(await b.whoami(url)).toMatchObject({ signedOn: false });
      expect(b.jar()).toBe('');
      expect((await b.send(`${url}/`)).body).toContain('You are not signed on');
    }
  });
});
