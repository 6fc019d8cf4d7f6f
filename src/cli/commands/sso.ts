/** `ssokit sso list | show | invalidate | reap`: the single sign-on entries of this node's business systems. */

import { arg, defineCommand, type NounTable, option } from '../table/define.js';

const sso = () => import('../handlers/sso.js');

export const SSO: NounTable = {
  noun: 'sso',
  summary: 'single sign-on entries of the business systems',
  commands: [
    defineCommand({
      name: 'sso list',
      summary: 'the signed-on entries: who, through which business system, where kept, until when',
      args: [],
      options: [
        option('bizsys', 'value', '--bizsys <name>', 'only the entries signed on through this business system'),
        option('user', 'value', '--user <name>', 'only the entries of this principal'),
        option('limit', 'value', '--limit <n>', 'how many (default 1000)'),
      ],
      handler: async () => (await sso()).ssoListCommand,
    }),
    defineCommand({
      name: 'sso show',
      summary: 'one entry and the session each application of the group gave it',
      args: [arg.required('id', 'the entry id, as sso list shows it (16 hex digits)')],
      options: [],
      handler: async () => (await sso()).ssoShowCommand,
    }),
    defineCommand({
      name: 'sso invalidate',
      summary: 'sign the entry out: it and every session of the group end',
      args: [arg.required('id', 'the entry id, as sso list shows it (16 hex digits)')],
      options: [],
      handler: async () => (await sso()).ssoInvalidateCommand,
    }),
    defineCommand({
      name: 'sso reap',
      summary: 'remove now the entries past their sso-max-inactive-seconds',
      args: [],
      options: [],
      handler: async () => (await sso()).ssoReapCommand,
    }),
  ],
};
