/**
 * `ssocloneaz -c FILE` / `ssokit clone import FILE`: replays a business server's
 * environment on a new server.
 *
 * In two steps, so every refusal that needs no password comes before the password is
 * asked for: planImport checks the header against this installation and that this node is
 * as freshly installed as Interstage requires; importEnvironment decrypts and checks every
 * chunk and every file into a staging folder, checks the environment it makes, then moves
 * it into place (clone-place.ts). A failed or interrupted import leaves the destination as
 * it was.
 */

import { createHash } from 'node:crypto';
import { closeSync, existsSync, promises as fs, fstatSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUNDLE_HEADER_MAX,
  type BundleHeader,
  type ParsedBundleHeader,
  parseBundleHeader,
  unlockBundle,
} from '../../crypto/bundle-format.js';
import { type ErrorCode, SsoError } from '../../errors.js';
import { homePaths } from '../../node/home.js';
import { currentInstallFacts, type InstallFacts } from '../../node/install-facts.js';
import { listLocalSecretIds, readLocalSecret } from '../../node/local-secrets.js';
import { readNodeConfig, validateNodeName, writeNodeConfig } from '../../node/node-config.js';
import { openRegularFile } from '../../node/private-files.js';
import { option, remedy } from '../../remedy.js';
import { isPostgresText } from '../../store/location.js';
import { openStore } from '../../store/open-store.js';
import type { HomeContext } from '../shared/index.js';
import { recordAudit } from '../shared/index.js';
import { bizsysHealth, listBizsys } from './bizsys.js';
import { extractPayload } from './extract.js';
import type { Manifest } from './manifest.js';
import { createStaging, moveIntoPlace, recoverStaging } from './place.js';
import { interruptedOr, type ProgressListener, stopIfInterrupted } from './progress.js';

export interface ImportPlan {
  path: string;
  parsed: ParsedBundleHeader;
  /** The bundle file's size (the payload runs to its end). */
  size: number;
  /** --force: replace this node's environment. */
  force: boolean;
  warnings: string[];
  /** An import into this home killed while moving into place was finished first. */
  recovered: boolean;
  /** This bundle was imported into this node before: nothing to do. */
  alreadyImported: { nodeName: string; at: string } | null;
}

/** Reads the header from the start of a bundle, without the password. */
export function readBundleHeader(path: string): { parsed: ParsedBundleHeader; size: number; mode: number } {
  const fd = openRegularFile(path);
  try {
    const stat = fstatSync(fd);
    const start = Buffer.alloc(BUNDLE_HEADER_MAX);
    const n = readSync(fd, start, 0, start.length, 0);
    return { parsed: parseBundleHeader(start.subarray(0, n)), size: stat.size, mode: stat.mode & 0o777 };
  } finally {
    closeSync(fd);
  }
}

export interface Mismatch {
  code: ErrorCode;
  message: string;
}

/** Interstage's rule: the same platform, version, edition and install folder on both servers. */
export function compatibilityProblems(header: BundleHeader, here: InstallFacts = currentInstallFacts()): Mismatch[] {
  const differ = (code: ErrorCode, what: string, bundle: string, local: string): Mismatch[] =>
    bundle === local
      ? []
      : [{ code, message: `the bundle was made on ${what} ${bundle}, but this node runs ${what} ${local}` }];
  return [
    ...differ('PLATFORM_MISMATCH', 'platform', `${header.platform}/${header.arch}`, `${here.platform}/${here.arch}`),
    ...differ('VERSION_MISMATCH', 'ssokit version', header.version, here.version),
    ...differ('EDITION_MISMATCH', 'edition', header.edition, here.edition),
    ...differ('INSTALL_DIR_MISMATCH', 'the install folder', header.installDir, here.installDir),
  ];
}

