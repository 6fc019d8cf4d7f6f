/**
 * Real SSO systems of several nodes for the service tests: a master secret server and SSO
 * servers, each with its own home and its own `ssokit service run` process on loopback,
 * sharing one store (a SQLite file, or a fresh PostgreSQL database).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { openResponse, sealRequest } from '../../src/crypto/node-channel.js';
import { homePaths } from '../../src/node/home.js';
import { readNodeKeys } from '../../src/node/node-keys.js';
import { splitAddress } from '../../src/service/channel-client.js';
import { SsoClient } from '../../src/service/client.js';
import type { ServiceStatus } from '../../src/service/operations.js';
import { REPO_ROOT, runCli } from './cli.js';
import { testEnv } from './fast-deps.js';
import { freshDatabase, storeUrl } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';

export interface ServiceNode {
  name: string;
  home: string;
  socket: string;
  process: ChildProcess | null;
  /** host:port of its node channel, once started. */
  address: string;
  /** Every log line it wrote (JSON), across restarts. */
  log: string[];
  stderr: string[];
}

export interface ServiceSystem {
  dir: string;
  store: string;
  nodes: Record<string, ServiceNode>;
  cli(node: string, args: string[], stdin?: string): ReturnType<typeof runCli>;
  /** `options.env`: extra environment for the service (on top of the test environment). */
  start(node: string, extra?: string[], options?: StartOptions): Promise<ServiceNode>;
  kill(node: string, signal?: NodeJS.Signals): Promise<number | null>;
  client(node: string): SsoClient;
  status(node: string): Promise<ServiceStatus>;
  stopAll(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
}

export const PASSWORD = 'backup-password-1';

/** `names[0]` is the master secret server (it runs init); the others join and are approved. */
export async function serviceSystem(
  dir: string,
  engine: Engine,
  names: string[],
  approve = names.slice(1),
): Promise<ServiceSystem> {
  // Other local users (the role tests) must reach the homes' sockets.
  chmodSync(dir, 0o711);
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  const [mss, ...others] = names;
  const home = (name: string) => join(dir, name);
  const store = engine === 'sqlite' ? join(home(mss!), 'ssodb.sqlite') : storeUrl(await freshDatabase(`svc_${mss}`));
  const nodes: Record<string, ServiceNode> = {};
  for (const name of names) {
    nodes[name] = {
      name,
      home: home(name),
      socket: join(home(name), 'service.sock'),
      process: null,
      address: '',
      log: [],
      stderr: [],
    };
  }
  const cli = (node: string, args: string[], stdin?: string) =>
    runCli('ssokit', ['--home', home(node), ...args], stdin === undefined ? {} : { stdin });
  const must = (result: ReturnType<typeof runCli>, what: string) => {
    if (result.status !== 0) throw new Error(`${what} failed (${result.status}): ${result.stderr}`);
    return result;
  };
  must(
    cli(mss!, [
      'init',
      '--node-name',
      mss!,
      '--db',
      store,
      '--password-file',
      passwordFile,
      '--reminder',
      'r',
      '--yes',
    ]),
    'init',
  );
  for (const name of others) must(cli(name, ['join', '--db', store, '--node-name', name]), `join ${name}`);
  for (const name of approve) must(cli(mss!, ['node', 'approve', name]), `approve ${name}`);

  const system: ServiceSystem = {
    dir,
    store,
    nodes,
    cli,
    async start(name, extra = [], options = {}) {
      const node = nodes[name]!;
      const child = spawn(
        process.execPath,
        [
          resolve(REPO_ROOT, 'bin', 'ssokit.js'),
          '--home',
          node.home,
          'service',
          'run',
          '--listen',
          '127.0.0.1:0',
          '--refresh-seconds',
          '1',
          ...extra,
        ],
        { cwd: REPO_ROOT, env: testEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      node.process = child;
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const lines = out.split('\n');
        out = lines.pop()!;
        node.log.push(...lines.filter(Boolean));
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => node.stderr.push(d));
      const started = await waitFor(() => {
        if (child.exitCode !== null)
          throw new Error(`the service of ${name} exited ${child.exitCode}: ${node.stderr.join('')}`);
        const line = node.log.find((l) => l.includes('"event":"service started"') && !l.includes('"seen"'));
        return line ? (JSON.parse(line) as { listen: string }) : undefined;
      }, 20_000);
      // Later starts find their own line: the earlier ones are marked seen.
      node.log = node.log.map((l) => (l.includes('"event":"service started"') ? l.replace('{', '{"seen":1,') : l));
      node.address = started.listen;
      return node;
    },
    async kill(name, signal = 'SIGKILL') {
      const child = nodes[name]!.process;
      if (!child || child.exitCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      const code = await exited;
      nodes[name]!.process = null;
      return code;
    },
    client: (name) => new SsoClient({ socket: nodes[name]!.socket, timeoutMs: 10_000 }),
    async status(name) {
      const client = system.client(name);
      try {
        return await client.status();
      } finally {
        client.close();
      }
    },
    async stopAll() {
      for (const name of names) await system.kill(name, 'SIGTERM');
    },
  };
  return system;
}

/** Polls `probe` until it returns something (or throws through), for at most `ms`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An application this process's user may look up, with credentials set, made on `node`. */
export function seedApplication(system: ServiceSystem, node: string, app: string, user: string, extraUsers = ''): void {
  seedApp(system, node, {
    name: app,
    userAccounts: extraUsers ? [user, extraUsers] : [user],
    adminAccounts: [user],
    credentials: {
      [user]: { externalUser: `${user}-ext`, values: { 'User ID': `${user}-ext`, Password: `pw-of-${user}` } },
    },
  });
}

export interface AppSeed {
  name: string;
  /** appUserAccount and appAdminAccount: OS users or groups. */
  userAccounts: string[];
  adminAccounts: string[];
  /** A config store application (no fields; its bag holds `properties`) instead of a credentials one. */
  configStore?: boolean;
  /** Mappings with credentials, by local user (credentials applications). */
  credentials?: Record<string, { externalUser: string; values: Record<string, string> }>;
  /** The default bag's properties (config store applications). */
  properties?: Record<string, string>;
}

/**
 * An application for the given accounts, made through the CLI on `node` by this process's
 * user (the SSO administrator init made), with its mappings and credentials or its bag.
 */
export function seedApp(system: ServiceSystem, node: string, seed: AppSeed): void {
  const { name } = seed;
  const must = (result: ReturnType<ServiceSystem['cli']>, what: string) => {
    if (result.status !== 0) throw new Error(`${what}: ${result.stderr}`);
  };
  const xml = join(system.dir, `${name}.xml`);
  const fields = seed.configStore
    ? ''
    : '    <field ordinal="0" label="User ID" masked="no" />\n    <field ordinal="1" label="Password" masked="yes" />\n';
  const configStore = seed.configStore ? ' configStoreApp="yes"' : '';
  writeFileSync(
    xml,
    `<?xml version="1.0"?>\n<SSO>\n  <application name="${name}">\n    <description>${name}</description>\n    <contact>ops@example.com</contact>\n    <appUserAccount>${seed.userAccounts.join(';')}</appUserAccount>\n    <appAdminAccount>${seed.adminAccounts.join(';')}</appAdminAccount>\n${fields}    <flags groupApp="no" enableApp="yes" allowLocalAccounts="yes"${configStore} />\n  </application>\n</SSO>\n`,
  );
  must(system.cli(node, ['app', 'create', xml]), 'app create');
  for (const [user, { externalUser, values }] of Object.entries(seed.credentials ?? {})) {
    const file = join(system.dir, `${name}-${user}-fields.json`);
    writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
    must(
      system.cli(node, ['credentials', 'set', user, name, '--external-user', externalUser, '--fields-file', file]),
      `credentials set ${user}`,
    );
  }
  const properties = Object.entries(seed.properties ?? {}).flatMap(([key, value]) => ['--property', `${key}=${value}`]);
  if (properties.length > 0) must(system.cli(node, ['config-store', 'set', name, ...properties]), 'config-store set');
}

export function socketGone(node: ServiceNode): boolean {
  return !existsSync(node.socket);
}

/**
 * One master-secret fetch sent straight to a node's channel, sealed with the key in
 * `fromHome` (as that node's refresher would): the status of the answer, opened with the
 * target's recorded key (base64, as `node list --json` prints it).
 */
export async function fetchSecretStatus(options: {
  fromHome: string;
  fromName: string;
  toName: string;
  publicKey: string;
  address: string;
}): Promise<string> {
  const keys = readNodeKeys(homePaths(options.fromHome))!;
  const publicKey = new Uint8Array(Buffer.from(options.publicKey, 'base64'));
  const sealed = sealRequest({
    from: keys,
    fromName: options.fromName,
    toPublicKey: publicKey,
    toName: options.toName,
    operation: 'secret',
    body: new Uint8Array(0),
    now: Date.now(),
  });
  const { host, port } = splitAddress(options.address);
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = httpRequest({ host, port, path: '/v1/secret', method: 'POST', timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end(sealed.envelope);
  });
  return openResponse({ request: sealed, serverPublicKey: publicKey, envelope: body }).status;
}
