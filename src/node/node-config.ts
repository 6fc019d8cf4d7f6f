/**
 * node.json: who this node is and which store it uses. Written atomically; it holds no
 * secret, but only the node's owner should change it, so it is 0600 like the rest.
 */

import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SsoError } from '../errors.js';
import { type JsonObject, JsonProblems, jsonProblemSentence, parseJson, readJsonObject } from '../json/json-reader.js';
import { command, remedy } from '../remedy.js';
import { isPostgresText, parseStoreLocation } from '../store/location.js';
import type { HomePaths } from './home.js';
import type { InstallFacts } from './install-facts.js';
import { ensurePrivateDir, ioError, writeFileAtomic } from './private-files.js';

export const NODE_FORMAT = 'ssokit-node/v1';

export interface NodeConfig {
  nodeName: string;
  /** Cluster network names this node also answers to (a clustered master secret server). */
  clusterNames: string[];
  /**
   * The directory domain this node's OS accounts belong to (e.g. CORP), if any: the caller
   * `alice` is then `CORP\alice` in mappings, and `CORP\group` accounts match OS groups.
   */
  domain?: string;
  /** The OS user the SSO service runs as on this node (recorded by the setup wizard). */
  serviceAccount?: string;
  /** host:port the SSO service's node channel listens on (node.service.listen). */
  serviceListen?: string;
  /** Seconds between refreshes of the cached master secret (node.service.refresh-seconds). */
  refreshSeconds?: string;
  /** Absolute path of the store. */
  store: string;
  /** The environment bundle this node was made from (ssocloneaz -c), if any. */
  importedFrom?: ImportedFrom;
  install: InstallFacts;
  createdAt: string;
}

export interface ImportedFrom {
  /** SHA-256 of the bundle's authenticated header: the same bundle, whatever its file name. */
  bundle: string;
  sourceNode: string;
  importedAt: string;
}

interface NodeFile extends Omit<NodeConfig, 'store'> {
  format: string;
  /** Relative to the home when the store lives inside it, so a home can be moved. */
  store: string;
}

const REPAIR_HINT = remedy`restore it from a copy, or remove it and run ${command('join')} again`;

export async function readNodeConfig(paths: HomePaths): Promise<NodeConfig | null> {
  let text: string;
  try {
    // Synchronous on purpose: every command starts here, and a thread-pool round trip
    // costs more than the read.
    text = readFileSync(paths.nodeFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(`cannot read ${paths.nodeFile}`, error);
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    throw new SsoError('BAD_FORMAT', `${paths.nodeFile} is not valid JSON: ${parsed.problem.message}`, {
      hint: REPAIR_HINT,
    });
  }
  const problems = new JsonProblems();
  const file = readJsonObject(parsed.value, problems);
  if (!file.valid) throw notReadable(paths, problems);
  const format = file.raw('format');
  if (format !== NODE_FORMAT) {
    throw new SsoError(
      'UNSUPPORTED_VERSION',
      `${paths.nodeFile} has format ${String(format)}; expected ${NODE_FORMAT}`,
    );
  }
  const config: NodeConfig = {
    nodeName: file.string('nodeName'),
    clusterNames: file.optionalStringList('clusterNames') ?? [],
    store: storeFromFile(paths, file.string('store')),
    install: installFromJson(file.object('install')),
    createdAt: file.optionalString('createdAt') ?? '',
  };
  const domain = file.optionalString('domain');
  if (domain) config.domain = domain;
  const serviceAccount = file.optionalString('serviceAccount');
  if (serviceAccount) config.serviceAccount = serviceAccount;
  const serviceListen = file.optionalString('serviceListen');
  if (serviceListen) config.serviceListen = serviceListen;
  const refreshSeconds = file.optionalString('refreshSeconds');
  if (refreshSeconds) config.refreshSeconds = refreshSeconds;
  const importedFrom = file.optionalObject('importedFrom');
  if (importedFrom) {
    config.importedFrom = {
      bundle: importedFrom.string('bundle'),
      sourceNode: importedFrom.string('sourceNode'),
      importedAt: importedFrom.string('importedAt'),
    };
  }
  if (problems.any) throw notReadable(paths, problems);
  return config;
}

function notReadable(paths: HomePaths, problems: JsonProblems): SsoError {
  const texts = problems.list.map((p) => jsonProblemSentence(p, 'the file'));
  return new SsoError(
    'BAD_FORMAT',
    `${paths.nodeFile} is not a readable ${NODE_FORMAT} file: ${texts.length === 1 ? texts[0] : `${texts.length} problems`}`,
    { details: texts, hint: REPAIR_HINT },
  );
}

function installFromJson(install: JsonObject): InstallFacts {
  return {
    platform: install.string('platform'),
    arch: install.string('arch'),
    version: install.string('version'),
    edition: install.string('edition'),
    installDir: install.string('installDir'),
  };
}

/** node.json's store: a path relative to the home made absolute, a URL parsed as given. */
function storeFromFile(paths: HomePaths, store: string): string {
  return isPostgresText(store) ? parseStoreLocation(store).display : resolve(paths.root, store);
}

export async function writeNodeConfig(paths: HomePaths, config: NodeConfig): Promise<void> {
  await ensurePrivateDir(paths.root);
  const inside = relative(paths.root, config.store);
  // A store in the home is recorded relative to it (the home may move); a URL as it is.
  const store =
    !isPostgresText(config.store) && !inside.startsWith('..') && !isAbsolute(inside) ? inside : config.store;
  const file: NodeFile = { format: NODE_FORMAT, ...config, store };
  await writeFileAtomic(paths.nodeFile, `${JSON.stringify(file, null, 2)}\n`, { overwrite: true });
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Node and cluster names are host names: letters, digits, dot, dash, underscore. */
export function validateNodeName(name: string, what = 'node name'): string {
  if (!NAME_PATTERN.test(name)) {
    throw new SsoError(
      'INVALID_INPUT',
      `the ${what} "${name.replace(/[^\x20-\x7e]/g, '?')}" is not a valid host name`,
      {
        hint: 'use letters, digits, dots, dashes and underscores (at most 255 characters)',
      },
    );
  }
  return name;
}

/** Names compare case-insensitively, as Windows host names do. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** True when this node answers to `secretServer` by its name or a cluster name. */
export function answersTo(config: NodeConfig, secretServer: string): boolean {
  return [config.nodeName, ...config.clusterNames].some((name) => sameName(name, secretServer));
}
