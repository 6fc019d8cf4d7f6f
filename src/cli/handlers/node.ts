/** `ssokit node list | approve | revoke | remote-lookup`. */

import { listNodes, type NodeRecord, setNodeState, setRemoteLookup } from '../../core/nodes/index.js';
import { SsoError } from '../../errors.js';
import { keyFingerprint } from '../../node/node-keys.js';
import type { Session } from '../session.js';

function nodeJson(node: NodeRecord) {
  return {
    name: node.name,
    state: node.state,
    serviceAddress: node.serviceAddress || null,
    publicKey: keyFingerprint(node.publicKey),
    remoteLookup: node.remoteLookup,
    registeredAt: node.registeredAt,
    changedAt: node.changedAt,
    changedBy: node.changedBy,
  };
}

export async function nodeListCommand(session: Session): Promise<void> {
  const records = await listNodes(await session.store());
  const { out } = session;
  if (out.json) return out.printJson(records.map(nodeJson));
  if (records.length === 0) return out.line('no nodes are recorded');
  out.table([
    ['NODE', 'STATE', 'SERVICE ADDRESS', 'REMOTE LOOKUP', 'PUBLIC KEY'],
    ...records.map((n) => [
      n.name,
      n.state,
      n.serviceAddress || '-',
      n.remoteLookup ? 'yes' : 'no',
      keyFingerprint(n.publicKey),
    ]),
  ]);
}

async function changeState(session: Session, name: string, state: 'approved' | 'revoked'): Promise<void> {
  const { node, changed } = await setNodeState(await session.store(), name, state);
  const { out } = session;
  const verb = state === 'approved' ? 'approved' : 'revoked';
  out.done(changed ? `node ${node.name} is ${verb}` : `node ${node.name} was already ${verb}; nothing was changed`, {
    ...nodeJson(node),
    changed,
  });
  if (changed && state === 'revoked' && !out.json) {
    out.note('its service releases its copy of the master secret at its next refresh');
  }
}

export async function nodeApproveCommand(session: Session, { name }: { name: string }): Promise<void> {
  await changeState(session, name, 'approved');
}

export async function nodeRevokeCommand(session: Session, { name }: { name: string }): Promise<void> {
  await changeState(session, name, 'revoked');
}

export async function remoteLookupCommand(session: Session, { allowed }: { allowed: string }): Promise<void> {
  const value = allowed.toLowerCase();
  if (!['yes', 'no'].includes(value))
    throw new SsoError('USAGE', 'remote lookups are allowed with yes, or refused with no');
  const node = await setRemoteLookup(await session.store(), value === 'yes');
  const { out } = session;
  out.done(`remote lookups on ${node.name}: ${node.remoteLookup ? 'allowed' : 'refused'}`, nodeJson(node));
}
