/**
 * What an environment bundle carries: this node's settings that a new server of the group
 * shares (cluster names, domain, store location, service account; never its name) and the
 * files under the home that make up its business systems (and its master secret, only when
 * asked). The manifest lists every file with its mode, size and SHA-256.
 */

import { lstatSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SsoError } from '../../errors.js';
import { BIZSYS_DIR } from '../../node/bizsys-files.js';
import type { HomePaths } from '../../node/home.js';
import { type NodeConfig, validateNodeName } from '../../node/node-config.js';
import { identityProblem } from '../shared/index.js';

export const MANIFEST_FORMAT = 'ssokit-bundle-manifest/v1';
export const SECRET_DIR = 'secret';
/** The roots a bundle may hold files under (relative to the home). */
export const BUNDLE_ROOTS = [BIZSYS_DIR, SECRET_DIR] as const;

export interface ManifestFile {
  path: string;
  /** Permission bits at the source (a reader keeps only the owner's execute bit). */
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

export interface EnvironmentFile {
  /** Relative to the home, `/`-separated. */
  path: string;
  size: number;
  mode: number;
}

/**
 * Regular files under `root` (a folder of the home). Anything else found there (a link, a
 * device, a socket) is a problem: a bundle carries regular files only. Hidden names are
 * temporary or set-aside files, never part of an environment.
 */
export function listEnvironmentFiles(paths: HomePaths, root: string, problems: string[]): EnvironmentFile[] {
  const found: EnvironmentFile[] = [];
  const walk = (relative: string) => {
    let names: string[];
    try {
      names = readdirSync(join(paths.root, relative)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      problems.push(`cannot list ${join(paths.root, relative)}: ${(error as Error).message}`);
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = `${relative}/${name}`;
      const problem = unsafePathProblem(path);
      if (problem) {
        problems.push(`${path}: ${problem}`);
        continue;
      }
      const stat = lstatSync(join(paths.root, path));
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) found.push({ path, size: stat.size, mode: stat.mode & 0o777 });
      else problems.push(`${path} is neither a regular file nor a folder (a bundle carries regular files only)`);
    }
  };
  walk(root);
  return found;
}

/** Why a path from a bundle may not be written under the home, or null. */
export function unsafePathProblem(path: string): string | null {
  if (path.length === 0 || Buffer.byteLength(path) > 4096) return 'an empty or over-long path';
  if (path.startsWith('/')) return 'an absolute path';
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return 'a control character or backslash in the path';
  const parts = path.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '')) return 'a path with ".", ".." or an empty part';
  if (parts.some((p) => Buffer.byteLength(p) > 255)) return 'a name longer than 255 bytes';
  if (parts.some((p) => p.startsWith('.'))) return 'a hidden name (temporary files are never part of an environment)';
  if (!(BUNDLE_ROOTS as readonly string[]).includes(parts[0]!) || parts.length < 2)
    return `a path outside ${BUNDLE_ROOTS.join('/ and ')}/`;
  return null;
}

const bad = (what: string) => new SsoError('BAD_FORMAT', `the bundle manifest is not readable: ${what}`);

/** Parses and checks the manifest that ends a bundle's payload. */
export function parseManifest(bytes: Buffer): Manifest {
  let value: Manifest;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch {
    throw bad('it is not JSON');
  }
  if (value?.format !== MANIFEST_FORMAT) throw bad(`its format is not ${MANIFEST_FORMAT}`);
  if (typeof value.includesSecret !== 'boolean') throw bad('includesSecret is not true or false');
  checkEnvironment(value.environment);
  if (
    !Array.isArray(value.businessSystems) ||
    !value.businessSystems.every((s) => typeof s?.name === 'string' && typeof s?.publicUrl === 'string')
  ) {
    throw bad('businessSystems is not a list of {name, publicUrl}');
  }
  if (!Array.isArray(value.files)) throw bad('files is not a list');
  const seen = new Set<string>();
  for (const file of value.files) {
    const path = String(file?.path);
    const problem = unsafePathProblem(path);
    if (problem)
      throw new SsoError('UNSAFE_ARCHIVE', `the bundle lists ${JSON.stringify(path)}: ${problem}; nothing was written`);
    if (seen.has(path)) throw bad(`${path} is listed twice`);
    seen.add(path);
    const fine =
      Number.isSafeInteger(file.size) &&
      file.size >= 0 &&
      Number.isInteger(file.mode) &&
      file.mode >= 0 &&
      file.mode <= 0o777 &&
      /^[0-9a-f]{64}$/.test(String(file.sha256));
    if (!fine) throw bad(`the entry for ${path} lacks a size, mode or SHA-256`);
  }
  return value;
}

function checkEnvironment(env: EnvironmentSettings | undefined): void {
  if (!env || typeof env !== 'object') throw bad('it has no environment');
  if (typeof env.store !== 'string' || !isAbsolute(env.store) || /[\u0000-\u001f]/.test(env.store))
    throw bad('the store is not an absolute path');
  if (!Array.isArray(env.clusterNames)) throw bad('clusterNames is not a list');
  try {
    for (const name of env.clusterNames) validateNodeName(String(name), 'cluster name');
    if (env.domain !== undefined) validateNodeName(String(env.domain), 'domain');
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (
    env.serviceAccount !== undefined &&
    (typeof env.serviceAccount !== 'string' || identityProblem(env.serviceAccount))
  )
    throw bad('the service account is not an account name');
}
