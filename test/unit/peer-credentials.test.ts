// Who is calling, as the kernel says (src/node/peer-credentials.ts and its addon,
// native/peercred/peercred.c), over real Unix-domain sockets: a client in this process,
// and, as root, clients running as a real OS user made for the test. Without the built
// addon (or without root, for the second part) the tests are skipped, and fail under CI=true.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, cpSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type ListenOptions, type Server, Socket } from 'node:net';
import { join } from 'node:path';
import { SsoError } from '../../src/errors.js';
import {
  ADDON_PATH,
  type PeerCredentials,
  peerCredentialsOf,
  whyNoPeerCredentials,
} from '../../src/node/peer-credentials.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { createIdentities, type TestIdentities, whyNoOsUsers } from '../helpers/os-users.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';

const noAddon = whyNoPeerCredentials();
const describeAddon = describeNeeding(noAddon, 'peer credentials tests');
const describeOtherUser = describeNeeding(noAddon ?? whyNoOsUsers(), 'peer credentials of another OS user');

/** The supplementary groups of a process as the kernel holds them: the Groups line of /proc/<pid>/status. */
function kernelGroups(pid: number | 'self'): number[] {
  const line = /^Groups:(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  return line.trim().split(/\s+/).filter(Boolean).map(Number);
}

const sorted = (numbers: number[]) => [...numbers].sort((a, b) => a - b);

function listen(server: Server, where: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The first connection's socket, server side. */
function accepted(server: Server): Promise<Socket> {
  return new Promise((resolve) => server.once('connection', resolve));
}

/**
 * A client in a child process: connects to PEER_SOCKET, writes what it knows of itself
 * (pid, uid, gid and its kernel's Groups line), then waits for the server to end.
 */
const CLIENT = `
const fs = require('node:fs');
const socket = require('node:net').connect(process.env.PEER_SOCKET, () => {
  const line = /^Groups:(.*)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1];
  const groups = line.trim().split(/\\s+/).filter(Boolean).map(Number);
  socket.write(JSON.stringify({ pid: process.pid, uid: process.getuid(), gid: process.getgid(), groups }));
});
socket.on('data', () => {});
socket.on('end', () => socket.end());
`;

interface Seen {
  /** What the server read from the kernel about the connection. */
  server: PeerCredentials;
  /** What the client said about itself. */
  client: PeerCredentials;
}

/** Runs `command` (which runs CLIENT) and answers what each side saw. */
async function connectFrom(
  server: Server,
  socketPath: string,
  command: string,
  args: string[],
  options: { uid?: number; gid?: number } = {},
): Promise<Seen> {
  const connection = accepted(server);
  const child = spawn(command, args, {
    ...options,
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PEER_SOCKET: socketPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const exited = closed.then((status): never => {
    throw new Error(`the client exited (${status}) before it was seen:\n${stderr}`);
  });
  const socket = await Promise.race([connection, exited]);
  try {
    const credentials = peerCredentialsOf(socket);
    const said = await Promise.race([
      new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString()))),
      exited,
    ]);
    return { server: credentials, client: JSON.parse(said) as PeerCredentials };
  } finally {
    socket.end();
    await closed;
  }
}

describeAddon('peer credentials over a Unix-domain socket', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: Server;
  let socketPath: string;

  beforeAll(async () => {
    dir = tempDir('ssokit-peercred-');
    socketPath = join(dir.path, 'service.sock');
    server = createServer();
    await listen(server, { path: socketPath });
  });
  afterAll(async () => {
    await close(server);
    dir.cleanup();
  });

  test('the addon is found at <package root>/build/Release and loads', () => {
    expect(ADDON_PATH).toBe(join(REPO_ROOT, 'build', 'Release', 'peercred.node'));
    expect(whyNoPeerCredentials()).toBeNull();
  });

  test('a client in this process: its pid, uid, gid and groups, on both ends of the connection', async () => {
    const connection = accepted(server);
    const client = connect(socketPath);
    await new Promise((resolve) => client.once('connect', resolve));
    const serverSide = await connection;
    try {
      // The client's end sees the server, which is this process too (the kernel recorded
      // the listener's credentials when it listened).
      for (const end of [serverSide, client]) {
        const seen = peerCredentialsOf(end);
        expect(seen).toEqual({
          pid: process.pid,
          uid: process.getuid!(),
          gid: process.getgid!(),
          groups: kernelGroups('self'),
        });
        // process.getgroups() adds the effective gid when it is not a supplementary group.
        expect(new Set([...seen.groups, seen.gid])).toEqual(new Set([...process.getgroups!(), process.getegid!()]));
      }
    } finally {
      client.destroy();
      serverSide.destroy();
    }
  });

  test('a client in another process: that process, not this one', async () => {
    const seen = await connectFrom(server, socketPath, process.execPath, ['-e', CLIENT]);
    expect(seen.server).toEqual(seen.client);
    expect(seen.server.pid).not.toBe(process.pid);
  });

  test('a socket with no descriptor (not connected, or closed) is a clear error', async () => {
    const never = new Socket();
    expect(() => peerCredentialsOf(never)).toThrow(
      new SsoError(
        'INTERNAL',
        'cannot read the peer credentials of a socket that has no file descriptor (closed, or not connected yet)',
      ),
    );
    const connection = accepted(server);
    const client = connect(socketPath);
    await new Promise((resolve) => client.once('connect', resolve));
    (await connection).destroy();
    client.destroy();
    expect(() => peerCredentialsOf(client)).toThrow(/has no file descriptor/);
  });

  test('a descriptor that is not a socket: ENOTSOCK, naming the call', () => {
    const fd = openSync(join(REPO_ROOT, 'package.json'), 'r');
    try {
      const fake = { _handle: { fd } } as unknown as Socket;
      let thrown: unknown;
      try {
        peerCredentialsOf(fake);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SsoError);
      expect([(thrown as SsoError).code, (thrown as SsoError).message]).toEqual([
        'INTERNAL',
        `cannot read the peer credentials of fd ${fd}: getsockopt(SO_PEERCRED): Socket operation on non-socket (ENOTSOCK)`,
      ]);
    } finally {
      closeSync(fd);
    }
  });

  test("the addon itself: errno names as codes, strerror in the message, and its arguments' checks", () => {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as { peerCredentials(fd: unknown): PeerCredentials };
    const fd = openSync(join(REPO_ROOT, 'package.json'), 'r');
    closeSync(fd);
    const failure = (arg: unknown) => {
      try {
        addon.peerCredentials(arg);
      } catch (error) {
        const { name, code, message } = error as NodeJS.ErrnoException;
        return { name, code, message };
      }
      throw new Error(`peerCredentials(${String(arg)}) did not throw`);
    };
    expect(failure(fd)).toEqual({
      name: 'Error',
      code: 'EBADF',
      message: 'getsockopt(SO_PEERCRED): Bad file descriptor',
    });
    expect(failure(0.5)).toEqual({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
      message: 'peerCredentials: fd must be a non-negative integer',
    });
    expect(failure(-1).code).toBe('ERR_OUT_OF_RANGE');
    expect(failure('3')).toEqual({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'peerCredentials: fd must be a number',
    });
  });
});

