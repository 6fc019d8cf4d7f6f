/**
 * `ssokit db copy --to LOCATION`: the whole store copied into an empty store on either
 * engine (SQLite → PostgreSQL to grow; PostgreSQL → SQLite for an offline copy). The same
 * row copy makes the backup of a PostgreSQL store and restores a backup into one.
 *
 * - The source is read in one snapshot (store.snapshot), so the copy is consistent while
 *   others go on reading and writing it.
 * - The rows go in batches, in one transaction on the destination, ids kept (and each
 *   table's high-water mark, so no id is ever handed out twice): a copy that fails or is
 *   interrupted leaves the destination as it was.
 * - Before it reports success, the copy is verified: the row count of every table inside
 *   that transaction, then `check` on the copy (integrity, foreign keys, every data key and
 *   credential opened with this node's secret). A copy that fails the check is taken back.
 */

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { SsoError } from '../../errors.js';
import { commitTemp, syncDirectory, tempPathFor } from '../../node/private-files.js';
import { command, option, remedy } from '../../remedy.js';
import { insertRows } from '../../store/bulk-insert.js';
import { parseStoreLocation, type StoreLocation } from '../../store/location.js';
import { openStore, removeSqliteFiles } from '../../store/open-store.js';
import type { Queryable, Row, SqlValue, Store } from '../../store/store.js';
import { type CheckReport, checkNode } from '../check/index.js';
import {
  auditFailures,
  type NodeContext,
  recordAudit,
  requireRole,
  roleCheck,
  type StoreContext,
} from '../shared/index.js';

/** A table of the store, in an order where every parent comes before its children. */
interface TableSpec {
  name: string;
  /** The ORDER BY that pages through it. */
  orderBy: string;
  /** An integer key to page on; tables without one are small and read whole. */
  pageKey?: string;
  /** Has an identity `id` whose high-water mark the copy carries over. */
  identity?: boolean;
}

export const STORE_TABLES: readonly TableSpec[] = [
  { name: 'global_info', orderBy: 'id' },
  { name: 'master_secrets', orderBy: 'generation' },
  { name: 'applications', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'fields', orderBy: 'app_id, ordinal' },
  { name: 'data_keys', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'mappings', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'credentials', orderBy: 'mapping_id', pageKey: 'mapping_id' },
  { name: 'config_entries', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'audit', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'audit_deleted_apps', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'audit_deleted_mappings', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'audit_credential_lookups', orderBy: 'id', pageKey: 'id', identity: true },
  { name: 'nodes', orderBy: 'name_key' },
  { name: 'secret_server_leases', orderBy: 'name_key' },
  { name: 'sso_entries', orderBy: 'hash' },
  { name: 'sso_sessions', orderBy: 'hash, bizsys' },
];

/** Rows read and written per batch: large enough to amortise a round trip, small in memory. */
const COPY_BATCH_ROWS = 2000;

export interface CopyProgress {
  done: number;
  total: number;
}

export interface RowCopyOptions {
  /** Empty the destination first (a restore), instead of refusing one that holds rows. */
  replace?: boolean;
  onProgress?: (progress: CopyProgress) => void;
  signal?: AbortSignal;
}

/** Rows per table, in STORE_TABLES order. */
export type TableCounts = Record<string, number>;

/**
 * Copies every row of `source` (one snapshot) into `destination` (one transaction), and
 * checks inside that transaction that each table holds as many rows as the snapshot did.
 */
