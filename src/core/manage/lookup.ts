/**
 * The run-time lookup (GetCredentials). The CLI asks for a batch that succeeds or fails as
 * one; the SSO service gathers the lookups of many callers arriving together into one
 * transaction (one audit write for all of them), where each caller's lookup succeeds or
 * fails on its own.
 */

import { ESSO, SsoError } from '../../errors.js';
import type { Caller } from '../../node/os-identity.js';
import { command, remedy } from '../../remedy.js';
import { insertRows } from '../../store/bulk-insert.js';
import type { Queryable } from '../../store/store.js';
import { credentialOwner, type DataKeyRing, openDataKeyRing, openValues } from '../secret/index.js';
import type { RoleCheck, StoreContext } from '../shared/index.js';
import {
  callerIdentity,
  hasFlag,
  holdsRole,
  parseIdentity,
  readGlobalInfo,
  requireRole,
  SSO_FLAG,
  trimRing,
} from '../shared/index.js';
import { type AppRecord, requireApp } from './app-model.js';

export interface LookupRequest {
  user: string;
  app: string;
}

export interface LookupResult {
  app: string;
  user: string;
  externalUser: string;
  fields: { label: string; masked: boolean; value: string | null }[];
}

/** One caller's lookup in a shared batch. */
export interface LookupItem {
  caller: Caller;
  request: LookupRequest;
  /** Masked values are returned only with `reveal`. */
  reveal: boolean;
}

export type LookupOutcome = { ok: true; result: LookupResult } | { ok: false; error: SsoError };

interface LookupRow {
  id: number;
  local_user: string;
  external_user: string;
  enabled: number;
  data_key_id: number | null;
  ciphertext: Uint8Array | null;
}

/** Keys per read: a batch is read a hundred mappings a statement, not one. */
const LOOKUP_CHUNK = 100;
const LOOKUP_SQL = `SELECT m.id, m.local_key, m.local_user, m.external_user, m.enabled, c.data_key_id, c.ciphertext
  FROM mappings m LEFT JOIN credentials c ON c.mapping_id = m.id
  WHERE m.app_id = ? AND m.local_key IN (${Array(LOOKUP_CHUNK).fill('?').join(', ')})`;

/**
 * The CLI's lookup: every request is the caller's own; a request that fails stops the
 * batch and records nothing. Every lookup is recorded in the credential-lookup audit.
 */
export async function lookupCredentials(
  ctx: StoreContext,
  requests: LookupRequest[],
  options: { reveal: boolean },
): Promise<LookupResult[]> {
  const items = requests.map((request) => ({ caller: ctx.caller, request, reveal: options.reveal }));
  const outcomes = await runLookups(ctx, items, 'all-or-nothing');
  return outcomes.map((o) => (o as { ok: true; result: LookupResult }).result);
}

/** One credential-lookup audit row: at, OS user, node, application, local user, external user. */
export type LookupAuditRow = [string, string, string, string, string, string];

/**
 * Where the service puts the audit rows of its lookups: written together, in a transaction
 * of their own, shortly after (service/lookup-audit.ts), so a lookup is a read and never
 * waits for a write. `ringSize` is the store's audit size for credential lookups.
 */
export type LookupAuditSink = (rows: LookupAuditRow[], ringSize: number) => void;

/**
 * The service's lookup: each item succeeds or fails on its own. With `audit`, the lookups
 * read outside any transaction and hand their audit rows to it; without, they are audited
 * together in the lookups' transaction.
 */
export async function lookupEach(
  ctx: StoreContext,
  items: LookupItem[],
  audit?: LookupAuditSink,
): Promise<LookupOutcome[]> {
  if (!audit) return runLookups(ctx, items, 'each');
  const info = await readGlobalInfo(ctx.store);
  if (!hasFlag(info.flags, SSO_FLAG.ENABLED)) return items.map(() => ({ ok: false, error: ssoDisabled() }));
  const ring = await openDataKeyRing(ctx, 'decrypt', 'looking up credentials');
  const outcomes = await lookupInTransaction(ctx, ctx.store, ring, info, items, 'each');
  const rows = auditRows(ctx, items, outcomes);
  if (rows.length > 0) audit(rows, info.auditCredentialLookups);
  return outcomes;
}

function ssoDisabled(): SsoError {
  return new SsoError('DISABLED', 'the SSO system is disabled: no credentials can be looked up', {
    esso: ESSO.SSO_DISABLED,
    hint: remedy`an SSO administrator enables it with ${command('db enable-sso')}`,
  });
}

function auditRows(ctx: StoreContext, items: LookupItem[], outcomes: LookupOutcome[]): LookupAuditRow[] {
  const now = ctx.deps.now().toISOString();
  return outcomes.flatMap((o, i): LookupAuditRow[] =>
    o.ok ? [[now, items[i]!.caller.user, ctx.node.nodeName, o.result.app, o.result.user, o.result.externalUser]] : [],
  );
}

/** Writes lookup audit rows and trims the ring to its size, in the caller's transaction. */
export async function writeLookupAudit(tx: Queryable, rows: LookupAuditRow[], ringSize: number): Promise<void> {
  await insertRows(
    tx,
    'audit_credential_lookups',
    ['at', 'os_user', 'node', 'app_name', 'local_user', 'external_user'],
    rows,
  );
  await trimRing(tx, 'audit_credential_lookups', ringSize);
}

