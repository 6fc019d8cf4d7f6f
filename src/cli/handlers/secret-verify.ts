/** `ssokit secret verify FILE`. */

import { resolve } from 'node:path';
import { readSecretBackup, verifyBackup } from '../../core/secret/index.js';
import { belowProductionCost } from '../../core/shared/index.js';
import { BACKUP_KDF } from '../../defaults.js';
import { isSsoError } from '../../errors.js';
import { obtainPassword } from '../answers.js';
import type { Session } from '../session.js';

export async function secretVerifyCommand(session: Session, options: { file: string }): Promise<void> {
  const path = resolve(options.file);
  const parsed = await readSecretBackup(path);
  const { kdf } = parsed.header;
  if (belowProductionCost(kdf, BACKUP_KDF)) {
    session.out.warn(
      `${path} is protected by scrypt N=2^${kdf.log2N}, below the production cost N=2^${BACKUP_KDF.log2N}: its password can be guessed far faster; replace it with a new backup`,
    );
  }
  const ctx = await session.store().catch((error: unknown) => {
    if (isSsoError(error) && error.code === 'NOT_CONFIGURED') return null;
    throw error;
  });
  session.out.say(`Password reminder : ${parsed.header.reminder ? parsed.header.reminder : '(none)'}`);
  const password = await obtainPassword(session, { message: 'Password', confirm: false });
  const result = await verifyBackup(ctx, path, parsed, password);
  const { out } = session;
  if (out.json) return out.printJson(result);
  if (result.state === 'not-compared') {
    out.done(
      `the backup opens: master secret ${result.currentId} (generation ${result.generation}), made ${result.created}`,
    );
    out.note('this node is not part of an SSO system, so the backup was not compared with a store');
    return;
  }
  out.done(
    `the backup opens and holds the store's current master secret ${result.currentId} ` +
      `(generation ${result.generation}), made ${result.created}`,
  );
  if (result.matchesLocalCopy === false) out.warn("the secret in the backup differs from this node's local copy");
}
