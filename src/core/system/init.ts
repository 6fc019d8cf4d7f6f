/**
 * `ssokit init`: creates a new SSO system on this node, which becomes its master secret
 * server. The secret is backed up in the same step unless the caller explicitly declines.
 *
 * Order, so that a failure or a crash never leaves a secret without its store record or a
 * store without the secret it names:
 *   1. secret generated in memory;  2. backup file written;  3. secret file written;
 *   4. store built under a temporary name and renamed into place;  5. node.json written.
 * A failure removes what the earlier steps created.
 */

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { MASTER_SECRET_BYTES, masterSecretId } from '../../crypto/master-secret-id.js';
import { GLOBAL_INFO_DEFAULTS } from '../../defaults.js';
import { SsoError } from '../../errors.js';
import type { HomePaths } from '../../node/home.js';
import { currentInstallFacts } from '../../node/install-facts.js';
import { type LocalSecret, secretFilePath, writeLocalSecret } from '../../node/local-secrets.js';
import {
  answersTo,
  type NodeConfig,
  readNodeConfig,
  validateNodeName,
  writeNodeConfig,
} from '../../node/node-config.js';
import { ensureNodeKeys, readNodeKeys } from '../../node/node-keys.js';
import type { Caller } from '../../node/os-identity.js';
import { commitTemp, ensurePrivateDir, tempPathFor } from '../../node/private-files.js';
import { command, option, remedy } from '../../remedy.js';
import { isPostgresText } from '../../store/location.js';
import { openStore, removeSqliteFiles } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { registerNode } from '../nodes/index.js';
import { type BackupTarget, checkBackupPassword, insertMasterSecret, writeSecretBackup } from '../secret/index.js';
import type { Deps } from '../shared/index.js';
import { insertGlobalInfo, NEW_SYSTEM_FLAGS, recordAudit } from '../shared/index.js';

export interface InitOptions {
  paths: HomePaths;
  deps: Deps;
  caller: Caller;
  nodeName: string;
  clusterNames: string[];
  /** The directory domain of this node's OS accounts, if any. */
  domain?: string;
  /** The OS user the SSO service runs as here, if recorded. */
  serviceAccount?: string;
  /** The name the store records as master secret server; this node's name by default. */
  secretServer?: string;
  storePath: string;
  ssoAdminAccount: string;
  affiliateAdminAccount: string;
  /** null only when the caller declined a backup explicitly (--no-backup). */
  backup: BackupTarget | null;
}

export interface InitResult {
  nodeName: string;
  secretServer: string;
  storePath: string;
  secretId: string;
  generation: number;
  backupPath: string | null;
}