describeAddon('peer credentials over TCP', () => {
  // Linux answers SO_PEERCRED on a TCP socket with pid 0 and uid and gid -1 (4294967295),
  // there being no peer process it knows, and fails SO_PEERGROUPS with ENODATA. The addon
  // asks for both, so a TCP socket is refused instead of yielding those values.
  test('either end of a TCP connection: ENODATA, saying only Unix-domain sockets have credentials', async () => {
    const server = createServer();
    await listen(server, { port: 0, host: '127.0.0.1' });
    const connection = accepted(server);
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const serverSide = await connection;
    try {
      for (const end of [serverSide, client]) {
        expect(() => peerCredentialsOf(end)).toThrow(
          /^cannot read the peer credentials of fd \d+: getsockopt\(SO_PEERGROUPS\): No data available \(ENODATA\): the kernel has them only for Unix-domain sockets, and this is not one$/,
        );
      }
    } finally {
      client.destroy();
      serverSide.destroy();
      await close(server);
    }
  });
});

describeAddon('where the addon is looked for', () => {
  // A copy of the built code in a folder of its own, as an installed package lays it out
  // (<root>/dist/src/..., <root>/build/Release/peercred.node): the addon is looked for
  // under the copy's root, not the checkout's, and a missing one is said in a sentence.
  let pkg: ReturnType<typeof tempDir>;
  const probe = (root: string): { path: string; why: string | null } => {
    const module = join(root, 'dist', 'src', 'node', 'peer-credentials.js');
    const script = `import(${JSON.stringify(module)}).then((m) => process.stdout.write(JSON.stringify({ path: m.ADDON_PATH, why: m.whyNoPeerCredentials() })))`;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      path: string;
      why: string | null;
    };
  };

  beforeAll(() => {
    pkg = tempDir('ssokit-peercred-package-');
    writeFileSync(join(pkg.path, 'package.json'), '{ "type": "module" }\n');
    cpSync(join(REPO_ROOT, 'dist', 'src'), join(pkg.path, 'dist', 'src'), { recursive: true });
  });
  afterAll(() => pkg.cleanup());

  test('not built: one sentence saying so, with the remedy', () => {
    const expected = join(pkg.path, 'build', 'Release', 'peercred.node');
    expect(probe(pkg.path)).toEqual({
      path: expected,
      why: `the peer-credentials addon was not built (there is no ${expected}): run \`npm rebuild ssokit\` where ssokit is installed (\`npm ci\` in a checkout), with python3, make and a C compiler present`,
    });
  });

  test('built: found under that root and loaded', () => {
    mkdirSync(join(pkg.path, 'build', 'Release'), { recursive: true });
    copyFileSync(ADDON_PATH, join(pkg.path, 'build', 'Release', 'peercred.node'));
    expect(probe(pkg.path).why).toBeNull();
  });
});

