/**
 * `ssokit sso list | show | invalidate | reap`: SSO administrators see and end the single
 * sign-on entries of this node's business systems, by entry id (the first 16 hex digits of
 * the single sign-on id's hash: the id itself, the cookie's value, is never kept). Through
 * the service, its runtime: the entries in its memory and those in the store; without it, a
 * runtime of the store alone (the entries of business systems with sso-failover-enabled).
 * Every invalidation and reap is audited, never with a token.
 */

import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';
import { listBizsys } from '../clone/index.js';
import { auditFailures, recordAudit } from '../shared/audit.js';
import type { StoreContext } from '../shared/context.js';
import { requireRole, roleCheck } from '../shared/roles.js';
import { MemoryState } from './memory-state.js';
import { type EntryView, type GroupMember, SsoRuntime } from './runtime.js';
import type { EntryFilter } from './state.js';
import { StoreState } from './store-state.js';

export const DEFAULT_LIST_LIMIT = 1000;

async function requireSsoAdmin(ctx: StoreContext, action: string): Promise<void> {
  requireRole(await roleCheck(ctx), 'sso-admin', action);
}

/** An id as typed: spaces around it dropped, upper-case hex digits accepted. */
const normalId = (id: string) => id.trim().toLowerCase();

function notFound(id: string): SsoError {
  return new SsoError('NOT_FOUND', `no single sign-on entry with the id ${id.slice(0, 40)}`, {
    hint: remedy`see ${command('sso list')}; an entry that expired or was signed out is gone`,
  });
}

export async function listEntries(
  ctx: StoreContext,
  runtime: SsoRuntime,
  filter: EntryFilter & { limit?: number | undefined } = {},
): Promise<EntryView[]> {
  await requireSsoAdmin(ctx, 'listing single sign-on entries');
  const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new SsoError('USAGE', 'the limit is a positive whole number');
  return runtime.list({ bizsys: filter.bizsys, principal: filter.principal }, limit);
}

/** The entry with this id; NOT_FOUND when there is none. */
export async function showEntry(ctx: StoreContext, runtime: SsoRuntime, id: string): Promise<EntryView> {
  await requireSsoAdmin(ctx, 'reading a single sign-on entry');
  const wanted = normalId(id);
  const view = await runtime.show(wanted);
  if (!view) throw notFound(wanted);
  return view;
}

/** Signs the entry's principal out of every application of the group; the entry as it was. */
export async function invalidateEntry(ctx: StoreContext, runtime: SsoRuntime, id: string): Promise<EntryView> {
  const wanted = normalId(id);
  return auditFailures(ctx, { operation: 'sso-invalidate', target: wanted.slice(0, 40) }, async () => {
    await requireSsoAdmin(ctx, 'invalidating a single sign-on entry');
    const view = await runtime.invalidateById(wanted);
    if (!view) throw notFound(wanted);
    await ctx.store.transaction((tx) =>
      recordAudit(tx, ctx, {
        operation: 'sso-invalidate',
        target: `${view.id} (${view.principal} at ${view.bizsys}, ${view.where})`,
      }),
    );
    return view;
  });
}

/** Removes every entry past its max inactive time, as the service's reaper does; how many. */
export async function reapEntries(
  ctx: StoreContext,
  runtime: SsoRuntime,
): Promise<{ memory: number; store: number; removed: number }> {
  return auditFailures(ctx, { operation: 'sso-reap', target: 'expired entries' }, async () => {
    await requireSsoAdmin(ctx, 'reaping single sign-on entries');
    const { memory, store } = await runtime.reap();
    await ctx.store.transaction((tx) =>
      recordAudit(tx, ctx, {
        operation: 'sso-reap',
        target: 'expired entries',
        result: `success: ${memory} in memory, ${store} in the store`,
      }),
    );
    return { memory, store, removed: memory + store };
  });
}

/**
 * A runtime for the CLI without the service: an empty memory (the service's is its own)
 * and the store, with this node's business systems as the group's members.
 */
export async function storeRuntime(ctx: StoreContext): Promise<SsoRuntime> {
  const members = new Map<string, GroupMember>(
    (await listBizsys(ctx)).map((s) => [s.name, { name: s.name, ...s.session }]),
  );
  return new SsoRuntime(new MemoryState(), new StoreState(ctx.store), (name) => members.get(name) ?? null);
}
