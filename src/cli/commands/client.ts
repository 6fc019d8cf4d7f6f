/**
 * ssoclient: SSO users manage their own mappings and credentials. These exist only in the
 * original syntax; each acts for the OS user running it.
 */

import { EXTERNAL_USER, FIELD, FIELDS_FILE } from '../table/common-options.js';
import { arg, defineCommand, type NounTable } from '../table/define.js';

const client = () => import('../handlers/client.js');
const APP = arg.required('app', '', 'application name');

export const CLIENT: NounTable = {
  noun: '',
  summary: 'client functions',
  commands: [
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'listapps' }],
      summary: 'list the applications available to you',
      args: [],
      options: [],
      handler: async () => (await client()).clientListAppsCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'displayapp' }],
      sameAs: 'app show',
      summary: 'display application information',
      args: [arg.required('name', '', 'application name')],
      options: [],
      handler: async () => (await client()).clientShowAppCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'setcredentials' }],
      summary: 'set your credentials for an application (creates and enables your mapping)',
      args: [APP],
      options: [EXTERNAL_USER, FIELD, FIELDS_FILE],
      handler: async () => (await client()).clientSetCredentialsCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'listmappings' }],
      summary: 'list your mappings',
      args: [],
      options: [],
      handler: async () => (await client()).clientListMappingsCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'deletemapping' }],
      summary: 'delete your (disabled) mapping',
      args: [APP],
      options: [],
      handler: async () => (await client()).clientDeleteMappingCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'enablemapping' }],
      summary: 'enable your mapping',
      args: [APP],
      options: [],
      handler: async () => (await client()).clientEnableMappingCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssoclient', name: 'disablemapping' }],
      summary: 'disable your mapping',
      args: [APP],
      options: [],
      handler: async () => (await client()).clientDisableMappingCommand,
    }),
  ],
};
