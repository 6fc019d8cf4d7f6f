/**
 * Two web applications, "shop" and "news", in one single sign-on group: each is a business
 * system of this node (`ssokit bizsys add`), each runs the package's middleware on Node's
 * http module, and the node's service (`ssokit service run`) keeps the sign-ons. Sign on at
 * one and the other knows you; sign out at either and both ask again. See README.md.
 *
 *   node examples/sso-two-apps/server.mjs       (after npm run build, with the service running)
 *
 * Environment: SSOKIT_HOME or SSOKIT_SERVICE (which service), SSO_DEMO_HOST (default
 * 127.0.0.1), SHOP_PORT and NEWS_PORT (default 3001 and 3002; 0 for any free port).
 */

import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
// An application of its own writes: import { SsoClient, ssoMiddleware } from 'ssokit';
import { SsoClient, ssoMiddleware } from '../../dist/src/index.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The body of a form post (application/x-www-form-urlencoded), at most 4 KiB. */
function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 4096) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function page(res, title, app, sso, visits) {
  const body = sso.signedOn
    ? `<p>Signed on as <b>${escapeHtml(sso.principal)}</b>; your ${app} session is ${escapeHtml(sso.session.sessionId)}${
        sso.session.isNew ? ' (new: this application had none)' : ''
      }; ${visits} visit(s) in it.</p>
       <form method="post" action="/logout"><button>Sign out of every application</button></form>`
    : `<p>You are not signed on.</p>
       <form method="post" action="/login">
         <label>User <input name="user" autocomplete="username"></label>
         <button>Sign on</button>
       </form>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><title>${title}</title><h1>${title}</h1>${body}`);
}

/**
 * One application: `bizsys` is its business system. `secure` is the cookie's Secure
 * attribute; it may be false only on plain HTTP on loopback, as in this demo.
 */
export function createApp({ bizsys, title, client, secure }) {
  const sso = ssoMiddleware({ bizsys, client, secure });
  // Per-application state, kept by this application's own session id, not by the sign-on.
  const visits = new Map();
  return createServer((req, res) => {
    sso(req, res, async (error) => {
      try {
        if (error) throw error;
        const state = req.sso;
        const url = new URL(req.url ?? '/', 'http://app');
        if (req.method === 'POST' && url.pathname === '/login') {
          // A real application checks who this is (a password, a directory) before signing on.
          const user = ((await readForm(req)).get('user') ?? '').trim();
          if (!user) {
            res.writeHead(400, { 'content-type': 'text/plain' }).end('a user name, please\n');
            return;
          }
          await state.signOn(user);
          res.writeHead(303, { location: '/' }).end();
          return;
        }
        if (req.method === 'POST' && url.pathname === '/logout') {
          await state.signOut();
          res.writeHead(303, { location: '/' }).end();
          return;
        }
        const id = state.session?.sessionId;
        if (id) visits.set(id, (visits.get(id) ?? 0) + 1);
        if (url.pathname === '/whoami') {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(
            JSON.stringify({
              app: bizsys,
              signedOn: state.signedOn,
              principal: state.principal,
              sessionId: id ?? null,
              isNew: state.session?.isNew ?? null,
              visits: id ? visits.get(id) : 0,
            }),
          );
          return;
        }
        if (url.pathname !== '/') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        page(res, title, bizsys, state, id ? visits.get(id) : 0);
      } catch (failure) {
        // NO_SSO_SERVICE and the like: say so, without the details.
        console.error(`${bizsys}: ${failure?.message ?? failure}`);
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('single sign-on is unavailable\n');
      }
    });
  });
}

/** Starts both applications; their URLs, and a stop function. */
export async function startApps({
  host = '127.0.0.1',
  shopPort = 3001,
  newsPort = 3002,
  client = new SsoClient(),
} = {}) {
  // Secure cookies need HTTPS; plain HTTP is tolerated on loopback only, for this demo.
  const secure = !LOOPBACK.has(host);
  const apps = [
    { bizsys: 'shop', title: 'Shop', port: shopPort },
    { bizsys: 'news', title: 'News', port: newsPort },
  ];
  const servers = [];
  const urls = {};
  for (const { bizsys, title, port } of apps) {
    const server = createApp({ bizsys, title, client, secure });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    servers.push(server);
    const { port: bound } = server.address();
    urls[bizsys] = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  }
  return {
    urls,
    stop: async () => {
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
      client.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
  const { urls, stop } = await startApps({
    host: process.env.SSO_DEMO_HOST ?? '127.0.0.1',
    shopPort: port('SHOP_PORT', 3001),
    newsPort: port('NEWS_PORT', 3002),
  });
  for (const [name, url] of Object.entries(urls)) console.log(`${name} listening on ${url}`);
  const quit = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}
