/** `ssokit get NAME` and `ssokit set NAME=VALUE`: this node's settings by dotted name, as asadmin has them. */

import { arg, defineCommand, type NounTable } from '../table/define.js';

const settings = () => import('../handlers/settings.js');

export const SETTINGS: NounTable = {
  noun: '',
  summary: 'settings by dotted name',
  commands: [
    defineCommand({
      name: 'get',
      summary:
        'read settings by dotted name, prefix or pattern: bizsys.shop.sso-enabled, bizsys.shop, "bizsys.*.ssl", "*"',
      args: [arg.required('name')],
      options: [],
      handler: async () => (await settings()).getCommand,
    }),
    defineCommand({
      name: 'set',
      summary: 'write settings, all or none: ssokit set bizsys.shop.sso-failover-enabled=true',
      args: [arg.variadic('assignments', '', 'name=value')],
      options: [],
      handler: async () => (await settings()).setCommand,
    }),
  ],
};
