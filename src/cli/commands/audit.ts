/** `ssokit audit list`: the operations log and the three Enterprise SSO audit tables. */

import { command, remedy } from '../../remedy.js';
import { defineCommand, type NounTable, option } from '../table/define.js';
import { unsupported } from '../table/unsupported.js';

export const AUDIT: NounTable = {
  noun: 'audit',
  summary: 'the audit log',
  commands: [
    defineCommand({
      name: 'audit list',
      summary: 'show the newest entries',
      args: [],
      options: [
        option('kind', 'value', '--kind <kind>', 'operations (default), deleted-apps, deleted-mappings or lookups'),
        option('limit', 'value', '--limit <n>', 'how many (default 100)'),
      ],
      handler: async () => (await import('../handlers/audit.js')).auditListCommand,
    }),
    unsupported(
      ['ssoconfig'],
      'auditLevel',
      'set success and failure audit levels',
      remedy`ssokit audits every operation in the store: ${command('audit list')}`,
    ),
  ],
};
