/**
 * Every command of every tool, in the order `ssokit --help` and the original tools' help
 * list them.
 */

import { APP } from '../commands/app.js';
import { AUDIT } from '../commands/audit.js';
import { BIZSYS } from '../commands/bizsys.js';
import { CHECK } from '../commands/check.js';
import { CLIENT } from '../commands/client.js';
import { CLONE } from '../commands/clone.js';
import { CONFIG_STORE } from '../commands/config-store.js';
import { CREDENTIALS } from '../commands/credentials.js';
import { DB } from '../commands/db.js';
import { MAPPING } from '../commands/mapping.js';
import { NODE } from '../commands/node.js';
import { SECRET } from '../commands/secret.js';
import { SERVICE } from '../commands/service.js';
import { SETTINGS } from '../commands/settings.js';
import { SSO } from '../commands/sso.js';
import { SYSTEM } from '../commands/system.js';
import type { CommandDef, NounTable, OriginalTool } from './define.js';

export const TABLES: readonly NounTable[] = [
  SYSTEM,
  SECRET,
  DB,
  APP,
  MAPPING,
  CREDENTIALS,
  CLIENT,
  CONFIG_STORE,
  AUDIT,
  BIZSYS,
  SETTINGS,
  CLONE,
  SSO,
  NODE,
  SERVICE,
  CHECK,
];

export const ALL_COMMANDS: readonly CommandDef[] = TABLES.flatMap((t) => t.commands);

/** The heading each original tool's help opens with, as Enterprise SSO and Interstage word it. */
export const ORIGINAL_TOOLS: Record<OriginalTool, { heading: string }> = {
  ssoconfig: { heading: 'Master secret and database functions' },
  ssomanage: { heading: 'Administration, application and mapping functions' },
  ssoclient: { heading: 'Client functions' },
  ssocloneaz: { heading: 'Business server replication' },
};

/** The commands an original tool offers, with the name it gives each. */
export function originalCommands(tool: OriginalTool): { name: string; summary: string; def: CommandDef }[] {
  return ALL_COMMANDS.flatMap((def) =>
    def.original.filter((o) => o.tool === tool).map((o) => ({ name: o.name, summary: o.summary ?? def.summary, def })),
  );
}

export function modernCommand(name: string): CommandDef | undefined {
  return ALL_COMMANDS.find((def) => def.name === name);
}