/** What makes this node not "right after installation": configured, business systems, a secret, a store. */
export function freshnessProblems(home: HomeContext): string[] {
  const { paths } = home;
  const problems: string[] = [];
  const nonEmpty = (dir: string) =>
    existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((n) => !n.startsWith('.'));
  if (existsSync(paths.nodeFile)) problems.push(`it is already set up (${paths.nodeFile})`);
  if (nonEmpty(join(paths.root, 'bizsys'))) problems.push('it has business systems');
  if (nonEmpty(paths.secretDir)) problems.push('it holds a master secret');
  if (existsSync(paths.defaultStore)) problems.push(`it has a credential store (${paths.defaultStore})`);
  return problems;
}

function notFresh(problems: string[]): SsoError {
  return new SsoError(
    'NODE_NOT_FRESH',
    `this node is not in the state right after installation: ${problems.join('; ')}`,
    {
      hint: remedy`replicate onto a freshly installed server, or add ${option('force')} to replace this node's environment (it is kept aside)`,
    },
  );
}

/** The identity of a bundle: its authenticated header (unique by its random salt and nonce). */
export function bundleId(parsed: ParsedBundleHeader): string {
  return createHash('sha256').update(parsed.authenticated).update(parsed.mac).digest('hex');
}

/**
 * Every refusal that needs no password. First, an import into this home that was killed
 * while moving into place is finished; then a re-run of an import that completed is
 * recognised (`alreadyImported`) rather than refused as a node that is not fresh.
 */
export async function planImport(
  home: HomeContext,
  path: string,
  options: { force: boolean; here?: InstallFacts },
): Promise<ImportPlan> {
  const { parsed, size, mode } = readBundleHeader(path);
  const recovered = await recoverStaging(home.paths.root);
  const mismatch = compatibilityProblems(parsed.header, options.here)[0];
  if (mismatch) {
    throw new SsoError(mismatch.code, mismatch.message, {
      hint: remedy`Interstage requires the same platform, version, edition and install folder on both servers; ${option('force')} does not change that`,
    });
  }
  const problems = freshnessProblems(home);
  const base = { path, parsed, size, force: options.force, recovered };
  if (problems.length && !options.force) {
    const node = await readNodeConfig(home.paths).catch(() => null);
    if (node?.importedFrom?.bundle === bundleId(parsed)) {
      return { ...base, warnings: [], alreadyImported: { nodeName: node.nodeName, at: node.importedFrom.importedAt } };
    }
    throw notFresh(problems);
  }
  const warnings: string[] = [];
  if (mode & 0o077) {
    warnings.push(
      `${path} can be read by group or others (mode ${mode.toString(8).padStart(4, '0')}): keep bundles private while they travel (chmod 600), and delete them after use`,
    );
  }
  if (problems.length) warnings.push(`replacing this node's environment (--force): ${problems.join('; ')}`);
  return { ...base, warnings, alreadyImported: null };
}

