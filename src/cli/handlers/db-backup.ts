/** `ssokit db backup FILE` and `ssokit db restore FILE`: the store's own backup. */

import { resolve } from 'node:path';
import { backupStore, restoreStore } from '../../core/system/index.js';
import { obtainConfirmation } from '../answers.js';
import type { Session } from '../session.js';

export async function dbBackupCommand(
  session: Session,
  { file, force }: { file: string; force: boolean },
): Promise<void> {
  const result = await backupStore(await session.store(), { path: resolve(file), overwrite: force });
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.done(`the credential store ${result.store} was copied to ${result.path} (${result.bytes} bytes)`);
  out.note('the copy holds credentials sealed under the master secret: keep it as safe as the store');
}

export async function dbRestoreCommand(session: Session, { file }: { file: string }): Promise<void> {
  const node = await session.node();
  const store = session.storeLocation ?? node.node.store;
  await obtainConfirmation(
    session,
    `replace the credential store ${store} with ${file}? every change made since that backup is lost`,
    Boolean(session.globals.yes),
  );
  const result = await restoreStore(node, { path: resolve(file), store });
  const { out } = session;
  if (out.json) return out.printJson(result);
  for (const warning of result.warnings) out.warn(warning);
  out.done(`the credential store ${result.store} was restored from ${result.path}`);
}
