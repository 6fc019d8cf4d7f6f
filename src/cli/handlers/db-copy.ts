/** `ssokit db copy --to LOCATION`: the store, copied to a new store on either engine. */

import { copyStore } from '../../core/system/index.js';
import { SsoError } from '../../errors.js';
import { option, remedy } from '../../remedy.js';
import { untilInterrupted } from '../interrupt.js';
import type { Session } from '../session.js';

export async function dbCopyCommand(
  session: Session,
  { to, toPasswordFile }: { to: string | undefined; toPasswordFile: string | undefined },
): Promise<void> {
  if (to === undefined) {
    throw new SsoError('USAGE', 'db copy needs a destination', {
      hint: remedy`name a new file or an empty PostgreSQL database with ${option('to', 'LOCATION')}`,
    });
  }
  const toPassword = toPasswordFile === undefined ? undefined : session.storePasswordFrom(toPasswordFile);
  const ctx = await session.store();
  const { out } = session;
  const bar = out.progress('copying rows');
  // Ctrl-C and SIGTERM stop it between two batches; the destination is left as it was.
  const result = await untilInterrupted((signal) =>
    copyStore(ctx, { to, toPassword, onProgress: bar.update, signal }),
  ).finally(() => bar.finish());
  if (out.json) return out.printJson(result);
  for (const warning of result.warnings) out.warn(warning);
  out.done(
    `the credential store ${result.from} was copied to ${result.to} (${result.rows} rows) and the copy passes the check`,
  );
  out.note(`point every node at it with: ssokit join --db ${result.to}`);
}