export async function copyRows(source: Store, destination: Store, options: RowCopyOptions = {}): Promise<TableCounts> {
  if (source.schemaVersion !== destination.latestSchemaVersion) {
    throw new SsoError(
      'STORE_SCHEMA',
      `the store at ${source.location} has schema version ${source.schemaVersion}; this ssokit copies version ${destination.latestSchemaVersion}`,
      { hint: 'run a command that writes to the store (it migrates it), or the ssokit release that made it' },
    );
  }
  return source.snapshot(async (from) => {
    const counts: TableCounts = {};
    for (const table of STORE_TABLES) counts[table.name] = await countRows(from, table.name);
    const progress = { done: 0, total: Object.values(counts).reduce((a, b) => a + b, 0) };
    options.onProgress?.({ ...progress });
    await destination.transaction(async (to) => {
      if (options.replace) {
        for (const table of [...STORE_TABLES].reverse()) await to.run(`DELETE FROM ${table.name}`);
      } else {
        await refuseRows(to, destination.location);
      }
      for (const table of STORE_TABLES) {
        for await (const rows of pages(from, table)) {
          if (options.signal?.aborted) {
            throw new SsoError('CANCELLED', `the copy was interrupted; ${destination.location} is as it was`, {
              hint: remedy`run ${command('db copy', option('to', 'LOCATION'))} again`,
            });
          }
          await copyBatch(to, table.name, rows);
          progress.done += rows.length;
          options.onProgress?.({ ...progress });
        }
        if (table.identity) {
          await destination.raiseIdHighWater(to, table.name, await source.idHighWater(from, table.name));
        }
      }
      for (const table of STORE_TABLES) {
        const copied = await countRows(to, table.name);
        if (copied !== counts[table.name]) {
          throw new SsoError(
            'STORE_ERROR',
            `the copy of ${table.name} holds ${copied} row(s) where the store holds ${counts[table.name]}; nothing was copied`,
          );
        }
      }
    });
    return counts;
  });
}

