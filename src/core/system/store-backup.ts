/**
 * `ssokit db backup FILE` and `ssokit db restore FILE`: a copy of the credential store
 * itself, for the day the store is lost or damaged (the master secret has its own backup).
 *
 * - A backup is a SQLite file, whatever the engine: a consistent copy taken while others
 *   go on working (SQLite's online backup; for PostgreSQL, the rows of one REPEATABLE
 *   READ snapshot), written 0600 under a temporary name and renamed into place.
 * - A restore checks the copy the way `ssokit check` does (integrity, foreign keys, every
 *   data key and credential opened with this node's secret) before it replaces anything.
 *   A SQLite store is replaced only while no other process has it open, in one rename; a
 *   PostgreSQL store has its rows replaced in one transaction, while the other nodes wait
 *   for it as for any writer.
 */

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { SsoError } from '../../errors.js';
import { commitTemp, ioError, openTemp, syncDirectory, tempPathFor } from '../../node/private-files.js';
import { command, option, remedy } from '../../remedy.js';
import { parseStoreLocation } from '../../store/location.js';
import { openStore, removeSqliteFiles, replaceStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { checkNode } from '../check/index.js';
import {
  auditFailures,
  type NodeContext,
  recordAudit,
  requireRole,
  roleCheck,
  type StoreContext,
} from '../shared/index.js';
import { copyRows, storeFindings } from './store-copy.js';

export interface StoreBackupResult {
  path: string;
  bytes: number;
  store: string;
}

export async function backupStore(
  ctx: StoreContext,
  target: { path: string; overwrite: boolean },
): Promise<StoreBackupResult> {
  return auditFailures(ctx, { operation: 'db-backup', target: target.path }, async () => {
    requireRole(await roleCheck(ctx), 'sso-admin', 'backing up the credential store');
    const temp = tempPathFor(target.path);
    await (await openTemp(temp, 0o600)).close();
    try {
      if (ctx.store.backup) {
        await ctx.store.backup(temp);
      } else {
        await fs.rm(temp);
        await snapshotInto(ctx.store, temp, ctx.deps.busyTimeoutMs);
      }
      const handle = await fs.open(temp, 'r+');
      await handle.sync().finally(() => handle.close());
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw ioError(`cannot write ${target.path}`, error);
    }
    await commitTemp(temp, target.path, target.overwrite);
    const { size } = await fs.stat(target.path);
    await ctx.store.transaction((tx) =>
      recordAudit(tx, ctx, { operation: 'db-backup', target: target.path, result: `success: ${size} bytes` }),
    );
    return { path: target.path, bytes: size, store: ctx.store.location };
  });
}

export interface StoreRestoreResult {
  path: string;
  store: string;
  warnings: string[];
}

export async function restoreStore(
  node: NodeContext,
  options: { path: string; store: string },
): Promise<StoreRestoreResult> {
  // Only an SSO administrator of the store in place may replace it; a store that no longer
  // opens has nobody to ask, and only the OS user who may write its file can replace it.
  const current = await openStore(options.store, {
    busyTimeoutMs: node.deps.busyTimeoutMs,
    password: node.deps.storePassword,
  }).catch(() => null);
  if (current) {
    try {
      requireRole(await roleCheck({ ...node, store: current }), 'sso-admin', 'restoring the credential store');
    } finally {
      await current.close();
    }
  }
  const intoPostgres = parseStoreLocation(options.store).kind === 'postgres';
  // The checked copy sits beside what it replaces, so a SQLite swap is one rename on one
  // file system; a PostgreSQL store takes its rows from a copy beside the backup.
  const copy = tempPathFor(intoPostgres ? options.path : options.store);
  await copyInto(options.path, copy);
  try {
    const report = await checkNode(node, { storeOverride: copy });
    const problems = storeFindings(report, 'problem');
    if (problems.length) {
      throw new SsoError('CHECK_FAILED', `${options.path} does not pass the check; nothing was replaced`, {
        details: problems,
        hint: remedy`restore another backup, or see what is wrong with ${command('check', option('db', 'FILE'))}`,
      });
    }
    if (intoPostgres) {
      await replaceRows(node, copy, options.store);
    } else {
      await replaceStore(options.store, copy);
      await syncDirectory(dirname(options.store));
    }
    const warnings = storeFindings(report, 'warning').filter((text) => !text.includes(copy));
    const restored = await openStore(options.store, {
      busyTimeoutMs: node.deps.busyTimeoutMs,
      password: node.deps.storePassword,
    });
    try {
      await restored.transaction((tx) =>
        recordAudit(tx, node, { operation: 'db-restore', target: options.path, result: 'success' }),
      );
    } finally {
      await restored.close();
    }
    return { path: options.path, store: options.store, warnings };
  } finally {
    await fs.rm(copy, { force: true });
  }
}

/** A new SQLite file at `path` holding the rows of one snapshot of `store`. */
async function snapshotInto(store: Store, path: string, busyTimeoutMs: number): Promise<void> {
  const file = await openStore(path, { create: true, busyTimeoutMs });
  try {
    await copyRows(store, file);
  } finally {
    await file.close();
  }
  await removeSqliteFiles(path, { sideFilesOnly: true });
}

/** Every row of the PostgreSQL store at `location` replaced by those of the checked copy, in one transaction. */
async function replaceRows(node: NodeContext, copy: string, location: string): Promise<void> {
  const open = { busyTimeoutMs: node.deps.busyTimeoutMs, password: node.deps.storePassword };
  const source = await openStore(copy, open);
  try {
    const target = await openStore(location, open);
    try {
      await copyRows(source, target, { replace: true });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
  await removeSqliteFiles(copy, { sideFilesOnly: true });
}

/** A private copy of the backup beside the store, so the swap is one rename on one file system. */
async function copyInto(source: string, copy: string): Promise<void> {
  const kind = await fs.stat(source).catch((error: unknown) => {
    throw ioError(`cannot read ${source}`, error);
  });
  // A FIFO or a device would never end (or block the copy): only a regular file is a backup.
  if (!kind.isFile()) throw new SsoError('INVALID_INPUT', `${source} is not a regular file`);
  await (await openTemp(copy, 0o600)).close();
  try {
    await fs.copyFile(source, copy);
    const handle = await fs.open(copy, 'r+');
    await handle.sync().finally(() => handle.close());
  } catch (error) {
    await fs.rm(copy, { force: true });
    throw ioError(`cannot copy ${source}`, error);
  }
}
