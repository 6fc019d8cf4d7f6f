/** `ssokit sso list | show | invalidate | reap`. */

import {
  type EntryView,
  invalidateEntry,
  listEntries,
  reapEntries,
  type SsoRuntime,
  showEntry,
  storeRuntime,
} from '../../core/sso/index.js';
import { SsoError } from '../../errors.js';
import type { Session } from '../session.js';

/** The service's runtime when the command runs through it; else one on the store alone. */
async function runtimeOf(session: Session): Promise<SsoRuntime> {
  return session.serviceSso ?? (await storeRuntime(await session.store()));
}

export async function ssoListCommand(
  session: Session,
  options: { bizsys: string | undefined; user: string | undefined; limit: string | undefined },
): Promise<void> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new SsoError('USAGE', '--limit takes a positive whole number');
  }
  const ctx = await session.store();
  const entries = await listEntries(ctx, await runtimeOf(session), {
    bizsys: options.bizsys,
    principal: options.user,
    limit,
  });
  const { out } = session;
  if (out.json) return out.printJson(entries);
  if (!session.serviceSso) {
    out.note(
      "the SSO service is not running: only the entries kept in the store (sso-failover-enabled) are listed, not those in the service's memory",
    );
  }
  if (entries.length === 0) return out.line('no single sign-on entries');
  out.table([
    ['ID', 'PRINCIPAL', 'SIGNED ON AT', 'WHERE', 'LAST ACCESS', 'EXPIRES', 'SESSIONS'],
    ...entries.map((e) => [e.id, e.principal, e.bizsys, e.where, e.lastAccess, e.expiresAt, String(e.sessions.length)]),
  ]);
}

function printEntry(session: Session, entry: EntryView): void {
  const { out } = session;
  out.fields([
    ['ID', entry.id],
    ['Principal', entry.principal],
    ['Authentication', entry.authType],
    ['Signed on at', entry.bizsys],
    ['Kept in', entry.where === 'store' ? 'the store (sso-failover-enabled)' : "the service's memory"],
    ['Signed on', entry.createdAt],
    ['Last access', entry.lastAccess],
    ['Expires', entry.expiresAt],
    ['Sessions', String(entry.sessions.length)],
  ]);
  for (const s of entry.sessions) {
    out.line(
      `  ${s.bizsys}: created ${s.createdAt}, last access ${s.lastAccess}, timed out ${s.timedOut ? 'yes' : 'no'}`,
    );
  }
}

export async function ssoShowCommand(session: Session, { id }: { id: string }): Promise<void> {
  const entry = await showEntry(await session.store(), await runtimeOf(session), id);
  if (session.out.json) return session.out.printJson(entry);
  printEntry(session, entry);
}

export async function ssoInvalidateCommand(session: Session, { id }: { id: string }): Promise<void> {
  const entry = await invalidateEntry(await session.store(), await runtimeOf(session), id);
  session.out.done(
    `${entry.principal} is signed out (entry ${entry.id}, ${entry.sessions.length} application session${entry.sessions.length === 1 ? '' : 's'} ended)`,
    { ...entry, invalidated: true },
  );
}

export async function ssoReapCommand(session: Session): Promise<void> {
  const reaped = await reapEntries(await session.store(), await runtimeOf(session));
  const where = session.serviceSso ? `${reaped.memory} in memory, ${reaped.store} in the store` : 'in the store';
  session.out.done(
    `${reaped.removed} expired single sign-on entr${reaped.removed === 1 ? 'y' : 'ies'} removed (${where})`,
    reaped,
  );
}
