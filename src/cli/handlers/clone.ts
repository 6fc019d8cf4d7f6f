/**
 * `ssocloneaz -p` / `-c` and `ssokit clone export|import|inspect`: environment bundles for
 * replicating a business server behind a load balancer.
 */

import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ProgressListener } from '../../core/clone/index.js';
import {
  compatibilityProblems,
  type ImportResult,
  importEnvironment,
  planExport,
  planImport,
  readBundleHeader,
  storeUnavailable,
  writeBundle,
} from '../../core/clone/index.js';
import { belowProductionCost, type StoreContext } from '../../core/shared/index.js';
import { BUNDLE_KDF } from '../../defaults.js';
import { SsoError } from '../../errors.js';
import { obtainPassword } from '../answers.js';
import { isInteractive } from '../io.js';
import type { Session } from '../session.js';

/** The bundle, as an argument or (Interstage's spelling) with -f FILE. */
export interface BundleOptions {
  bundle: string | undefined;
  file: string | undefined;
}

export interface ExportOptions extends BundleOptions {
  includeSecret: boolean;
  force: boolean;
}

export interface ImportOptions extends BundleOptions {
  force: boolean;
  deleteBundle: boolean;
  keepBundle: boolean;
}

function bundlePath({ bundle: file, ...options }: BundleOptions): string {
  if (file !== undefined && options.file !== undefined && resolve(file) !== resolve(options.file)) {
    throw new SsoError('USAGE', `two bundle files given: ${file} and -f ${options.file}`);
  }
  const path = file ?? options.file;
  if (!path) throw new SsoError('USAGE', 'which bundle file?', { hint: 'give it as an argument or with -f FILE' });
  return resolve(path);
}

/**
 * Runs long work with Ctrl-C and SIGTERM turned into a clean stop (the core removes what it
 * had written) and a progress bar on a terminal, drawn in MB.
 */
