/**
 * `ssocloneaz -p` / `-c` and `ssokit clone export|import|inspect`: environment bundles for
 * replicating a business server behind a load balancer.
 */

import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exportEnvironment } from '../../core/clone-export.js';
import { importEnvironment, planImport, readBundleHeader } from '../../core/clone-import.js';
import { SsoError } from '../../errors.js';
import { obtainPassword } from '../answers.js';
import { isInteractive } from '../io.js';
import type { Session } from '../session.js';

export interface CloneOptions {
  /** Interstage's spelling: -f FILE. */
  file?: string;
  includeSecret?: boolean;
  force?: boolean;
  deleteBundle?: boolean;
  keepBundle?: boolean;
}

function bundlePath(file: string | undefined, options: CloneOptions): string {
  const path = file ?? options.file;
  if (!path) throw new SsoError('USAGE', 'which bundle file?', { hint: 'give it as an argument or with -f FILE' });
  return resolve(path);
}

export async function cloneExportCommand(session: Session, file: string | undefined, options: CloneOptions): Promise<void> {
  const path = bundlePath(file, options);
  const ctx = await session.store();
  const { out } = session;
  if (options.includeSecret) {
    out.warn('the bundle will include the master secret: anyone with the bundle and its password can decrypt every credential');
  }
  const password = await obtainPassword(session, { message: 'Bundle password', confirm: true });
  const result = await exportEnvironment(ctx, { path, password, includeSecret: Boolean(options.includeSecret), overwrite: Boolean(options.force) });
  if (out.json) return out.printJson(result);
  if (!out.legacy) {
    for (const system of result.businessSystems) out.line(`  ${system.name}  ${system.publicUrl}`);
  }
  out.done(
    `environment of '${ctx.node.nodeName}' written to ${result.path}: ${result.businessSystems.length} business system(s), ` +
      `${result.files} file(s)${result.includesSecret ? ', WITH the master secret' : ''}`,
  );
  out.note('move it to the new server so that nobody can read it on the way, without changing its permissions; delete it after the import');
}

export async function cloneImportCommand(session: Session, file: string | undefined, options: CloneOptions): Promise<void> {
  const path = bundlePath(file, options);
  const { out } = session;
  if (options.deleteBundle && options.keepBundle) throw new SsoError('USAGE', '--delete-bundle and --keep-bundle contradict each other');
  const plan = planImport(session.home, path, { force: Boolean(options.force) });
  for (const warning of plan.warnings) out.warn(warning);
  const password = await obtainPassword(session, { message: 'Bundle password', confirm: false });
  const result = await importEnvironment(session.home, plan, password, { nodeName: session.defaultNodeName });
  if (!out.json) {
    out.line(`restored on node '${result.nodeName}' from '${plan.parsed.header.sourceNode}' (store ${result.store}):`);
    for (const system of result.businessSystems) out.line(`  ${system.name}  ${system.publicUrl}`);
    if (result.includesSecret) out.line('  the master secret (this node answers to the cluster name of the master secret server)');
  }
  for (const warning of result.warnings) out.warn(warning);
  const deleted = await decideDeletion(session, path, options);
  if (out.json) return out.printJson({ ...result, bundleDeleted: deleted });
  out.done(`${result.files} file(s) restored${deleted ? '; the bundle was deleted' : ''}`);
  if (!deleted) out.warn(`delete ${path} once you no longer need it: it holds this environment's keys and configuration`);
}

/** Interstage says to delete the environment file after use: ask, or follow the flag. */
async function decideDeletion(session: Session, path: string, options: CloneOptions): Promise<boolean> {
  let remove = options.deleteBundle === true;
  if (!options.deleteBundle && !options.keepBundle && isInteractive(session.io)) {
    remove = await session.prompter.confirm(`Delete the bundle ${path} now?`, true);
  }
  if (remove) await rm(path, { force: true });
  return remove;
}

export async function cloneInspectCommand(session: Session, file: string | undefined, options: CloneOptions): Promise<void> {
  const { header } = readBundleHeader(bundlePath(file, options));
  const { out } = session;
  const view = {
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
  };
  if (out.json) return out.printJson(view);
  out.fields([
    ['format', `ssokit bundle v${view.formatVersion}`],
    ['source node', view.sourceNode],
    ['platform', `${view.platform}/${view.arch}`],
    ['ssokit version', view.version],
    ['edition', view.edition],
    ['install folder', view.installDir],
    ['created', view.created],
    ['master secret', view.includesSecret ? 'included' : 'not included'],
    ['key derivation', `scrypt N=2^${view.kdf.log2N} r=${view.kdf.r} p=${view.kdf.p}`],
  ]);
}

/** `ssokit clone -p FILE` / `ssokit clone -c FILE`: the ssocloneaz letters on the modern command. */
export async function cloneAliasCommand(session: Session, options: CloneOptions & { p?: string; c?: string }): Promise<void> {
  if (options.p && options.c) throw new SsoError('USAGE', '-p and -c contradict each other');
  if (options.p) return cloneExportCommand(session, options.p, options);
  if (options.c) return cloneImportCommand(session, options.c, options);
  throw new SsoError('USAGE', 'ssokit clone needs -p FILE, -c FILE or a subcommand', { hint: 'ssokit clone --help' });
}
