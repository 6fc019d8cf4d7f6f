/** `ssokit secret restore FILE` / `ssoconfig -restoreSecret FILE`. */

import { resolve } from 'node:path';
import { completeRestore, planRestore } from '../../core/secret/index.js';
import { obtainPassword } from '../answers.js';
import type { Session } from '../session.js';

export interface RestoreOptions {
  file: string;
  force: boolean;
}

export async function secretRestoreCommand(session: Session, options: RestoreOptions): Promise<void> {
  const { file } = options;
  const ctx = await session.store();
  const { out } = session;
  const plan = await planRestore(ctx, resolve(file), Boolean(options.force));
  for (const warning of plan.warnings) out.warn(warning);
  out.say(`Password reminder : ${plan.reminder ? plan.reminder : '(none)'}`);
  const password = await obtainPassword(session, { message: 'Password', confirm: false });
  const result = await completeRestore(ctx, plan, password);
  if (out.json) return out.printJson(result);
  const ids = result.restored.map((r) => `${r.id} (generation ${r.generation})`).join(' and ');
  out.done(`restored master secret ${ids} on node '${ctx.node.nodeName}'`);
}
