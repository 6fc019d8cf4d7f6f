/** init, join / -setDB, db where / -showdb: setting a node up and pointing it at a store. */

import { resolve } from 'node:path';
import { type BackupTarget, defaultBackupPath } from '../../core/secret/index.js';
import { initSystem, joinStore } from '../../core/system/index.js';
import { SsoError } from '../../errors.js';
import { parseStoreLocation } from '../../store/location.js';
import { obtainPassword, obtainReminder } from '../answers.js';
import type { Session } from '../session.js';

export interface InitCommandOptions {
  clusterName: string[];
  domain: string | undefined;
  secretServer: string | undefined;
  ssoAdmin: string | undefined;
  affiliateAdmin: string | undefined;
  /** A path, false for --no-backup, undefined for the default path. */
  backup: string | false | undefined;
  reminder: string | undefined;
  force: boolean;
}

export async function initCommand(session: Session, options: InitCommandOptions): Promise<void> {
  const { out, paths, deps } = session;
  let backup: BackupTarget | null = null;
  if (options.backup === false) {
    out.warn('no backup of the master secret will be made (--no-backup): if it is lost, every credential is lost');
  } else {
    const path = options.backup ? resolve(options.backup) : defaultBackupPath(paths, deps);
    const password = await obtainPassword(session, { message: 'Secret backup password', confirm: true });
    const reminder = await obtainReminder(session, options.reminder, password);
    backup = { path, password, reminder, overwrite: Boolean(options.force) };
  }
  const user = session.caller.user;
  const result = await initSystem({
    ...session.home,
    nodeName: session.defaultNodeName,
    clusterNames: options.clusterName ?? [],
    ...(options.domain ? { domain: options.domain } : {}),
    ...(options.secretServer ? { secretServer: options.secretServer } : {}),
    storePath: session.storeLocation ?? paths.defaultStore,
    ssoAdminAccount: options.ssoAdmin ?? user,
    affiliateAdminAccount: options.affiliateAdmin ?? options.ssoAdmin ?? user,
    backup,
  });
  if (out.json) return out.printJson(result);
  out.done(`created a new SSO system; this node '${result.nodeName}' is its master secret server`);
  out.fields([
    ['  store', result.storePath],
    ['  secret server', result.secretServer],
    ['  master secret', `${result.secretId} (generation ${result.generation})`],
    ['  backup', result.backupPath ?? 'none (run ssokit secret backup FILE)'],
  ]);
  if (result.backupPath) {
    out.note('keep the backup file and its password apart, somewhere safe: without both the secret cannot be restored');
  }
}

export interface JoinCommandOptions {
  store: string | undefined;
  clusterName: string[];
  domain: string | undefined;
}

export async function joinCommand(session: Session, options: JoinCommandOptions): Promise<void> {
  const path = options.store ?? session.storeOverride;
  if (!path) {
    throw new SsoError('USAGE', 'which store should this node use?', { hint: 'give its path: ssokit join --db PATH' });
  }
  const result = await joinStore({
    ...session.home,
    storePath: parseStoreLocation(path).display,
    nodeName: session.requestedNodeName,
    defaultNodeName: session.defaultNodeName,
    clusterNames: options.clusterName.length ? options.clusterName : undefined,
    domain: options.domain,
  });
  const { out } = session;
  if (out.json) return out.printJson(result);
  if (out.legacy) {
    out.line(`SSO database : ${result.storePath}`);
    return out.done('');
  }
  out.done(
    result.previousStore
      ? `node '${result.nodeName}' now uses ${result.storePath} (was ${result.previousStore})`
      : `node '${result.nodeName}' joined the SSO system at ${result.storePath}`,
  );
  out.fields([
    ['  secret server', result.secretServer + (result.isSecretServer ? ' (this node)' : '')],
    ['  cluster names', result.clusterNames.join(', ') || '-'],
  ]);
  if (result.isSecretServer) {
    out.note('this node is the master secret server: restore the secret here with ssokit secret restore FILE');
  }
}

export async function dbWhereCommand(session: Session): Promise<void> {
  const node = await session.node();
  const store = session.storeLocation ?? node.node.store;
  const { out } = session;
  if (out.json) return out.printJson({ nodeName: node.node.nodeName, store });
  if (out.legacy) {
    out.line(`SSO database : ${store}`);
    return out.done('');
  }
  out.line(store);
}