export interface ImportOptions {
  nodeName: string;
  /** The store this node joins instead of the one the bundle names (--db). */
  store?: string | undefined;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface ImportResult {
  nodeName: string;
  sourceNode: string;
  store: string;
  businessSystems: { name: string; publicUrl: string }[];
  files: number;
  includesSecret: boolean;
  /** Where the environment this import replaced was kept (--force), or null. */
  replacedKeptAt: string | null;
  warnings: string[];
}

export async function importEnvironment(
  home: HomeContext,
  plan: ImportPlan,
  password: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const nodeName = validateNodeName(options.nodeName);
  const { header } = plan.parsed;
  const key = await unlockBundle(plan.parsed, password);
  stopIfInterrupted(options.signal, 'the import');
  // The password prompt may have taken a while: the node must still be as it was planned.
  const problems = freshnessProblems(home);
  if (problems.length && !plan.force) throw notFresh(problems);
  const target = home.paths.root;
  const staging = await createStaging(target);
  let replacedKeptAt: string | null;
  let manifest: Manifest;
  try {
    manifest = await extractPayload(plan.path, staging.dir, {
      offset: plan.parsed.payloadOffset,
      size: plan.size,
      key,
      includesSecret: header.includesSecret,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await checkStagedEnvironment(staging.dir, manifest, header);
    const env = { ...manifest.environment, store: options.store ?? manifest.environment.store };
    await checkStoreToJoin(env.store, home);
    await writeNodeConfig(homePaths(staging.dir), {
      nodeName,
      clusterNames: env.clusterNames,
      ...(env.domain ? { domain: env.domain } : {}),
      ...(env.serviceAccount ? { serviceAccount: env.serviceAccount } : {}),
      store: env.store,
      importedFrom: {
        bundle: bundleId(plan.parsed),
        sourceNode: header.sourceNode,
        importedAt: home.deps.now().toISOString(),
      },
      install: currentInstallFacts(),
      createdAt: home.deps.now().toISOString(),
    });
    // The last moment an interruption is honoured: the swap itself is not interrupted.
    stopIfInterrupted(options.signal, 'the import');
    const stamp = home.deps
      .now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    replacedKeptAt = await moveIntoPlace(staging, target, { keepReplaced: plan.force, stamp });
  } catch (error) {
    await fs.rm(staging.dir, { recursive: true, force: true });
    throw interruptedOr(error, options.signal, 'the import');
  }
  const warnings = [...plan.warnings];
  const store = options.store ?? manifest.environment.store;
  await recordImport(home, store, nodeName, plan, manifest).catch((error: Error) =>
    warnings.push(
      `the store ${store} could not be reached from this node (${error.message}): check that the path is shared`,
    ),
  );
  return {
    nodeName,
    sourceNode: header.sourceNode,
    store,
    businessSystems: manifest.businessSystems,
    files: manifest.files.length,
    includesSecret: manifest.includesSecret,
    replacedKeptAt,
    warnings,
  };
}

/**
 * The staged files make a sound environment: what the manifest says matches the header and
 * the definitions, every business system is valid with its files, every secret file opens.
 */
async function checkStagedEnvironment(staging: string, manifest: Manifest, header: BundleHeader): Promise<void> {
  const fault = (what: string, details: string[] = []) =>
    new SsoError('BAD_FORMAT', `the bundle's environment is not sound: ${what}; nothing was written`, { details });
  if (manifest.includesSecret !== header.includesSecret)
    throw fault('its header and its manifest disagree about the master secret');
  const paths = homePaths(staging);
  const health = await bizsysHealth({ paths });
  if (health.length) throw fault('its business systems are not valid', health);
  const systems = (await listBizsys({ paths })).map((s) => `${s.name} ${s.publicUrl}`).sort();
  const listed = manifest.businessSystems.map((s) => `${s.name} ${s.publicUrl}`).sort();
  if (systems.join('\n') !== listed.join('\n'))
    throw fault('its business systems differ from the list in its manifest');
  const secrets = await listLocalSecretIds(paths);
  if (header.includesSecret && secrets.length === 0) throw fault('it says it holds the master secret, and holds none');
  for (const id of secrets) await readLocalSecret(paths, id);
}

/**
 * The store the new node will use must be an ssokit store where it can be reached: a file
 * that another application made (or an empty one) is refused before anything moves into
 * place. One this node cannot reach yet is allowed (a path mounted later); the import
 * says so.
 */
async function checkStoreToJoin(store: string, home: HomeContext): Promise<void> {
  // A file that is not there yet is made by the first node that runs init; a PostgreSQL
  // store must answer now, or the node would be placed pointing at nothing.
  if (!isPostgresText(store) && !existsSync(store)) return;
  const opened = await openStore(store, {
    busyTimeoutMs: home.deps.busyTimeoutMs,
    password: home.deps.storePassword,
    readOnly: true,
  });
  await opened.close();
}

async function recordImport(
  home: HomeContext,
  storePath: string,
  nodeName: string,
  plan: ImportPlan,
  manifest: Manifest,
): Promise<void> {
  const store = await openStore(storePath, {
    busyTimeoutMs: home.deps.busyTimeoutMs,
    password: home.deps.storePassword,
  });
  try {
    await store.transaction((tx) =>
      recordAudit(
        tx,
        { ...home, node: { nodeName } },
        {
          operation: 'clone-import',
          target: `${plan.path} from ${plan.parsed.header.sourceNode}`,
          result: `success: ${manifest.files.length} files${manifest.includesSecret ? ', with the master secret' : ''}`,
        },
      ),
    );
  } finally {
    await store.close();
  }
}
