/** `ssokit secret status`. */

import { secretStatus } from '../../core/secret/index.js';
import { type Piece, styled } from '../output.js';
import type { Session } from '../session.js';

export async function secretStatusCommand(session: Session): Promise<void> {
  const ctx = await session.store();
  const status = await secretStatus(ctx);
  const { out } = session;
  if (out.json) return out.printJson(status);
  const describe = (r: typeof status.current): Piece[] => [
    `${r.id}  generation ${r.generation}, created ${r.createdAt} on ${r.createdOnNode}`,
    ...(r.state !== 'current'
      ? []
      : r.backedUpAt
        ? [`, backed up ${r.backedUpAt}`]
        : [', ', styled('red', 'never backed up')]),
  ];
  out.fields([
    [
      'node',
      status.nodeName + (status.clusterNames.length ? ` (cluster names: ${status.clusterNames.join(', ')})` : ''),
    ],
    ['master secret server', `${status.secretServer}${status.isSecretServer ? ' (this node)' : ''}`],
    ['current secret', describe(status.current)],
    ['previous secret', status.previous ? describe(status.previous) : '-'],
    [
      'local copy',
      status.isSecretServer || status.local.current !== 'missing'
        ? `current: ${status.local.current}${status.local.previous ? `, previous: ${status.local.previous}` : ''}`
        : 'none (only the master secret server holds the secret)',
    ],
    ['matches store', status.matchesStore ? 'yes' : 'no'],
    [
      're-encryption',
      status.reencryptPending ? 'interrupted: run ssokit secret reencrypt to finish it' : 'none pending',
    ],
  ]);
  for (const problem of status.local.problems) out.warn(problem);
  if (status.local.extraFiles.length) {
    out.note(`secret files the store no longer names: ${status.local.extraFiles.join(', ')}`);
  }
}
