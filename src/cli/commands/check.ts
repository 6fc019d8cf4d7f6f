/** `ssokit check`: the read-only health check. */

import { defineCommand, type NounTable } from '../table/define.js';

export const CHECK: NounTable = {
  noun: '',
  summary: 'health check',
  commands: [
    defineCommand({
      name: 'check',
      summary: 'read-only health check of this node and its store (exit status 70 when anything is wrong)',
      args: [],
      options: [],
      handler: async () => (await import('../handlers/check.js')).checkCommand,
    }),
  ],
};