async function runLookups(
  ctx: StoreContext,
  items: LookupItem[],
  mode: 'all-or-nothing' | 'each',
): Promise<LookupOutcome[]> {
  const info = await readGlobalInfo(ctx.store);
  if (!hasFlag(info.flags, SSO_FLAG.ENABLED)) {
    const error = ssoDisabled();
    if (mode === 'all-or-nothing') throw error;
    return items.map(() => ({ ok: false, error }));
  }
  const ring = await openDataKeyRing(ctx, 'decrypt', 'looking up credentials');
  return ctx.store.transaction(async (tx) => {
    const outcomes = await lookupInTransaction(ctx, tx, ring, info, items, mode);
    const rows = auditRows(ctx, items, outcomes);
    if (rows.length > 0) await writeLookupAudit(tx, rows, info.auditCredentialLookups);
    return outcomes;
  });
}

type Planned = { entry: AppEntry; key: string; item: LookupItem } | { error: SsoError };
type AppEntry = { app: AppRecord; rows: Map<string, LookupRow | null> };

async function lookupInTransaction(
  ctx: StoreContext,
  tx: Queryable,
  ring: DataKeyRing,
  info: Awaited<ReturnType<typeof readGlobalInfo>>,
  items: LookupItem[],
  mode: 'all-or-nothing' | 'each',
): Promise<LookupOutcome[]> {
  const fail = (error: unknown): { error: SsoError } => {
    if (mode === 'all-or-nothing' || !(error instanceof SsoError)) throw error;
    return { error };
  };
  // First every check that needs no row, in request order; then the rows, a chunk of keys
  // per statement; then the answers, in request order again.
  const apps = new Map<string, AppEntry | { error: SsoError }>();
  const planned: Planned[] = [];
  for (const item of items) {
    const appKey = item.request.app.toLowerCase();
    let entry = apps.get(appKey);
    if (!entry) {
      try {
        entry = { app: await requireApp(tx, item.request.app), rows: new Map() };
      } catch (error) {
        entry = fail(error);
      }
      apps.set(appKey, entry);
    }
    if ('error' in entry) {
      planned.push(entry);
      continue;
    }
    try {
      const key = allowedKey(ctx, { caller: item.caller, node: ctx.node, info }, entry.app, item.request);
      entry.rows.set(key, null);
      planned.push({ entry, key, item });
    } catch (error) {
      planned.push(fail(error));
    }
  }
  for (const entry of apps.values()) {
    if ('error' in entry) continue;
    const list = [...entry.rows.keys()];
    for (let i = 0; i < list.length; i += LOOKUP_CHUNK) {
      const chunk = list.slice(i, i + LOOKUP_CHUNK);
      // Padded to one statement shape with repeats of the last key.
      while (chunk.length < LOOKUP_CHUNK) chunk.push(chunk[chunk.length - 1]!);
      for (const [id, localKey, localUser, externalUser, enabled, dataKeyId, ciphertext] of await tx.values(
        LOOKUP_SQL,
        [entry.app.id, ...chunk],
      )) {
        entry.rows.set(localKey as string, {
          id: id as number,
          local_user: localUser as string,
          external_user: externalUser as string,
          enabled: enabled as number,
          data_key_id: dataKeyId as number | null,
          ciphertext: ciphertext as Uint8Array | null,
        });
      }
    }
  }
  const outcomes: LookupOutcome[] = [];
  for (const plan of planned) {
    if ('error' in plan) {
      outcomes.push({ ok: false, error: plan.error });
      continue;
    }
    try {
      outcomes.push({ ok: true, result: await answer(tx, ring, plan.entry, plan.key, plan.item) });
    } catch (error) {
      outcomes.push({ ok: false, ...fail(error) });
    }
  }
  return outcomes;
}

/** The mapping key the caller may read in `app`: their own as an application user, any as its administrator. */
function allowedKey(ctx: StoreContext, check: RoleCheck, app: AppRecord, request: LookupRequest): string {
  const key = parseIdentity(request.user).key;
  const self = callerIdentity(check.caller, ctx.node).key;
  const admin = holdsRole(check, 'app-admin', app);
  if (!admin && !(holdsRole(check, 'app-user', app) && key === self)) {
    requireRole(check, 'app-admin', `looking up the credentials of "${request.user}" in "${app.name}"`, app);
  }
  if (!hasFlag(app.flags, SSO_FLAG.ENABLED)) {
    throw new SsoError('DISABLED', `application "${app.name}" is disabled`, { esso: ESSO.APP_DISABLED });
  }
  return key;
}

async function answer(
  tx: Queryable,
  ring: DataKeyRing,
  entry: AppEntry,
  key: string,
  item: LookupItem,
): Promise<LookupResult> {
  const { app } = entry;
  const row = entry.rows.get(key);
  if (!row)
    throw new SsoError('NOT_FOUND', `"${item.request.user}" has no mapping in "${app.name}"`, {
      esso: ESSO.NO_MAPPING,
    });
  if (row.enabled !== 1) {
    throw new SsoError('DISABLED', `the mapping of "${row.local_user}" in "${app.name}" is disabled`, {
      esso: ESSO.MAPPING_DISABLED,
    });
  }
  if (row.ciphertext === null || row.data_key_id === null) {
    throw new SsoError('NOT_FOUND', `no credentials have been set for "${row.local_user}" in "${app.name}"`, {
      esso: ESSO.NO_CREDENTIALS,
    });
  }
  const dataKey = ring.cached(row.data_key_id) ?? (await ring.byId(tx, row.data_key_id));
  const values = openValues(dataKey.key, credentialOwner(row.id), row.ciphertext);
  const fields: LookupResult['fields'] = new Array(app.fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = app.fields[i]!;
    fields[i] = {
      label: field.label,
      masked: field.masked,
      value: field.masked && !item.reveal ? null : (values[i] ?? ''),
    };
  }
  return { app: app.name, user: row.local_user, externalUser: row.external_user, fields };
}
