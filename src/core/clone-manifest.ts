/**
 * What an environment bundle carries: this node's settings that a new server of the group
 * shares (cluster names, domain, store location, service account; never its name) and the
 * files under the home that make up its business systems (and its master secret, only when
 * asked). The manifest lists every file with its mode, size and SHA-256.
 */

import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../errors.js';
import type { HomePaths } from '../node/home.js';
import { BIZSYS_DIR } from '../node/bizsys-files.js';
import type { NodeConfig } from '../node/node-config.js';

export const MANIFEST_FORMAT = 'ssokit-bundle-manifest/v1';
/** The roots a bundle may hold files under (relative to the home). */
export const BUNDLE_ROOTS = [BIZSYS_DIR, 'secret'] as const;

export interface ManifestFile {
  path: string;
  mode: number;
  size: number;
  sha256: string;
}

export interface EnvironmentSettings {
  clusterNames: string[];
  domain?: string;
  store: string;
  serviceAccount?: string;
}

export interface Manifest {
  format: string;
  environment: EnvironmentSettings;
  businessSystems: { name: string; publicUrl: string }[];
  includesSecret: boolean;
  files: ManifestFile[];
}

export function environmentOf(node: NodeConfig): EnvironmentSettings {
  return {
    clusterNames: node.clusterNames,
    ...(node.domain ? { domain: node.domain } : {}),
    store: node.store,
    ...(node.serviceAccount ? { serviceAccount: node.serviceAccount } : {}),
  };
}

/**
 * Regular files under `root` (a folder of the home), by path relative to the home.
 * Anything else found there (a link, a device, a socket) is a problem: a bundle carries
 * regular files only.
 */
export function listEnvironmentFiles(paths: HomePaths, root: string, problems: string[]): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    let names: string[];
    try {
      names = readdirSync(join(paths.root, relative)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      const path = `${relative}/${name}`;
      if (name.startsWith('.')) continue; // temporary and set-aside files are never part of an environment
      const stat = lstatSync(join(paths.root, path));
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) found.push(path);
      else problems.push(`${path} is neither a regular file nor a folder (a bundle carries regular files only)`);
    }
  };
  walk(root);
  return found;
}

/** Why a path from a bundle may not be written under the home, or null. */
export function unsafePathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 4096) return 'an empty or over-long path';
  if (path.startsWith('/')) return 'an absolute path';
  if (/[\u0000\\]/.test(path)) return 'a NUL or backslash in the path';
  const parts = path.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '')) return 'a path with ".", ".." or an empty part';
  if (parts.some((p) => Buffer.byteLength(p) > 255)) return 'a name longer than 255 bytes';
  if (!(BUNDLE_ROOTS as readonly string[]).includes(parts[0]!) || parts.length < 2) return `a path outside ${BUNDLE_ROOTS.join('/ and ')}/`;
  return null;
}

export function parseManifest(bytes: Buffer): Manifest {
  let value: Manifest;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch {
    throw new SsoError('DAMAGED_FILE', 'the bundle manifest is not readable');
  }
  if (value?.format !== MANIFEST_FORMAT || !Array.isArray(value.files) || !value.environment || typeof value.environment.store !== 'string') {
    throw new SsoError('BAD_FORMAT', `the bundle manifest is not ${MANIFEST_FORMAT}`);
  }
  for (const file of value.files) {
    const problem = unsafePathProblem(String(file.path));
    if (problem) throw new SsoError('UNSAFE_ARCHIVE', `the bundle lists ${JSON.stringify(file.path)}: ${problem}; nothing was written`);
    if (!Number.isSafeInteger(file.size) || file.size < 0 || !/^[0-9a-f]{64}$/.test(file.sha256)) {
      throw new SsoError('BAD_FORMAT', `the bundle manifest entry for ${file.path} is not readable`);
    }
  }
  return value;
}