async function countRows(q: Queryable, table: string): Promise<number> {
  return Number((await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
}

async function refuseRows(q: Queryable, location: string): Promise<void> {
  for (const table of STORE_TABLES) {
    if ((await countRows(q, table.name)) > 0) {
      throw new SsoError('STORE_EXISTS', `${location} already holds a credential store (its ${table.name} has rows)`, {
        hint: 'copy into a new, empty database or file; nothing was changed',
      });
    }
  }
}

async function* pages(q: Queryable, table: TableSpec): AsyncGenerator<Row[]> {
  if (!table.pageKey) {
    const rows = await q.all(`SELECT * FROM ${table.name} ORDER BY ${table.orderBy}`);
    if (rows.length) yield rows;
    return;
  }
  let after = -1;
  for (;;) {
    const rows = await q.all(
      `SELECT * FROM ${table.name} WHERE ${table.pageKey} > ? ORDER BY ${table.pageKey} LIMIT ?`,
      [after, COPY_BATCH_ROWS],
    );
    if (!rows.length) return;
    yield rows;
    after = Number(rows[rows.length - 1]![table.pageKey]);
    if (rows.length < COPY_BATCH_ROWS) return;
  }
}

async function copyBatch(tx: Queryable, table: string, rows: Row[]): Promise<void> {
  const columns = Object.keys(rows[0]!);
  await insertRows(
    tx,
    table,
    columns,
    rows.map((row) => columns.map((column) => row[column] as SqlValue)),
  );
}

export interface StoreCopyOptions {
  /** Where to copy to: a file that does not exist yet, or an empty PostgreSQL database. */
  to: string;
  /** The destination's PostgreSQL password (else PGPASSWORD or ~/.pgpass). */
  toPassword?: string | undefined;
  onProgress?: (progress: CopyProgress) => void;
  signal?: AbortSignal;
}

export interface StoreCopyResult {
  from: string;
  to: string;
  rows: number;
  tables: TableCounts;
  warnings: string[];
}

export async function copyStore(ctx: StoreContext, options: StoreCopyOptions): Promise<StoreCopyResult> {
  const to = parseStoreLocation(options.to);
  return auditFailures(ctx, { operation: 'db-copy', target: to.display }, async () => {
    requireRole(await roleCheck(ctx), 'sso-admin', 'copying the credential store');
    if (to.display === ctx.store.location) {
      throw new SsoError('INVALID_INPUT', `${to.display} is the store being copied`, {
        hint: remedy`give another file or database with ${option('to', 'LOCATION')}`,
      });
    }
    const verifyAs = { ...ctx, deps: { ...ctx.deps, storePassword: options.toPassword } };
    const copied = await copyInto(ctx, to, verifyAs, options);
    await ctx.store.transaction((tx) =>
      recordAudit(tx, ctx, { operation: 'db-copy', target: to.display, result: `success: ${copied.rows} rows` }),
    );
    return { from: ctx.store.location, to: to.display, ...copied };
  });
}

type Copied = Pick<StoreCopyResult, 'rows' | 'tables' | 'warnings'>;

async function copyInto(
  ctx: StoreContext,
  to: StoreLocation,
  verifyAs: NodeContext,
  options: StoreCopyOptions,
): Promise<Copied> {
  const open = { busyTimeoutMs: ctx.deps.busyTimeoutMs, password: options.toPassword };
  if (to.kind === 'postgres') {
    const destination = await openEmptyPostgres(to.display, open);
    const copied = await fill(ctx, destination, options).finally(() => destination.close());
    try {
      return { ...copied, warnings: await verify(verifyAs, to.display, to.display) };
    } catch (error) {
      // The copy did not pass: take it back, so the database is empty again for the next try.
      const again = await openStore(to.display, open);
      await again
        .transaction(async (tx) => {
          for (const table of [...STORE_TABLES].reverse()) await tx.run(`DELETE FROM ${table.name}`);
        })
        .finally(() => again.close());
      throw error;
    }
  }
  await refuseTakenPath(to.path);
  const temp = tempPathFor(to.path);
  try {
    const destination = await openStore(temp, { ...open, create: true });
    const copied = await fill(ctx, destination, options).finally(() => destination.close());
    const warnings = await verify(verifyAs, temp, to.display);
    await commitTemp(temp, to.path, false);
    await syncDirectory(dirname(to.path));
    return { ...copied, warnings };
  } finally {
    await removeSqliteFiles(temp);
  }
}

async function fill(
  ctx: StoreContext,
  destination: Store,
  options: StoreCopyOptions,
): Promise<Omit<Copied, 'warnings'>> {
  const tables = await copyRows(ctx.store, destination, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // The copy's own record of where it came from (the source records where it went).
  await destination.transaction((tx) =>
    recordAudit(tx, ctx, { operation: 'db-copy', target: ctx.store.location, result: 'success: made by this copy' }),
  );
  return { rows: Object.values(tables).reduce((a, b) => a + b, 0), tables };
}

/**
 * What `check` finds about a store's contents (not about this node: its files, backups or
 * business systems, which a copy or a restore does not change).
 */
export function storeFindings(report: CheckReport, level: 'problem' | 'warning'): string[] {
  return report.findings
    .filter((f) => f.level === level && STORE_AREAS.has(f.area))
    .map((f) => `${f.area}: ${f.message}`);
}
const STORE_AREAS = new Set(['store', 'keys', 'credentials']);

/** `check` on the copy; its problems refuse it, its warnings are reported. */
async function verify(node: NodeContext, location: string, display: string): Promise<string[]> {
  const report = await checkNode(node, { storeOverride: location });
  const name = (text: string) => text.split(location).join(display);
  const problems = storeFindings(report, 'problem');
  if (problems.length) {
    throw new SsoError('CHECK_FAILED', `the copy at ${display} does not pass the check; it was taken back`, {
      details: problems.map(name),
      hint: remedy`see what is wrong with the store itself with ${command('check')}`,
    });
  }
  return storeFindings(report, 'warning').map(name);
}

/** An empty PostgreSQL database, or one holding an ssokit store without a single row. */
async function openEmptyPostgres(
  location: string,
  open: { busyTimeoutMs: number; password: string | undefined },
): Promise<Store> {
  try {
    return await openStore(location, { ...open, create: true });
  } catch (error) {
    if (!(error instanceof SsoError) || error.code !== 'STORE_EXISTS') throw error;
  }
  // copyRows refuses it inside its transaction if it holds any row.
  return openStore(location, open);
}

async function refuseTakenPath(path: string): Promise<void> {
  const found = await fs.lstat(path).catch(() => null);
  if (!found) return;
  throw new SsoError('FILE_EXISTS', `${path} already exists; db copy writes a new file only`, {
    hint: remedy`give a path where nothing is with ${option('to', 'PATH')}`,
  });
}
