import { existsSync, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Where a node keeps its files. Only the master secret server has a secret/ folder. */
export interface HomePaths {
  root: string;
  nodeFile: string;
  secretDir: string;
  backupDir: string;
  defaultStore: string;
  /** The node's node-channel key pair (private half 0600). */
  nodeKeyFile: string;
  /** The SSO service's local API, open to every local user. */
  serviceSocket: string;
}

/** `--home DIR`, else SSOKIT_HOME, else ~/.ssokit. */
export function resolveHomeDir(flag: string | undefined, envValue: string | undefined): string {
  const chosen = flag ?? (envValue ? envValue : undefined);
  return resolve(chosen ?? join(homedir(), '.ssokit'));
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    nodeFile: join(root, 'node.json'),
    secretDir: join(root, 'secret'),
    backupDir: join(root, 'backup'),
    defaultStore: join(root, 'ssodb.sqlite'),
    nodeKeyFile: join(root, 'node.key'),
    serviceSocket: join(root, 'service.sock'),
  };
}

/**
 * Creates the missing folders on the way to `dir` (and `dir`) as 0755 whatever the umask:
 * under umask 000 a recursive mkdir makes them 0777, and anyone could then swap a home
 * made inside one for their own. Folders that exist are left as they are.
 */
export async function makeParents(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      await fs.mkdir(folder, { mode: 0o755 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // someone else's now: left alone
      throw error;
    }
    await fs.chmod(folder, 0o755);
  }
}
