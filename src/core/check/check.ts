/**
 * `ssokit check`: a read-only health check of this node and its store, in the manner of
 * fsck. It opens the store read-only, writes nothing (not even an audit record), and
 * reports every finding rather than stopping at the first; the command exits non-zero
 * when any finding is a problem.
 */

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_KDF } from '../../defaults.js';
import { isSsoError } from '../../errors.js';
import { runLookup } from '../../node/helper-programs.js';
import { listLocalSecretIds, readLocalSecret } from '../../node/local-secrets.js';
import { answersTo } from '../../node/node-config.js';
import { openStore } from '../../store/open-store.js';
import type { Queryable, Store } from '../../store/store.js';
import { bizsysHealth, listBizsys } from '../clone/index.js';
import { listMasterSecrets, type MasterSecretRecord, readSecretBackup } from '../secret/index.js';
import { belowProductionCost, type HomeContext, loadNode, type NodeContext, readGlobalInfo } from '../shared/index.js';
import { checkFiles } from './files.js';
import { openDataKeys, openSealedRows } from './keys.js';
import { type CheckCounts, type CheckReport, Findings } from './report.js';

export interface CheckOptions {
  /** --db / SSOKIT_DB: check this store instead of the one node.json names. */
  storeOverride?: string;
}

export async function checkNode(home: HomeContext, options: CheckOptions = {}): Promise<CheckReport> {
  const node = await loadNode(home);
  const location = options.storeOverride ?? node.node.store;
  const findings = new Findings();
  const counts: CheckCounts = { applications: 0, dataKeys: 0, credentials: 0, configEntries: 0, opened: 0 };
  checkFiles(findings, home.paths, location, nodeOwner(node.node.serviceAccount));
  let store: Store | null = null;
  try {
    store = await openStore(location, {
      busyTimeoutMs: home.deps.busyTimeoutMs,
      password: home.deps.storePassword,
      readOnly: true,
    });
  } catch (error) {
    if (!isSsoError(error)) throw error;
    findings.problem('store', `the store does not open: ${error.message}`);
  }
  if (store) {
    try {
      await checkStore(node, store, findings, counts);
    } finally {
      await store.close();
    }
  }
  await checkBusinessSystems(node, findings);
  checkBackupCost(home.paths.backupDir, findings);
  return {
    node: node.node.nodeName,
    home: home.paths.root,
    store: location,
    counts,
    findings: findings.list,
    problems: findings.count('problem'),
    warnings: findings.count('warning'),
  };
}

async function checkStore(node: NodeContext, store: Store, findings: Findings, counts: CheckCounts): Promise<void> {
  if (store.schemaVersion > store.latestSchemaVersion) {
    findings.problem(
      'store',
      `the store has schema version ${store.schemaVersion}, newer than this ssokit knows (${store.latestSchemaVersion}): upgrade ssokit`,
    );
    return;
  }
  if (store.schemaVersion < store.latestSchemaVersion) {
    findings.warning(
      'store',
      `the store has schema version ${store.schemaVersion}; the next command that writes brings it to ${store.latestSchemaVersion}`,
    );
    if (store.schemaVersion === 0) return;
  }
  const damage = await store.integrityProblems();
  for (const problem of damage) findings.problem('store', problem);
  if (!damage.length)
    findings.ok(
      'store',
      store.kind === 'sqlite'
        ? 'SQLite integrity check and foreign keys: ok'
        : 'PostgreSQL foreign keys, orphans and amcheck (where installed): ok',
    );
  const info = await readGlobalInfo(store).catch((error: Error) => {
    findings.problem('store', error.message);
    return null;
  });
  Object.assign(counts, await countRows(store));
  const records = await listMasterSecrets(store);
  const current = records.find((r) => r.state === 'current');
  if (!current) {
    findings.problem('secret', 'the store names no current master secret');
    return;
  }
  const isSecretServer = info ? answersTo(node.node, info.secretServer) : false;
  const secrets = await localSecrets(node, records, current, isSecretServer, findings);
  checkBackup(current, findings);
  if (!secrets.size) {
    findings.ok(
      'credentials',
      `${counts.credentials} credentials and ${counts.configEntries} config-store entries not opened: this node holds no master secret`,
    );
    return;
  }
  const keys = await openDataKeys(store, findings, secrets);
  const sealed = await openSealedRows(store, findings, keys);
  counts.opened = keys.size + sealed.opened;
  if (sealed.opened === sealed.credentials + sealed.configEntries) {
    findings.ok(
      'credentials',
      `all ${sealed.credentials} credentials and ${sealed.configEntries} config-store entries open and belong to their rows`,
    );
  }
}

