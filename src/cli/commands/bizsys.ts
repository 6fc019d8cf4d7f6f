/** `ssokit bizsys …`: the business systems this node protects with SSO. */

import { arg, defineCommand, type NounTable, option } from '../table/define.js';

const bizsys = () => import('../handlers/bizsys.js');
const NAME = arg.required('name');

/** The settings add and update share. */
const SETTINGS = [
  option('path', 'list', '--path <path>', 'a protected path (repeatable; replaces the list on update)'),
  option('authServer', 'value', '--auth-server <url>', 'the authentication server URL'),
  option('ssl', 'toggle', '--ssl', 'SSL on', 'SSL off'),
  option(
    'file',
    'list',
    '--file <role=path>',
    'a file it references, copied in: certificate, key, web-config or message (repeatable; on update, replaces a file of the same name)',
  ),
  option('ssoEnabled', 'value', '--sso-enabled <bool>', 'single sign-on on or off (default true)'),
  option(
    'ssoMaxInactiveSeconds',
    'value',
    '--sso-max-inactive-seconds <n>',
    'idle time before an SSO session may be purged (default 300)',
  ),
  option(
    'ssoReapIntervalSeconds',
    'value',
    '--sso-reap-interval-seconds <n>',
    'how often expired sessions are purged (default 60)',
  ),
  option('ssoFailoverEnabled', 'value', '--sso-failover-enabled <bool>', 'SSO session state failover (default false)'),
] as const;

export const BIZSYS: NounTable = {
  noun: 'bizsys',
  summary: 'business systems protected by SSO on this node',
  commands: [
    defineCommand({
      name: 'bizsys add',
      summary: 'add a business system',
      args: [NAME],
      options: [
        option('publicUrl', 'value', '--public-url <url>', 'its public URL: scheme, FQDN and port (fixed once added)'),
        ...SETTINGS,
      ],
      handler: async () => (await bizsys()).bizsysAddCommand,
    }),
    defineCommand({
      name: 'bizsys list',
      summary: 'list the business systems',
      args: [],
      options: [],
      handler: async () => (await bizsys()).bizsysListCommand,
    }),
    defineCommand({
      name: 'bizsys show',
      summary: 'show a business system',
      args: [NAME],
      options: [],
      handler: async () => (await bizsys()).bizsysShowCommand,
    }),
    defineCommand({
      name: 'bizsys update',
      summary: 'change a business system (not its public URL)',
      args: [NAME],
      options: [
        option(
          'publicUrl',
          'value',
          '--public-url <url>',
          'refused: a public URL is changed by removing and adding the system',
        ),
        option('addPath', 'list', '--add-path <path>', 'add a protected path (repeatable)'),
        option('removePath', 'list', '--remove-path <path>', 'remove a protected path (repeatable)'),
        option('removeFile', 'list', '--remove-file <name>', 'remove a referenced file (repeatable)'),
        ...SETTINGS,
      ],
      handler: async () => (await bizsys()).bizsysUpdateCommand,
    }),
    defineCommand({
      name: 'bizsys remove',
      summary: 'remove a business system and its files',
      args: [NAME],
      options: [],
      uses: ['yes'],
      handler: async () => (await bizsys()).bizsysRemoveCommand,
    }),
  ],
};
