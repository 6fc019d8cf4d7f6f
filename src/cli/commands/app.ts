/** `ssokit app …`: affiliate applications (ssomanage -createapps, -listapps, …). */

import { DRY_RUN } from '../table/common-options.js';
import { arg, defineCommand, describe, type NounTable, option } from '../table/define.js';

const app = () => import('../handlers/app.js');
const APP_FILE = arg.required('file', 'AffiliateApplication XML', 'application file');
const APP_NAME = arg.required('name', '', 'application name');

export const APP: NounTable = {
  noun: 'app',
  summary: 'affiliate applications (ssomanage -createapps, -listapps, …)',
  commands: [
    defineCommand({
      name: 'app create',
      original: [{ tool: 'ssomanage', name: 'createapps', summary: 'create new applications' }],
      summary: 'create applications from an XML file (ssomanage -createapps)',
      args: [APP_FILE],
      options: [describe(DRY_RUN, 'check the file and show what would be created; create nothing')],
      handler: async () => (await app()).appCreateCommand,
    }),
    defineCommand({
      name: 'app update',
      original: [{ tool: 'ssomanage', name: 'updateapps', summary: 'update existing applications' }],
      summary: 'update applications from an XML file (ssomanage -updateapps)',
      args: [APP_FILE],
      options: [DRY_RUN],
      handler: async () => (await app()).appUpdateCommand,
    }),
    defineCommand({
      name: 'app list',
      summary: 'list applications (ssomanage -listapps)',
      args: [],
      options: [option('all', 'switch', '--all', 'include config store applications')],
      handler: async () => (await app()).appListCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssomanage', name: 'listapps', summary: 'list existing applications' }],
      sameAs: 'app list',
      summary: 'list existing applications ("all" includes config store applications)',
      args: [arg.optional('all', '"all" to include config store applications')],
      options: [],
      handler: async () => (await app()).legacyListAppsCommand,
    }),
    defineCommand({
      name: 'app show',
      original: [{ tool: 'ssomanage', name: 'displayapp', summary: 'display application information' }],
      summary: 'show an application (ssomanage -displayapp)',
      args: [APP_NAME],
      options: [],
      handler: async () => (await app()).appShowCommand,
    }),
    defineCommand({
      name: 'app delete',
      original: [{ tool: 'ssomanage', name: 'deleteapp', summary: 'delete an existing application' }],
      summary: 'delete an application with its mappings and credentials (ssomanage -deleteapp)',
      args: [APP_NAME],
      options: [],
      uses: ['yes'],
      handler: async () => (await app()).appDeleteCommand,
    }),
    defineCommand({
      name: 'app enable',
      original: [{ tool: 'ssomanage', name: 'enableapp', summary: 'enable application' }],
      summary: 'enable an application (ssomanage -enableapp)',
      args: [APP_NAME],
      options: [],
      handler: async () => (await app()).appEnableCommand,
    }),
    defineCommand({
      name: 'app disable',
      original: [{ tool: 'ssomanage', name: 'disableapp', summary: 'disable application' }],
      summary: 'disable an application (ssomanage -disableapp)',
      args: [APP_NAME],
      options: [],
      handler: async () => (await app()).appDisableCommand,
    }),
    defineCommand({
      name: 'app purge-cache',
      original: [{ tool: 'ssomanage', name: 'purgecache', summary: 'purge the credential cache for an application' }],
      summary: "purge an application's credential cache (ssomanage -purgecache)",
      args: [APP_NAME],
      options: [],
      handler: async () => (await app()).appPurgeCacheCommand,
    }),
  ],
};
