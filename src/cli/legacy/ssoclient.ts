/** `ssoclient`: SSO users manage their own mappings and credentials. */

import type { LegacyTool } from './legacy-program.js';
import { credentialOptions } from './ssomanage.js';
import { unsupported } from './unsupported.js';

const client = () => import('../commands/client.js');

export const SSOCLIENT: LegacyTool = {
  name: 'ssoclient',
  heading: 'Client functions',
  commands: [
    unsupported(
      'server',
      'set the SSO server',
      'ssokit works on the store directly: point this node at a store with ssoconfig -setDB PATH',
    ),
    {
      name: 'showserver',
      summary: 'show the SSO server',
      load: async () => (await import('../commands/db.js')).showServerCommand,
    },
    {
      name: 'listapps',
      summary: 'list the applications available to you',
      load: async () => (await client()).clientListAppsCommand,
    },
    {
      name: 'displayapp',
      args: ['<application name>'],
      summary: 'display application information',
      load: async () => (await import('../commands/app.js')).appShowCommand,
    },
    {
      name: 'setcredentials',
      args: ['<application name>'],
      summary: 'set your credentials for an application (creates and enables your mapping)',
      options: credentialOptions,
      load: async () => (await import('../commands/credentials.js')).clientSetCredentialsCommand,
    },
    {
      name: 'listmappings',
      summary: 'list your mappings',
      load: async () => (await client()).clientListMappingsCommand,
    },
    {
      name: 'deletemapping',
      args: ['<application name>'],
      summary: 'delete your (disabled) mapping',
      load: async () => (await client()).clientDeleteMappingCommand,
    },
    {
      name: 'enablemapping',
      args: ['<application name>'],
      summary: 'enable your mapping',
      load: async () => (await client()).clientEnableMappingCommand,
    },
    {
      name: 'disablemapping',
      args: ['<application name>'],
      summary: 'disable your mapping',
      load: async () => (await client()).clientDisableMappingCommand,
    },
  ],
};
