/** Setting a node up: `ssokit setup`, `ssokit init`, `ssokit join` (`ssoconfig -setDB`). */

import { CLUSTER_NAME, DOMAIN, FORCE, REMINDER } from '../table/common-options.js';
import { arg, defineCommand, describe, type NounTable, option } from '../table/define.js';

const system = () => import('../handlers/system.js');

export const SYSTEM: NounTable = {
  noun: '',
  summary: 'set this node up',
  commands: [
    defineCommand({
      name: 'setup',
      summary: 'set this node up: the interactive wizard, or --answers FILE without a terminal',
      args: [],
      options: [
        option('answers', 'value', '--answers <file>', 'answers as JSON (see --print-answers)'),
        option('printAnswers', 'switch', '--print-answers', 'print a commented answers template'),
      ],
      uses: ['passwordFile', 'nodeName'],
      handler: async () => (await import('../handlers/setup.js')).setupCommand,
    }),
    defineCommand({
      name: 'init',
      summary: 'create a new SSO system on this node (it becomes the master secret server)',
      args: [],
      options: [
        CLUSTER_NAME,
        option(
          'secretServer',
          'value',
          '--secret-server <name>',
          "name recorded as the master secret server (default: this node's name)",
        ),
        describe(DOMAIN, "directory domain of this node's OS accounts (the caller alice is then DOMAIN\\alice)"),
        option(
          'ssoAdmin',
          'value',
          '--sso-admin <accounts>',
          'SSO administrators: OS users or groups, ;-separated (default: you)',
        ),
        option(
          'affiliateAdmin',
          'value',
          '--affiliate-admin <accounts>',
          'SSO affiliate administrators (default: the SSO administrators)',
        ),
        option(
          'backup',
          'value-or-no',
          '--backup <file>',
          'where to write the secret backup (default: <home>/backup/SSOxxxx.bak)',
          'make no backup (every later command will warn until one is made)',
        ),
        REMINDER,
        describe(FORCE, 'replace an existing backup file'),
      ],
      uses: ['passwordFile', 'nodeName'],
      handler: async () => (await system()).initCommand,
    }),
    defineCommand({
      name: 'join',
      original: [{ tool: 'ssoconfig', name: 'setDB', summary: 'set the credential store this server uses' }],
      summary: 'point this node at an existing credential store (ssoconfig -setDB)',
      args: [arg.optional('store', 'the store file (or give --db)', 'store file')],
      options: [CLUSTER_NAME, DOMAIN],
      uses: ['nodeName'],
      handler: async () => (await system()).joinCommand,
    }),
  ],
};
