/**
 * What an environment bundle carries: this node's settings that a new server of the group
 * shares (cluster names, domain, store location, service account; never its name) and the
 * files under the home that make up its business systems (and its master secret, only when
 * asked). The manifest lists every file with its mode, size and SHA-256.
 */

import { lstatSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SsoError } from '../../errors.js';
import {
  type JsonObject,
  JsonProblems,
  jsonPath,
  jsonProblemSentence,
  parseJson,
  readJsonObject,
} from '../../json/json-reader.js';
import { BIZSYS_DIR } from '../../node/bizsys-files.js';
import type { HomePaths } from '../../node/home.js';
import { type NodeConfig, validateNodeName } from '../../node/node-config.js';
import { isPostgresText, parseStoreLocation } from '../../store/location.js';
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

/**
 * Parses and checks the manifest that ends a bundle's payload. Every shape problem is
 * listed (BAD_FORMAT); a listed path that may not be written under a home is UNSAFE_ARCHIVE.
 */
export function parseManifest(bytes: Buffer): Manifest {
  const parsed = parseJson(bytes.toString('utf8'));
  if (!parsed.ok) throw notReadable([`it is not JSON: ${parsed.problem.message}`]);
  const problems = new JsonProblems();
  const root = readJsonObject(parsed.value, problems);
  if (!root.valid) throw notReadable(['it is not a JSON object']);
  // Another format's fields cannot be judged by this one's rules.
  if (root.raw('format') !== MANIFEST_FORMAT) throw notReadable([`its format is not ${MANIFEST_FORMAT}`]);
  const includesSecret = root.boolean('includesSecret');
  const environment = environmentFromJson(root.object('environment'));
  const businessSystems = root
    .objectList('businessSystems', 'a list of {name, publicUrl}')
    .map((s) => ({ name: s.string('name'), publicUrl: s.string('publicUrl') }));
  const seen = new Set<string>();
  const unsafe: string[] = [];
  const files = root.objectList('files', 'a list of {path, mode, size, sha256}').map((f): ManifestFile => {
    const path = f.string('path');
    if (typeof f.raw('path') === 'string') {
      const problem = unsafePathProblem(path);
      if (problem) unsafe.push(`${JSON.stringify(path)}: ${problem}`);
      else if (seen.has(path)) f.problem('path', `${path} is listed twice`);
      seen.add(path);
    }
    const entry = {
      path,
      mode: f.integer('mode', { min: 0, max: 0o777 }),
      size: f.integer('size', { min: 0 }),
      sha256: f.string('sha256'),
    };
    if (typeof f.raw('sha256') === 'string' && !/^[0-9a-f]{64}$/.test(entry.sha256))
      f.reject('sha256', 'a SHA-256 in lower-case hexadecimal');
    return entry;
  });
  if (unsafe.length) {
    throw new SsoError('UNSAFE_ARCHIVE', `the bundle lists ${unsafe[0]}; nothing was written`, {
      ...(unsafe.length > 1 ? { details: unsafe } : {}),
    });
  }
  if (problems.any) throw notReadable(problems.list.map((p) => jsonProblemSentence(p, 'the manifest')));
  return { format: MANIFEST_FORMAT, environment, businessSystems, includesSecret, files };
}

function notReadable(problems: string[]): SsoError {
  return new SsoError(
    'BAD_FORMAT',
    `the bundle manifest is not readable: ${problems.length === 1 ? problems[0] : `${problems.length} problems`}`,
    { details: problems },
  );
}

/** A bundle names its store by an absolute path or a password-free postgres:// URL. */
function storeLocationProblem(text: string): string | null {
  if (/[\u0000-\u001f]/.test(text)) return 'the store holds control characters';
  if (isPostgresText(text)) {
    try {
      parseStoreLocation(text);
      return null;
    } catch (error) {
      return `the store is not a usable PostgreSQL URL: ${(error as Error).message}`;
    }
  }
  return isAbsolute(text) ? null : 'the store is not an absolute path or a postgres:// URL';
}

function environmentFromJson(env: JsonObject): EnvironmentSettings {
  const store = env.string('store');
  const storeProblem = typeof env.raw('store') === 'string' ? storeLocationProblem(store) : null;
  if (storeProblem) env.problem('store', storeProblem);
  const clusterNames = env.stringList('clusterNames');
  clusterNames.forEach((name, index) => {
    const problem = nodeNameProblem(name, 'cluster name');
    if (problem)
      env.problems.add({ kind: 'invalid', path: jsonPath(env.pathOf('clusterNames'), index), message: problem });
  });
  const domain = env.optionalString('domain');
  const domainProblem = domain === undefined ? null : nodeNameProblem(domain, 'domain');
  if (domainProblem) env.problem('domain', domainProblem);
  const serviceAccount = env.optionalString('serviceAccount');
  if (serviceAccount !== undefined && identityProblem(serviceAccount)) env.reject('serviceAccount', 'an account name');
  return {
    clusterNames,
    ...(domain !== undefined ? { domain } : {}),
    store,
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
  };
}

/** validateNodeName's refusal as a problem, or null. */
function nodeNameProblem(name: string, what: string): string | null {
  try {
    validateNodeName(name, what);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
