/**
 * `ssokit secret verify FILE`: the disaster drill Enterprise SSO lacks. Proves the file
 * opens with its password and holds the secret the store uses now, and changes nothing.
 */

import type { ParsedBackup } from '../../crypto/secret-backup-format.js';
import { readLocalSecret } from '../../node/local-secrets.js';
import type { StoreContext } from '../shared/index.js';
import { openSecretBackup } from './backup-file.js';
import { mismatchError } from './restore.js';
import { currentMasterSecret } from './secret-records.js';

export interface VerifyResult {
  path: string;
  currentId: string;
  previousId: string | null;
  generation: number;
  created: string;
  /** 'current' when it can restore the store as it is now; 'not-compared' without a store. */
  state: 'current' | 'not-compared';
  /** Whether the secret inside equals this node's local copy (null: no local copy). */
  matchesLocalCopy: boolean | null;
}

export async function verifyBackup(
  ctx: StoreContext | null,
  path: string,
  parsed: ParsedBackup,
  password: string,
): Promise<VerifyResult> {
  const secrets = await openSecretBackup(parsed, password);
  const { header } = parsed;
  const result: VerifyResult = {
    path,
    currentId: header.currentId,
    previousId: header.previousId,
    generation: header.generation,
    created: header.created,
    state: 'not-compared',
    matchesLocalCopy: null,
  };
  if (!ctx) return result;
  const storeCurrent = await currentMasterSecret(ctx.store);
  if (header.currentId !== storeCurrent.id) {
    throw await mismatchError(ctx, header.currentId, header.generation, storeCurrent, 'verify');
  }
  const local = await readLocalSecret(ctx.paths, header.currentId).catch(() => null);
  return {
    ...result,
    state: 'current',
    matchesLocalCopy: local ? Buffer.from(local.secret).equals(Buffer.from(secrets.current)) : null,
  };
}
