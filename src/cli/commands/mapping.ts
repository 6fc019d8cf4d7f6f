/** `ssokit mapping …`: user mappings (ssomanage -createmappings, -listmappings, …). */

import { arg, defineCommand, type NounTable, option } from '../table/define.js';

const mapping = () => import('../handlers/mapping.js');
const MAPPINGS_FILE = arg.required('file', 'UserMapping XML', 'mappings file');
const USER = arg.required('user', 'domain\\user (the external account for host group applications)', 'domain\\user');
const APP = arg.required('app', '', 'application');

export const MAPPING: NounTable = {
  noun: 'mapping',
  summary: 'user mappings (ssomanage -createmappings, -listmappings, …)',
  commands: [
    defineCommand({
      name: 'mapping create',
      original: [{ tool: 'ssomanage', name: 'createmappings', summary: 'create mappings for users' }],
      summary: 'create mappings from an XML file, disabled (ssomanage -createmappings)',
      args: [MAPPINGS_FILE],
      options: [],
      handler: async () => (await mapping()).mappingCreateCommand,
    }),
    defineCommand({
      name: 'mapping delete-file',
      original: [{ tool: 'ssomanage', name: 'deletemappings', summary: 'delete mappings for users' }],
      summary: 'delete the mappings an XML file lists (ssomanage -deletemappings)',
      args: [MAPPINGS_FILE],
      options: [],
      handler: async () => (await mapping()).mappingDeleteFileCommand,
    }),
    defineCommand({
      name: 'mapping delete',
      original: [{ tool: 'ssomanage', name: 'deletemapping', summary: 'delete a single mapping for a user' }],
      summary: 'delete one disabled mapping (ssomanage -deletemapping)',
      args: [USER, APP],
      options: [],
      handler: async () => (await mapping()).mappingDeleteCommand,
    }),
    defineCommand({
      name: 'mapping enable',
      original: [{ tool: 'ssomanage', name: 'enablemapping', summary: 'enable a single mapping for a user' }],
      summary: 'enable a mapping (ssomanage -enablemapping)',
      args: [USER, APP],
      options: [],
      handler: async () => (await mapping()).mappingEnableCommand,
    }),
    defineCommand({
      name: 'mapping disable',
      original: [{ tool: 'ssomanage', name: 'disablemapping', summary: 'disable a single mapping for a user' }],
      summary: 'disable a mapping (ssomanage -disablemapping)',
      args: [USER, APP],
      options: [],
      handler: async () => (await mapping()).mappingDisableCommand,
    }),
    defineCommand({
      name: 'mapping list',
      summary: "list a user's or an application's mappings (ssomanage -listmappings)",
      args: [],
      options: [
        option('user', 'value', '--user <user>', 'domain\\user'),
        option('app', 'value', '--app <app>', 'application'),
      ],
      handler: async () => (await mapping()).mappingListCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssomanage', name: 'listmappings', summary: 'list mappings for a user or an application' }],
      summary: 'list mappings for a user or an application',
      args: [arg.required('first', '', 'user or application'), arg.optional('second', '', 'application')],
      options: [],
      handler: async () => (await mapping()).legacyListMappingsCommand,
    }),
  ],
};