async function interruptible<T>(
  session: Session,
  label: string,
  work: (signal: AbortSignal, onProgress: ProgressListener) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const bar = session.out.progress(label);
  try {
    return await work(controller.signal, (done, total) =>
      bar.update({ done: Math.min(mb(done), mb(total)), total: mb(total) }),
    );
  } finally {
    bar.finish();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);

export async function cloneExportCommand(session: Session, options: ExportOptions): Promise<void> {
  const path = bundlePath(options);
  const { out } = session;
  await session.node();
  const ctx: StoreContext = await session.store().catch((error: unknown) => {
    throw storeUnavailable(error);
  });
  const plan = await planExport(ctx, {
    path,
    includeSecret: Boolean(options.includeSecret),
    overwrite: Boolean(options.force),
  });
  if (plan.includeSecret) {
    out.warn(
      'the bundle will include the master secret: anyone with the bundle and its password can decrypt every credential',
    );
  }
  const password = await obtainPassword(session, { message: 'Bundle password', confirm: true });
  const result = await interruptible(session, 'Exporting (MB)', (signal, onProgress) =>
    writeBundle(ctx, plan, password, { signal, onProgress }),
  );
  if (out.json) return out.printJson(result);
  if (!out.legacy) {
    for (const system of result.businessSystems) out.line(`  ${system.name}  ${system.publicUrl}`);
  }
  out.done(
    `environment of '${ctx.node.nodeName}' written to ${result.path}: ${result.businessSystems.length} business system(s), ` +
      `${result.files} file(s)${result.includesSecret ? ', WITH the master secret' : ''}`,
  );
  if (result.includesSecret && out.legacy) out.warn('the bundle includes the master secret');
  out.note(
    'move it to the new server so that nobody can read it on the way, without changing its permissions; delete it after the import',
  );
}

export async function cloneImportCommand(session: Session, options: ImportOptions): Promise<void> {
  const path = bundlePath(options);
  const { out } = session;
  if (options.deleteBundle && options.keepBundle)
    throw new SsoError('USAGE', '--delete-bundle and --keep-bundle contradict each other');
  const plan = await planImport(session.home, path, { force: Boolean(options.force) });
  if (plan.recovered) out.warn('finished an import into this home that had been interrupted while moving into place');
  if (plan.alreadyImported) return alreadyImported(session, path, plan.alreadyImported, options);
  for (const warning of plan.warnings) out.warn(warning);
  const { header } = plan.parsed;
  out.note(
    `bundle from '${header.sourceNode}', made ${header.created}; master secret ${header.includesSecret ? 'included' : 'not included'}`,
  );
  const password = await obtainPassword(session, { message: 'Bundle password', confirm: false });
  const result = await interruptible(session, 'Importing (MB)', (signal, onProgress) =>
    importEnvironment(session.home, plan, password, {
      nodeName: session.defaultNodeName,
      store: session.storeLocation,
      signal,
      onProgress,
    }),
  );
  if (!out.json) printRestored(session, result);
  for (const warning of result.warnings.filter((w) => !plan.warnings.includes(w))) out.warn(warning);
  const deleted = await decideDeletion(session, path, options);
  if (out.json) return out.printJson({ ...result, bundleDeleted: deleted });
  out.done(`${result.files} file(s) restored${deleted ? '; the bundle was deleted' : ''}`);
  if (!deleted)
    out.warn(`delete ${path} once you no longer need it: it holds this environment's keys and configuration`);
}

/** A re-run of an import that completed (perhaps just before it was killed): say so, change nothing. */
async function alreadyImported(
  session: Session,
  path: string,
  done: { nodeName: string; at: string },
  options: ImportOptions,
): Promise<void> {
  const deleted = await decideDeletion(session, path, options);
  const { out } = session;
  if (out.json)
    return out.printJson({
      alreadyImported: true,
      nodeName: done.nodeName,
      importedAt: done.at,
      bundleDeleted: deleted,
    });
  out.line(`this bundle was already imported into node '${done.nodeName}' at ${done.at}; nothing was changed`);
  out.done(deleted ? 'the bundle was deleted' : 'nothing to do');
}

function printRestored(session: Session, result: ImportResult): void {
  const { out } = session;
  out.line(`restored on node '${result.nodeName}' from '${result.sourceNode}' (store ${result.store}):`);
  for (const system of result.businessSystems) out.line(`  ${system.name}  ${system.publicUrl}`);
  if (result.businessSystems.length === 0) out.line('  no business systems');
  if (result.includesSecret)
    out.line('  the master secret (this node answers to the cluster name of the master secret server)');
  if (result.replacedKeptAt)
    out.line(`the environment it replaced was kept in ${result.replacedKeptAt}; delete it when you no longer need it`);
}

/** Interstage says to delete the environment file after use: ask, or follow the flag. */
async function decideDeletion(session: Session, path: string, options: ImportOptions): Promise<boolean> {
  let remove = options.deleteBundle === true;
  if (!options.deleteBundle && !options.keepBundle && isInteractive(session.io)) {
    remove = await session.prompter.confirm(`Delete the bundle ${path} now?`, true);
  }
  if (remove) await rm(path, { force: true });
  return remove;
}

export async function cloneInspectCommand(session: Session, options: BundleOptions): Promise<void> {
  const path = bundlePath(options);
  const { parsed, size, mode } = readBundleHeader(path);
  const { header } = parsed;
  const refusals = compatibilityProblems(header).map((m) => m.message);
  const { out } = session;
  const view = {
    file: path,
    bytes: size,
    mode: mode.toString(8).padStart(4, '0'),
    formatVersion: header.formatVersion,
    sourceNode: header.sourceNode,
    platform: header.platform,
    arch: header.arch,
    version: header.version,
    edition: header.edition,
    installDir: header.installDir,
    created: header.created,
    includesSecret: header.includesSecret,
    kdf: header.kdf,
    importableHere: refusals.length === 0,
    refusals,
  };
  if (out.json) return out.printJson(view);
  out.fields([
    ['format', `ssokit bundle v${view.formatVersion}`],
    ['size', `${view.bytes} bytes`],
    ['source node', view.sourceNode],
    ['platform', `${view.platform}/${view.arch}`],
    ['ssokit version', view.version],
    ['edition', view.edition],
    ['install folder', view.installDir],
    ['created', view.created],
    ['master secret', view.includesSecret ? 'included' : 'not included'],
    ['key derivation', `scrypt N=2^${view.kdf.log2N} r=${view.kdf.r} p=${view.kdf.p}`],
    ['import here', refusals.length ? 'refused' : 'possible (on a freshly installed node)'],
  ]);
  for (const refusal of refusals) out.line(`  ${refusal}`);
  if (mode & 0o077) out.warn(`${path} can be read by group or others: chmod 600 ${path}`);
  if (belowProductionCost(header.kdf, BUNDLE_KDF)) {
    out.warn(
      `${path} is protected by scrypt N=2^${header.kdf.log2N}, below the production cost N=2^${BUNDLE_KDF.log2N}: its password can be guessed far faster`,
    );
  }
}

/** `ssokit clone -p FILE` / `ssokit clone -c FILE`: the ssocloneaz letters on the modern command. */
export async function cloneAliasCommand(
  session: Session,
  options: Omit<ExportOptions & ImportOptions, 'bundle'> & {
    p: string | true | undefined;
    c: string | true | undefined;
  },
): Promise<void> {
  if (options.p !== undefined && options.c !== undefined)
    throw new SsoError('USAGE', '-p and -c contradict each other');
  const bundle = (value: string | true) => (value === true ? undefined : value);
  if (options.p !== undefined) return cloneExportCommand(session, { ...options, bundle: bundle(options.p) });
  if (options.c !== undefined) return cloneImportCommand(session, { ...options, bundle: bundle(options.c) });
  throw new SsoError('USAGE', 'ssokit clone needs -p FILE, -c FILE or a subcommand', { hint: 'ssokit clone --help' });
}