/** More groups than the addon's first buffer holds (32), so that it grows it on ERANGE. */
const GROUPS = ['peers', ...Array.from({ length: 40 }, (_, i) => `g${i}`)];

describeOtherUser('peer credentials of a client running as another OS user', () => {
  let ids: TestIdentities;
  let dir: ReturnType<typeof tempDir>;
  let server: Server;
  let socketPath: string;
  let uid: number;
  let primaryGid: number;
  let peersGid: number;
  let allGids: number[];

  beforeAll(async () => {
    ids = createIdentities(GROUPS, { caller: GROUPS });
    uid = ids.uids.caller!;
    primaryGid = Number(execFileSync('id', ['-g', ids.users.caller!], { encoding: 'utf8' }).trim());
    const gidOf = (name: string) => Number(execFileSync('getent', ['group', name], { encoding: 'utf8' }).split(':')[2]);
    peersGid = gidOf(ids.groups.peers!);
    allGids = GROUPS.map((group) => gidOf(ids.groups[group]!));
    dir = tempDir('ssokit-peercred-');
    // The test user must reach the socket: traverse its folder and write to the socket.
    chmodSync(dir.path, 0o777);
    socketPath = join(dir.path, 'service.sock');
    server = createServer();
    await listen(server, { path: socketPath });
    chmodSync(socketPath, 0o777);
  });
  afterAll(async () => {
    await close(server);
    dir?.cleanup();
    ids?.cleanup();
  });

  test('spawned with its uid and gid: the server sees that uid and gid', async () => {
    const seen = await connectFrom(server, socketPath, process.execPath, ['-e', CLIENT], { uid, gid: peersGid });
    expect(seen.server).toEqual(seen.client);
    // Node drops the supplementary groups when it sets a child's uid or gid (setgroups(0)).
    expect(seen.server).toEqual({ pid: seen.client.pid, uid, gid: peersGid, groups: [] });
  });

  test('logged in as that user (runuser: initgroups): its supplementary groups, all 41 of them', async () => {
    const seen = await connectFrom(server, socketPath, 'runuser', [
      '-u',
      ids.users.caller!,
      '--',
      process.execPath,
      '-e',
      CLIENT,
    ]);
    expect(seen.server).toEqual(seen.client);
    expect(seen.server.uid).toBe(uid);
    expect(seen.server.gid).toBe(primaryGid);
    expect(seen.server.groups).toContain(peersGid);
    expect(sorted(seen.server.groups)).toEqual(sorted([...new Set([primaryGid, ...allGids])]));
    expect(seen.server.pid).not.toBe(process.pid);
  });
});
