/**
 * The nodes of an SSO system as the store records them: each node's node-channel public key
 * and service address, and whether an SSO administrator approved it. Only approved nodes
 * are given the master secret; a revocation takes effect at the node's next refresh.
 */

import { SsoError } from '../../errors.js';
import { keyFingerprint } from '../../node/node-keys.js';
import { command, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';
import type { AuditActor, StoreContext } from '../shared/index.js';
import { auditFailures, recordAudit, requireRole, roleCheck } from '../shared/index.js';

export type NodeState = 'pending' | 'approved' | 'revoked';

export interface NodeRecord {
  name: string;
  publicKey: Uint8Array;
  /** host:port of the node's service channel; '' when its service never listened. */
  serviceAddress: string;
  state: NodeState;
  /** ssoconfig -remoteLookup: approved nodes may send lookups to this node's service. */
  remoteLookup: boolean;
  registeredAt: string;
  changedAt: string;
  changedBy: string;
}

interface NodeRow {
  name: string;
  public_key: Uint8Array;
  service_address: string;
  state: NodeState;
  remote_lookup: number;
  registered_at: string;
  changed_at: string;
  changed_by: string;
}

const COLUMNS = 'name, public_key, service_address, state, remote_lookup, registered_at, changed_at, changed_by';

function fromRow(row: NodeRow): NodeRecord {
  return {
    name: row.name,
    publicKey: new Uint8Array(row.public_key),
    serviceAddress: row.service_address,
    state: row.state,
    remoteLookup: Number(row.remote_lookup) === 1,
    registeredAt: row.registered_at,
    changedAt: row.changed_at,
    changedBy: row.changed_by,
  };
}

const nameKey = (name: string) => name.toLowerCase();

export async function readNodeRecord(q: Queryable, name: string): Promise<NodeRecord | null> {
  const row = await q.get<NodeRow>(`SELECT ${COLUMNS} FROM nodes WHERE name_key = ?`, [nameKey(name)]);
  return row ? fromRow(row) : null;
}

export async function listNodeRecords(q: Queryable): Promise<NodeRecord[]> {
  return (await q.all<NodeRow>(`SELECT ${COLUMNS} FROM nodes ORDER BY name_key`)).map(fromRow);
}

export interface Registration {
  name: string;
  publicKey: Uint8Array;
  /** Left as recorded when undefined. */
  serviceAddress?: string;
  /** The node that made the system is approved by its maker; every other one waits. */
  approved: boolean;
}

export type RegistrationResult = 'registered' | 'unchanged' | 'address-changed' | 'key-changed';

/**
 * Records this node in the store, inside the caller's transaction. A node whose key
 * changed goes back to pending: the secret follows a key an administrator approved.
 */
export async function registerNode(tx: Queryable, actor: AuditActor, reg: Registration): Promise<RegistrationResult> {
  const now = actor.deps.now().toISOString();
  const existing = await readNodeRecord(tx, reg.name);
  if (!existing) {
    await tx.run(`INSERT INTO nodes (name_key, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`, [
      nameKey(reg.name),
      reg.name,
      reg.publicKey,
      reg.serviceAddress ?? '',
      reg.approved ? 'approved' : 'pending',
      now,
      now,
      actor.caller.user,
    ]);
    await recordAudit(tx, actor, {
      operation: 'node-register',
      target: reg.name,
      result: reg.approved ? 'success: approved' : 'success: pending',
    });
    return 'registered';
  }
  const sameKey = Buffer.from(existing.publicKey).equals(Buffer.from(reg.publicKey));
  const address = reg.serviceAddress ?? existing.serviceAddress;
  if (sameKey && address === existing.serviceAddress) return 'unchanged';
  const state: NodeState = sameKey ? existing.state : 'pending';
  await tx.run(
    'UPDATE nodes SET public_key = ?, service_address = ?, state = ?, changed_at = ?, changed_by = ? WHERE name_key = ?',
    [reg.publicKey, address, state, now, actor.caller.user, nameKey(reg.name)],
  );
  await recordAudit(tx, actor, {
    operation: sameKey ? 'node-address' : 'node-new-key',
    target: reg.name,
    result: sameKey ? `success: ${address}` : `success: pending, key ${keyFingerprint(reg.publicKey)}`,
  });
  return sameKey ? 'address-changed' : 'key-changed';
}

/** `ssokit node list`: SSO administrators and affiliate administrators see the nodes. */
export async function listNodes(ctx: StoreContext): Promise<NodeRecord[]> {
  requireRole(await roleCheck(ctx), 'affiliate-admin', 'listing the nodes');
  return listNodeRecords(ctx.store);
}

/** `ssokit node approve NAME` / `revoke NAME`: an SSO administrator decides. */
export async function setNodeState(
  ctx: StoreContext,
  name: string,
  state: 'approved' | 'revoked',
): Promise<{ node: NodeRecord; changed: boolean }> {
  const operation = state === 'approved' ? 'node-approve' : 'node-revoke';
  const action = state === 'approved' ? `approving node '${name}'` : `revoking node '${name}'`;
  return auditFailures(ctx, { operation, target: name }, () =>
    ctx.store.transaction(async (tx) => {
      requireRole(await roleCheck(ctx, tx), 'sso-admin', action);
      const existing = await readNodeRecord(tx, name);
      if (!existing) {
        throw new SsoError('NOT_FOUND', `no node named '${name}' is recorded in the store`, {
          hint: remedy`see the nodes with ${command('node list')}; a node is recorded when it joins or its service first starts`,
        });
      }
      if (existing.state === state) return { node: existing, changed: false };
      const now = ctx.deps.now().toISOString();
      await tx.run('UPDATE nodes SET state = ?, changed_at = ?, changed_by = ? WHERE name_key = ?', [
        state,
        now,
        ctx.caller.user,
        nameKey(name),
      ]);
      await recordAudit(tx, ctx, { operation, target: existing.name });
      return { node: { ...existing, state, changedAt: now, changedBy: ctx.caller.user }, changed: true };
    }),
  );
}

/** `ssoconfig -remoteLookup yes|no` on this node. */
export async function setRemoteLookup(ctx: StoreContext, allowed: boolean): Promise<NodeRecord> {
  const name = ctx.node.nodeName;
  return auditFailures(ctx, { operation: 'remote-lookup', target: name }, () =>
    ctx.store.transaction(async (tx) => {
      requireRole(await roleCheck(ctx, tx), 'sso-admin', 'changing remote lookups');
      const existing = await readNodeRecord(tx, name);
      if (!existing) {
        throw new SsoError('NOT_FOUND', `this node '${name}' is not recorded in the store yet`, {
          hint: remedy`start its service once with ${command('service run')}, which records it`,
        });
      }
      const now = ctx.deps.now().toISOString();
      await tx.run('UPDATE nodes SET remote_lookup = ?, changed_at = ?, changed_by = ? WHERE name_key = ?', [
        allowed ? 1 : 0,
        now,
        ctx.caller.user,
        nameKey(name),
      ]);
      await recordAudit(tx, ctx, {
        operation: 'remote-lookup',
        target: name,
        result: allowed ? 'success: yes' : 'success: no',
      });
      return { ...existing, remoteLookup: allowed, changedAt: now, changedBy: ctx.caller.user };
    }),
  );
}
