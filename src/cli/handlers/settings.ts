/** `ssokit get NAME` and `ssokit set NAME=VALUE`, in the manner of asadmin. */

import { getSettings, setSettings } from '../../core/clone/index.js';
import type { Session } from '../session.js';

export async function getCommand(session: Session, { name }: { name: string }): Promise<void> {
  const settings = await getSettings(await session.node(), name);
  const { out } = session;
  if (out.json) return out.printJson(Object.fromEntries(settings.map((s) => [s.name, s.value])));
  for (const setting of settings) out.line(`${setting.name}=${setting.value}`);
}

export async function setCommand(session: Session, { assignments }: { assignments: string[] }): Promise<void> {
  const settings = await setSettings(await session.node(), assignments);
  const { out } = session;
  if (out.json) return out.printJson(Object.fromEntries(settings.map((s) => [s.name, s.value])));
  for (const setting of settings) out.line(`${setting.name}=${setting.value}`);
}