async function countRows(q: Queryable): Promise<Omit<CheckCounts, 'opened'>> {
  const n = async (table: string) => (await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0;
  return {
    applications: await n('applications'),
    dataKeys: await n('data_keys'),
    credentials: await n('credentials'),
    configEntries: await n('config_entries'),
  };
}

/**
 * The local secret files against the store's key registry: the secret server holds the
 * current secret and every file opens and matches its name. Returns the secrets by id.
 */
async function localSecrets(
  node: NodeContext,
  records: MasterSecretRecord[],
  current: MasterSecretRecord,
  isSecretServer: boolean,
  findings: Findings,
): Promise<Map<string, Uint8Array>> {
  const secrets = new Map<string, Uint8Array>();
  const known = new Map(records.map((r) => [r.id, r]));
  const unusable = new Set<string>();
  for (const id of await listLocalSecretIds(node.paths)) {
    const record = known.get(id);
    if (!record) {
      findings.warning('secret', `the secret file for ${id} holds a master secret this store has never known`);
      continue;
    }
    try {
      const local = await readLocalSecret(node.paths, id);
      if (local) secrets.set(id, local.secret);
    } catch (error) {
      if (!isSsoError(error)) throw error;
      // Open permissions are already a finding of the file checks.
      if (error.code !== 'FILE_PERMISSIONS') findings.problem('secret', error.message);
      unusable.add(id);
      continue;
    }
    if (record.state === 'retired') {
      findings.warning(
        'secret',
        `the secret file for retired master secret ${id} (generation ${record.generation}) was left by an interrupted rotation or restore; it can be deleted`,
      );
    }
  }
  const holdsCurrent = secrets.has(current.id);
  if (isSecretServer && holdsCurrent) {
    findings.ok(
      'secret',
      `this node holds the store's current master secret ${current.id} (generation ${current.generation})`,
    );
  } else if (isSecretServer && unusable.has(current.id)) {
    findings.problem(
      'secret',
      `this node is the master secret server and has the current master secret's file, but cannot use it until the finding above is fixed`,
    );
  } else if (isSecretServer) {
    findings.problem(
      'secret',
      `this node is the master secret server but holds no usable copy of the current master secret ${current.id}: restore it with ssokit secret restore FILE`,
    );
  } else if (secrets.size) {
    findings.warning(
      'secret',
      'this node is not the master secret server, yet holds master secret files: remove them, or make it the master secret server',
    );
  } else {
    findings.ok('secret', 'this node is not the master secret server and holds no secret, as it should');
  }
  return secrets;
}

/** The uid the node's files belong to: its service account's, else the caller's (null: unknown). */
function nodeOwner(serviceAccount: string | undefined): number | null {
  if (!serviceAccount) return process.getuid?.() ?? null;
  const uid = Number(runLookup('id', ['-u', serviceAccount])?.trim());
  return Number.isSafeInteger(uid) ? uid : null;
}

/** A backup in the home written below the production scrypt cost yields to guessing far sooner. */
function checkBackupCost(backupDir: string, findings: Findings): void {
  let names: string[];
  try {
    names = readdirSync(backupDir).filter((name) => name.endsWith('.bak'));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(backupDir, name);
    try {
      const { kdf } = readSecretBackup(path).header;
      if (belowProductionCost(kdf, BACKUP_KDF)) {
        findings.warning(
          'backup',
          `${path} is protected by scrypt N=2^${kdf.log2N}, below the production cost N=2^${BACKUP_KDF.log2N}: its password can be guessed far faster; replace it with a new backup`,
        );
      }
    } catch {
      // Not a readable backup: check judges only the cost of the ones it can read.
    }
  }
}

function checkBackup(current: MasterSecretRecord, findings: Findings): void {
  if (current.backedUpAt) {
    findings.ok('backup', `the current master secret was backed up ${current.backedUpAt}`);
  } else {
    findings.problem(
      'backup',
      `the current master secret ${current.id} has never been backed up: losing it loses every credential (ssokit secret backup FILE)`,
    );
  }
}

async function checkBusinessSystems(node: NodeContext, findings: Findings): Promise<void> {
  const problems = await bizsysHealth(node);
  for (const problem of problems) findings.problem('bizsys', problem);
  if (problems.length) return;
  const systems = await listBizsys(node);
  if (systems.length) findings.ok('bizsys', `${systems.length} business system(s) valid, with their files present`);
}
