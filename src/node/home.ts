import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where a node keeps its files. Only the master secret server has a secret/ folder. */
export interface HomePaths {
  root: string;
  nodeFile: string;
  secretDir: string;
  backupDir: string;
  defaultStore: string;
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
  };
}
