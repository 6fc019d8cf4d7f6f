/** `ssokit secret reencrypt`. */

import { reencryptStore } from '../../core/secret/index.js';
import { untilInterrupted } from '../interrupt.js';
import type { Session } from '../session.js';

export async function secretReencryptCommand(session: Session): Promise<void> {
  const ctx = await session.store();
  const { out } = session;
  const bar = out.progress('re-encrypting');
  // Ctrl-C and SIGTERM stop it between two batches, with a sentence on how to finish.
  const result = await untilInterrupted((signal) => reencryptStore(ctx, { onProgress: bar.update, signal })).finally(
    () => bar.finish(),
  );
  if (out.json) return out.printJson(result);
  out.done(
    `${result.resumed ? 'finished the interrupted re-encryption: ' : ''}` +
      `${result.credentials} credential(s) and ${result.configEntries} config-store bag(s) re-encrypted ` +
      `under new data keys for ${result.applications} application(s)`,
  );
}
