/**
 * Who is at the other end of a Unix-domain socket, as the kernel says: the SSO service
 * must learn each caller's uid and groups from the connection itself (SO_PEERCRED and
 * SO_PEERGROUPS, recorded by the kernel when the client connected and impossible for it
 * to forge), never from anything in the request. Node has no API for either and the
 * registry has no package for it, so ssokit carries a small Node-API addon in plain C,
 * native/peercred/peercred.c, which node-gyp builds into build/Release/peercred.node when
 * the package is installed (package.json's "install" script), as better-sqlite3 builds its
 * binding. It is loaded on first use; `whyNoPeerCredentials` says when it cannot be.
 *
 * Only for Unix-domain sockets: on a TCP socket Linux reports pid 0 and uid and gid -1
 * for SO_PEERCRED and fails SO_PEERGROUPS with ENODATA, so `peerCredentialsOf` throws there.
 */

import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { SsoError } from '../errors.js';
import { INSTALL_DIR } from './install-facts.js';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /** The peer's supplementary groups, as the kernel holds them (the primary gid only if it is one). */
  groups: number[];
}

interface Addon {
  peerCredentials(fd: number): PeerCredentials;
}

/** The addon, where node-gyp puts it: <package root>/build/Release (package root = INSTALL_DIR). */
export const ADDON_PATH = join(INSTALL_DIR, 'build', 'Release', 'peercred.node');

const REBUILD = `run \`npm rebuild ssokit\` where ssokit is installed (\`npm ci\` in a checkout), with python3, make and a C compiler present`;

type Loaded = { addon: Addon; reason: null } | { addon: null; reason: string; cause: unknown };

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  if (process.platform !== 'linux') {
    loaded = {
      addon: null,
      reason: `peer credentials (SO_PEERCRED) are read on Linux only, and this is ${process.platform}`,
      cause: undefined,
    };
    return loaded;
  }
  try {
    loaded = { addon: createRequire(import.meta.url)(ADDON_PATH) as Addon, reason: null };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'MODULE_NOT_FOUND' || code === 'ENOENT'
        ? `the peer-credentials addon was not built (there is no ${ADDON_PATH}): ${REBUILD}`
        : `the peer-credentials addon ${ADDON_PATH} does not load (${(error as Error).message.split('\n')[0]}): ${REBUILD}`;
    loaded = { addon: null, reason, cause: error };
  }
  return loaded;
}

/** Null when peer credentials can be read here; otherwise one sentence saying why not. */
export function whyNoPeerCredentials(): string | null {
  return load().reason;
}

/** What a net.Socket holds that its types do not show: libuv's handle, whose fd is -1 once closed. */
interface WithHandle {
  _handle?: { fd?: unknown } | null;
}

/**
 * The kernel's record of who connected `socket`, a connected Unix-domain socket (one a
 * net.Server accepted, or one this process connected). Throws an SsoError (INTERNAL) when
 * the addon is missing, the socket has no descriptor (closed, or not connected yet), or the
 * kernel has no credentials for it (a TCP socket).
 */
export function peerCredentialsOf(socket: Socket): PeerCredentials {
  const state = load();
  if (state.addon === null) throw new SsoError('INTERNAL', state.reason, { cause: state.cause });
  const fd = (socket as unknown as WithHandle)._handle?.fd;
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
    throw new SsoError(
      'INTERNAL',
      'cannot read the peer credentials of a socket that has no file descriptor (closed, or not connected yet)',
    );
  }
  try {
    return state.addon.peerCredentials(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENODATA' ? ': the kernel has them only for Unix-domain sockets, and this is not one' : '';
    throw new SsoError(
      'INTERNAL',
      `cannot read the peer credentials of fd ${fd}: ${(error as Error).message} (${code ?? 'no code'})${what}`,
      { cause: error },
    );
  }
}
