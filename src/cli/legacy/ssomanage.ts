/** `ssomanage`: global info, applications and mappings, in Enterprise SSO's syntax. */

import { SsoError } from '../../errors.js';
import type { Command } from '../commander.js';
import { collect } from '../declare.js';
import type { LegacyTool } from './legacy-program.js';
import { unsupported } from './unsupported.js';

const db = () => import('../commands/db.js');
const app = () => import('../commands/app.js');
const mapping = () => import('../commands/mapping.js');

const NO_SERVER = 'ssokit works on the store directly: point this node at a store with ssoconfig -setDB PATH';

export const credentialOptions = (c: Command) =>
  c
    .option('--external-user <id>', 'external user id, when the mapping does not exist yet')
    .option('--field <label=value>', 'a value for a field that is not masked (repeatable)', collect)
    .option('--fields-file <file>', 'JSON object of field label to value ("-" for stdin)');

export const SSOMANAGE: LegacyTool = {
  name: 'ssomanage',
  heading: 'Administration, application and mapping functions',
  commands: [
    unsupported('server', 'set SSO server name (for current user)', NO_SERVER),
    unsupported('serverall', 'set SSO server name (for all users)', NO_SERVER),
    { name: 'showserver', summary: 'show the SSO server', load: async () => (await db()).showServerCommand },
    {
      name: 'updatedb',
      args: ['<update file>'],
      summary: 'update SSO database',
      options: (c) => c.option('--dry-run', 'show what would change'),
      load: async () => (await db()).dbUpdateCommand,
    },
    { name: 'enablesso', summary: 'enable SSO', load: async () => (await db()).ssoEnableCommand },
    { name: 'disablesso', summary: 'disable SSO', load: async () => (await db()).ssoDisableCommand },
    {
      name: 'enable',
      args: ['<feature>'],
      summary: 'enable an SSO feature (hisso)',
      load: async () => {
        const { featureCommand } = await db();
        return (session, feature: string) => featureCommand(session, feature, true);
      },
    },
    {
      name: 'disable',
      args: ['<feature>'],
      summary: 'disable an SSO feature (hisso)',
      load: async () => {
        const { featureCommand } = await db();
        return (session, feature: string) => featureCommand(session, feature, false);
      },
    },
    {
      name: 'tickets',
      args: ['<allowed>', '<validate>'],
      summary: 'control SSO ticket behavior',
      load: async () => (await db()).ticketsCommand,
    },
    {
      name: 'displaydb',
      summary: 'display current SSO database settings',
      load: async () => (await db()).dbShowCommand,
    },
    {
      name: 'showdb',
      summary: 'show the SSO database this server uses',
      load: async () => (await import('../commands/system.js')).dbWhereCommand,
    },
    unsupported(
      'setssl',
      'enable or disable SSL to the SSO database',
      'the SQLite store is a local file; there is no connection to secure',
    ),
    {
      name: 'listapps',
      args: ['[all]'],
      summary: 'list existing applications',
      load: async () => {
        const { appListCommand } = await app();
        return (session, all?: string) => {
          if (all !== undefined && all.toLowerCase() !== 'all')
            throw new SsoError('USAGE', `-listapps takes "all" or nothing, not "${all}"`);
          return appListCommand(session, { all: all !== undefined });
        };
      },
    },
    {
      name: 'displayapp',
      args: ['<application name>'],
      summary: 'display application information',
      load: async () => (await app()).appShowCommand,
    },
    {
      name: 'createapps',
      args: ['<application file>'],
      summary: 'create new applications',
      options: (c) => c.option('--dry-run', 'check the file, create nothing'),
      load: async () => (await app()).appCreateCommand,
    },
    {
      name: 'updateapps',
      args: ['<application file>'],
      summary: 'update existing applications',
      options: (c) => c.option('--dry-run', 'check the file, change nothing'),
      load: async () => (await app()).appUpdateCommand,
    },
    {
      name: 'deleteapp',
      args: ['<application name>'],
      summary: 'delete an existing application',
      load: async () => (await app()).appDeleteCommand,
    },
    {
      name: 'enableapp',
      args: ['<application name>'],
      summary: 'enable application',
      load: async () => (await app()).appEnableCommand,
    },
    {
      name: 'disableapp',
      args: ['<application name>'],
      summary: 'disable application',
      load: async () => (await app()).appDisableCommand,
    },
    {
      name: 'purgecache',
      args: ['<application name>'],
      summary: 'purge the credential cache for an application',
      load: async () => (await app()).appPurgeCacheCommand,
    },
    {
      name: 'listmappings',
      args: ['<user or application>', '[application]'],
      summary: 'list mappings for a user or an application',
      load: async () => (await mapping()).legacyListMappingsCommand,
    },
    {
      name: 'createmappings',
      args: ['<mappings file>'],
      summary: 'create mappings for users',
      load: async () => (await mapping()).mappingCreateCommand,
    },
    {
      name: 'deletemappings',
      args: ['<mappings file>'],
      summary: 'delete mappings for users',
      load: async () => (await mapping()).mappingDeleteFileCommand,
    },
    {
      name: 'enablemapping',
      args: ['<domain\\user>', '<application>'],
      summary: 'enable a single mapping for a user',
      load: async () => (await mapping()).mappingEnableCommand,
    },
    {
      name: 'disablemapping',
      args: ['<domain\\user>', '<application>'],
      summary: 'disable a single mapping for a user',
      load: async () => (await mapping()).mappingDisableCommand,
    },
    {
      name: 'deletemapping',
      args: ['<domain\\user>', '<application>'],
      summary: 'delete a single mapping for a user',
      load: async () => (await mapping()).mappingDeleteCommand,
    },
    {
      name: 'setcredentials',
      args: ['<domain\\user>', '<application>'],
      summary: 'set external credentials for a user',
      options: credentialOptions,
      load: async () => (await import('../commands/credentials.js')).credentialsSetCommand,
    },
  ],
};
