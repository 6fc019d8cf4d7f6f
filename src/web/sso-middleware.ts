/**
 * Single sign-on for web applications on Node's HTTP servers, in the (req, res, next) form
 * Express and Connect use: each request's cookie is resolved through the node's SSO service
 * for this application's business system.
 *
 *   app.use(ssoMiddleware({ bizsys: 'shop' }));
 *   app.post('/login', async (req, res) => { …check the password…; await req.sso.signOn(user); … });
 *   app.get('/cart', (req, res) => req.sso.signedOn ? … : res.redirect('/login'));
 *
 * The cookie holds the single sign-on id, the one secret of a sign-on: it is set HttpOnly
 * (no script reads it), Secure (never sent over plain HTTP; `secure: false` only for a
 * test on loopback), SameSite=Lax (not sent with other sites' sub-requests and posts) and
 * Path=/ (every application of the group on the host sees it).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionView } from '../core/sso/index.js';
import { SsoClient } from '../service/client.js';

export interface SsoMiddlewareOptions {
  /** This application's business system (`ssokit bizsys add NAME`). */
  bizsys: string;
  /** A client of the node's service; by default one on SSOKIT_SERVICE or the home's socket. */
  client?: SsoClient;
  cookieName?: string;
  /** Default true. */
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict';
}

export interface RequestSso {
  signedOn: boolean;
  principal: string | null;
  /** This application's session of the sign-on; `isNew` after a timeout or on first use. */
  session: SessionView | null;
  /** Signs `principal` on (after the application checked who it is): sets the cookie. */
  signOn(principal: string, authType?: string): Promise<void>;
  /** Signs out of every application of the group: clears the cookie. */
  signOut(): Promise<void>;
}

export type SsoIncomingMessage = IncomingMessage & { sso: RequestSso };

export const DEFAULT_COOKIE = 'ssokit_sso';

export function ssoMiddleware(options: SsoMiddlewareOptions) {
  const client = options.client ?? new SsoClient();
  const name = options.cookieName ?? DEFAULT_COOKIE;
  const attributes = `; Path=/; HttpOnly; SameSite=${options.sameSite ?? 'Lax'}${options.secure === false ? '' : '; Secure'}`;
  const setCookie = (res: ServerResponse, value: string, clear = false) => {
    const cookie = `${name}=${value}${attributes}${clear ? '; Max-Age=0' : ''}`;
    const existing = res.getHeader('set-cookie');
    res.setHeader('set-cookie', [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), cookie]);
  };

  return async (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): Promise<void> => {
    try {
      let token = readCookie(req.headers.cookie, name);
      const sso: RequestSso = {
        signedOn: false,
        principal: null,
        session: null,
        async signOn(principal, authType = 'FORM') {
          const made = await client.ssoSignOn(options.bizsys, principal, authType);
          token = made.token;
          Object.assign(sso, { signedOn: true, principal, session: made.session });
          setCookie(res, made.token);
        },
        async signOut() {
          if (token) await client.ssoInvalidate(token);
          token = undefined;
          Object.assign(sso, { signedOn: false, principal: null, session: null });
          setCookie(res, '', true);
        },
      };
      if (token) {
        const resolved = await client.ssoResolve(token, options.bizsys);
        if (resolved.signedOn)
          Object.assign(sso, { signedOn: true, principal: resolved.principal, session: resolved.session });
        else setCookie(res, '', true);
      }
      (req as SsoIncomingMessage).sso = sso;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** One cookie's value from a Cookie header (name=value pairs separated by semicolons). */
function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}