export async function initSystem(options: InitOptions): Promise<InitResult> {
  const { paths, deps } = options;
  validateNodeName(options.nodeName);
  for (const name of options.clusterNames) validateNodeName(name, 'cluster name');
  const secretServer = options.secretServer ?? options.nodeName;
  const node: NodeConfig = {
    nodeName: options.nodeName,
    clusterNames: options.clusterNames,
    ...(options.domain ? { domain: validateNodeName(options.domain, 'domain') } : {}),
    ...(options.serviceAccount ? { serviceAccount: options.serviceAccount } : {}),
    store: options.storePath,
    install: currentInstallFacts(),
    createdAt: deps.now().toISOString(),
  };
  if (!answersTo(node, secretServer)) {
    throw new SsoError(
      'INVALID_INPUT',
      `the secret server '${secretServer}' is neither this node's name nor one of its cluster names`,
      {
        hint: remedy`add it with ${option('cluster-name', 'NAME')}, or leave ${option('secret-server')} out`,
      },
    );
  }
  for (const [label, value] of [
    ['SSO administrator account', options.ssoAdminAccount],
    ['affiliate administrator account', options.affiliateAdminAccount],
  ] as const) {
    if (value.trim() === '') throw new SsoError('INVALID_INPUT', `the ${label} is empty`);
  }
  if (options.backup) checkBackupPassword(options.backup.password, options.backup.reminder);
  const existing = await readNodeConfig(paths);
  if (existing) {
    throw new SsoError('ALREADY_EXISTS', `this node is already part of an SSO system (store ${existing.store})`, {
      hint: remedy`use another ${option('home')}, or remove ${paths.nodeFile} if that system is gone`,
    });
  }
  const postgres = isPostgresText(options.storePath);
  if (!postgres) {
    await refuseTakenStorePath(options.storePath);
    // Everything a step below needs is checked first, so a refusal leaves nothing behind
    // (the home itself, where the store is by default, is made below).
    if (dirname(options.storePath) !== paths.root) await ensureParentExists(options.storePath);
  }
  if (options.backup && !options.backup.path.startsWith(`${paths.backupDir}/`)) {
    const folder = dirname(options.backup.path);
    if (!(await exists(folder))) {
      throw new SsoError(
        'FILE_NOT_FOUND',
        `the folder ${folder} for the secret backup does not exist; nothing was made`,
        {
          hint: 'create it first, or give the backup another place',
        },
      );
    }
  }
  const homeExisted = await exists(paths.root);

  const secret = deps.rng(MASTER_SECRET_BYTES);
  const local: LocalSecret = { id: masterSecretId(secret), generation: 1, secret };
  const now = deps.now().toISOString();
  const undo: (() => Promise<void>)[] = [];
  // A home init made is removed with the rest when a step fails (rmdir: only if empty).
  if (!homeExisted) undo.push(() => fs.rmdir(paths.root).catch(() => undefined));
  try {
    await ensurePrivateDir(paths.root);
    if (options.backup) {
      await writeSecretBackup(options.backup, { current: local, previous: null }, paths, deps);
      const backupPath = options.backup.path;
      undo.push(() => fs.rm(backupPath, { force: true }));
    }
    await writeLocalSecret(paths, local);
    undo.push(() => fs.rm(secretFilePath(paths, local.id), { force: true }));
    const keysExisted = readNodeKeys(paths) !== null;
    const nodeKeys = await ensureNodeKeys(paths);
    if (!keysExisted) undo.push(() => fs.rm(paths.nodeKeyFile, { force: true }));

    const fill = (store: Store) =>
      store.transaction(async (tx) => {
        await insertGlobalInfo(tx, {
          secretServer,
          ssoAdminAccount: options.ssoAdminAccount,
          affiliateAdminAccount: options.affiliateAdminAccount,
          ...GLOBAL_INFO_DEFAULTS,
          flags: NEW_SYSTEM_FLAGS,
          createdAt: now,
          updatedAt: now,
        });
        await insertMasterSecret(tx, {
          id: local.id,
          generation: 1,
          state: 'current',
          createdAt: now,
          createdOnNode: options.nodeName,
          backedUpAt: options.backup ? now : null,
        });
        await registerNode(
          tx,
          { deps, caller: options.caller, node },
          {
            name: options.nodeName,
            publicKey: nodeKeys.publicKey,
            approved: true,
          },
        );
        await recordAudit(
          tx,
          { deps, caller: options.caller, node },
          {
            operation: 'init',
            target: secretServer,
            result: options.backup ? 'success' : 'success: no backup made',
          },
        );
      });
    if (postgres) {
      // A database cannot be built under another name and renamed: the store is filled in
      // one transaction, and an init that stopped before it is taken up where it stopped.
      const store = await openNewPostgresStore(options.storePath, deps);
      try {
        await fill(store);
      } finally {
        await store.close();
      }
    } else {
      const temp = tempPathFor(options.storePath);
      undo.push(() => removeSqliteFiles(temp));
      const store = await openStore(temp, { create: true, busyTimeoutMs: deps.busyTimeoutMs });
      try {
        await fill(store);
      } finally {
        await store.close();
      }
      await commitTemp(temp, options.storePath, false);
      undo.push(() => removeSqliteFiles(options.storePath));
    }
    await writeNodeConfig(paths, node);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
  return {
    nodeName: options.nodeName,
    secretServer,
    storePath: options.storePath,
    secretId: local.id,
    generation: 1,
    backupPath: options.backup?.path ?? null,
  };
}

/**
 * A new store in an empty PostgreSQL database, or the one an earlier init made there and
 * did not fill (its schema without global info or any master secret).
 */
async function openNewPostgresStore(location: string, deps: Deps): Promise<Store> {
  const options = { busyTimeoutMs: deps.busyTimeoutMs, password: deps.storePassword };
  try {
    return await openStore(location, { ...options, create: true });
  } catch (error) {
    if (!(error instanceof SsoError) || error.code !== 'STORE_EXISTS') throw error;
  }
  const store = await openStore(location, options);
  const filled = await store.get<{ n: number }>(
    'SELECT (SELECT COUNT(*) FROM global_info) + (SELECT COUNT(*) FROM master_secrets) AS n',
  );
  if (Number(filled?.n) === 0) return store;
  await store.close();
  throw new SsoError('STORE_EXISTS', `a credential store already exists at ${location}`, {
    hint: remedy`join it with ${command('join', option('db', 'URL'))}, or give an empty database`,
  });
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}

/** Only a path where nothing is can take a new store: not a store, another file, or a device. */
async function refuseTakenStorePath(path: string): Promise<void> {
  const found = await fs.stat(path).catch(() => null);
  if (!found) return;
  if (!found.isFile()) {
    throw new SsoError('INVALID_INPUT', `${path} is not a regular file, so a credential store cannot be made there`, {
      hint: remedy`give another path with ${option('db', 'PATH')}`,
    });
  }
  const handle = await fs.open(path, 'r');
  const head = await handle
    .read(Buffer.alloc(16), 0, 16, 0)
    .then(({ buffer, bytesRead }) => buffer.subarray(0, bytesRead).toString('latin1'))
    .finally(() => handle.close());
  if (head !== 'SQLite format 3\u0000') {
    throw new SsoError('FILE_EXISTS', `${path} already exists and is not a credential store; nothing was made`, {
      hint: remedy`choose another path with ${option('db', 'PATH')}`,
    });
  }
  throw new SsoError('STORE_EXISTS', `a credential store already exists at ${path}`, {
    hint: remedy`join it with ${command('join', option('db', 'PATH'))}, or choose another ${option('db')} path`,
  });
}

async function ensureParentExists(path: string): Promise<void> {
  if (!(await exists(dirname(path)))) {
    throw new SsoError('FILE_NOT_FOUND', `the folder ${dirname(path)} for the credential store does not exist`);
  }
}
