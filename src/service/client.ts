/**
 * A client of the SSO service's local API, for the CLI and for applications:
 *
 *   import { SsoClient } from 'ssokit';
 *   const sso = new SsoClient({ socket: '/var/lib/ssokit/service.sock' });
 *   const { fields } = await sso.getCredentials('payroll');
 *
 * One connection, opened on first use and shared by overlapping calls (each answer carries
 * its request's id). The caller is who the kernel says it is: nothing in a call names it.
 * Failures are SsoErrors with the code, sentence and hint the CLI would print.
 */

import { createConnection, type Socket } from 'node:net';
import type { LookupResult } from '../core/manage/index.js';
import type { Resolution, SessionView } from '../core/sso/index.js';
import { SsoError } from '../errors.js';
import { homePaths, resolveHomeDir } from '../node/home.js';
import type { ServiceStatus } from './operations.js';
import { type ErrorBody, errorFromBody } from './wire.js';

export interface SsoClientOptions {
  /** The service's socket; else SSOKIT_SERVICE, else <home>/service.sock. */
  socket?: string;
  /** The node's home, when `socket` is not given (else SSOKIT_HOME, else ~/.ssokit). */
  home?: string;
  /** How long one call may take (default 10 s). */
  timeoutMs?: number;
}

export interface ConfigBag {
  app: string;
  identifier: string;
  properties: { name: string; masked: boolean; value: string | null }[];
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

export class SsoClient {
  readonly socketPath: string;
  readonly #timeoutMs: number;
  #socket: Socket | null = null;
  #connecting: Promise<Socket> | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #buffer = '';

  constructor(options: SsoClientOptions = {}) {
    this.socketPath = options.socket ?? serviceSocketPath(options.home);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * GetCredentials: the caller's mapping in `app` (or `user`'s, for its administrators);
   * with `server`, looked up by that SSO server, which must allow remote lookups.
   */
  getCredentials(
    app: string,
    options: { user?: string; reveal?: boolean; server?: string } = {},
  ): Promise<LookupResult> {
    return this.call('lookup', { app, ...options }) as Promise<LookupResult>;
  }

  /** A config-store bag; masked properties are given only with `runtime`. */
  getConfig(app: string, identifier?: string, options: { runtime?: boolean } = {}): Promise<ConfigBag> {
    return this.call('config-get', { app, ...(identifier ? { identifier } : {}), ...options }) as Promise<ConfigBag>;
  }

  /** The BizTalk Deployment Framework layout: the settings of AppConfig. */
  getBtdfSettings(
    app: string,
    options: { runtime?: boolean } = {},
  ): Promise<{ app: string; identifier: string; settings: { name: string; value: string }[] }> {
    return this.call('btdf-get', { app, ...options }) as Promise<{
      app: string;
      identifier: string;
      settings: { name: string; value: string }[];
    }>;
  }

  /** ssomanage -setcredentials through the service (refused while the master secret server is away). */
  setCredentials(
    app: string,
    user: string,
    values: Record<string, string>,
    options: { externalUser?: string } = {},
  ): Promise<{ app: string; user: string; externalUser: string; created: boolean }> {
    return this.call('credentials-set', { app, user, values, ...options }) as Promise<{
      app: string;
      user: string;
      externalUser: string;
      created: boolean;
    }>;
  }

  /** Single sign-on: signs `principal` on through business system `bizsys`; the id is the cookie's value. */
  ssoSignOn(
    bizsys: string,
    principal: string,
    authType = 'FORM',
  ): Promise<{ token: string; id: string; session: SessionView }> {
    return this.call('sso-signon', { bizsys, principal, authType }) as Promise<{
      token: string;
      id: string;
      session: SessionView;
    }>;
  }

  /** The session at `bizsys` of the single sign-on id `token`, or `signedOn: false`. */
  ssoResolve(token: string, bizsys: string): Promise<Resolution> {
    return this.call('sso-resolve', { token, bizsys }) as Promise<Resolution>;
  }

  /** Signs out: every session of the group ends. */
  async ssoInvalidate(token: string): Promise<boolean> {
    return ((await this.call('sso-invalidate', { token })) as { invalidated: boolean }).invalidated;
  }

  status(): Promise<ServiceStatus> {
    return this.call('status', {}) as Promise<ServiceStatus>;
  }

  /** Sends one request; the answer's result, or its error as an SsoError. */
  async call(op: string, args: Record<string, unknown>): Promise<unknown> {
    const socket = await this.#connect();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(this.#unreachable(`no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      socket.write(`${JSON.stringify({ ...args, id, op })}\n`);
    });
  }

  /** Opens the connection now (calls open it on first use): NO_SSO_SERVICE when nothing answers. */
  async connect(): Promise<void> {
    await this.#connect();
  }

  close(): void {
    this.#socket?.end();
    this.#socket = null;
  }

  #connect(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = createConnection(this.socketPath);
      socket.setEncoding('utf8');
      socket.once('connect', () => {
        this.#socket = socket;
        this.#connecting = null;
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        this.#connecting = null;
        reject(this.#unreachable(error.code ?? error.message));
      });
      socket.on('data', (chunk: string) => this.#receive(chunk));
      socket.on('close', () => {
        if (this.#socket === socket) this.#socket = null;
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(this.#unreachable('the service closed the connection'));
          this.#pending.delete(id);
        }
      });
    });
    return this.#connecting;
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      newline = this.#buffer.indexOf('\n');
      let answer: { id: number | null; ok: boolean; result?: unknown; error?: ErrorBody };
      try {
        answer = JSON.parse(line);
      } catch {
        continue;
      }
      const pending = answer.id === null ? undefined : this.#pending.get(answer.id);
      if (!pending) continue;
      this.#pending.delete(answer.id!);
      clearTimeout(pending.timer);
      if (answer.ok) pending.resolve(answer.result);
      else pending.reject(errorFromBody(answer.error!));
    }
  }

  #unreachable(why: string): SsoError {
    return new SsoError('NO_SSO_SERVICE', `cannot reach the SSO service at ${this.socketPath}: ${why}`, {
      hint: 'check that the service runs (systemctl status ssokit, or ssokit service status)',
    });
  }
}

/** SSOKIT_SERVICE, else the socket in the node's home. */
export function serviceSocketPath(home?: string): string {
  const named = process.env.SSOKIT_SERVICE;
  if (named) return named;
  return homePaths(resolveHomeDir(home, process.env.SSOKIT_HOME)).serviceSocket;
}
