/** `ssokit audit list`: the operations log and the three Enterprise SSO audit tables. */

import type { AuditKind } from '../../core/shared/index.js';
import { readAuditLog } from '../../core/shared/index.js';
import { SsoError } from '../../errors.js';
import type { Session } from '../session.js';

const KINDS: AuditKind[] = ['operations', 'deleted-apps', 'deleted-mappings', 'lookups'];

export async function auditListCommand(
  session: Session,
  options: { kind: string | undefined; limit: string | undefined },
): Promise<void> {
  const kind = (options.kind ?? 'operations') as AuditKind;
  if (!KINDS.includes(kind)) throw new SsoError('USAGE', `--kind is one of ${KINDS.join(', ')}`);
  const limit = Number(options.limit ?? 100);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new SsoError('USAGE', '--limit takes a positive whole number');
  const records = await readAuditLog(await session.store(), { kind, limit });
  const { out } = session;
  if (out.json) return out.printJson(records);
  if (records.length === 0) return out.line('no entries');
  out.table(
    kind === 'operations'
      ? [
          ['TIME', 'USER', 'NODE', 'OPERATION', 'TARGET', 'RESULT'],
          ...records.map((r) => [r.at, r.osUser, r.node, r.operation!, r.target!, r.result!]),
        ]
      : [
          ['TIME', 'USER', 'NODE', 'APPLICATION', 'LOCAL USER', 'EXTERNAL USER'],
          ...records.map((r) => [r.at, r.osUser, r.node, r.app!, r.localUser ?? '', r.externalUser ?? '']),
        ],
  );
}
