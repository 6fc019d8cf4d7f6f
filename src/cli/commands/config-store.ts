/** `ssokit config-store …`: config store applications' encrypted property bags. */

import { FORCE } from '../table/common-options.js';
import { arg, defineCommand, describe, type NounTable, option } from '../table/define.js';

const configStore = () => import('../handlers/config-store.js');
const APP = arg.required('app');
const IDENTIFIER = arg.optional('identifier');
const IDENTIFIER_OPTION = option('identifier', 'value', '--identifier <id>', 'the bag (default ConfigProperties)');
const BTDF_OPTION = option(
  'btdf',
  'switch',
  '--btdf',
  "the BizTalk Deployment Framework's layout: the settings in AppConfig (found by itself on an existing application)",
);

export const CONFIG_STORE: NounTable = {
  noun: 'config-store',
  summary: "config store applications' encrypted property bags",
  commands: [
    defineCommand({
      name: 'config-store set',
      summary: 'set properties (identifier defaults to ConfigProperties)',
      args: [APP, IDENTIFIER],
      options: [
        option('property', 'list', '--property <name=value>', 'a property that is not masked (repeatable)'),
        option('file', 'value', '--file <file>', 'properties from a settings XML file or a JSON object'),
        option('replace', 'switch', '--replace', 'replace the whole bag instead of updating it'),
        option(
          'setting',
          'list',
          '--setting <name=value>',
          "a setting in AppConfig, the BizTalk Deployment Framework's layout (repeatable)",
        ),
      ],
      handler: async () => (await configStore()).configSetCommand,
    }),
    defineCommand({
      name: 'config-store get',
      summary: 'show properties (masked ones only with --runtime)',
      args: [APP, IDENTIFIER],
      options: [
        option('runtime', 'switch', '--runtime', 'include masked properties'),
        option('setting', 'value', '--setting <name>', 'print one setting of AppConfig (the BTDF layout)'),
      ],
      handler: async () => (await configStore()).configGetCommand,
    }),
    defineCommand({
      name: 'config-store delete',
      summary: 'delete a bag',
      args: [APP, IDENTIFIER],
      options: [],
      handler: async () => (await configStore()).configDeleteCommand,
    }),
    defineCommand({
      name: 'config-store list',
      summary: "list an application's bags",
      args: [APP],
      options: [],
      handler: async () => (await configStore()).configListCommand,
    }),
    defineCommand({
      name: 'config-store import',
      summary: 'import a BizTalk Deployment Framework settings file or JSON',
      args: [APP, arg.required('file')],
      options: [
        IDENTIFIER_OPTION,
        option('replace', 'switch', '--replace', 'replace the whole bag (or every setting)'),
        BTDF_OPTION,
        option(
          'create',
          'switch',
          '--create',
          "create a missing application as the BizTalk Deployment Framework's importer does",
        ),
        option(
          'userAccounts',
          'value',
          '--user-accounts <accounts>',
          'with --create: its application users (default "BizTalk Application Users")',
        ),
        option(
          'adminAccounts',
          'value',
          '--admin-accounts <accounts>',
          'with --create: its application administrators (default "BizTalk Server Administrators")',
        ),
      ],
      handler: async () => (await configStore()).configImportCommand,
    }),
    defineCommand({
      name: 'config-store export',
      summary: 'export a bag as a settings file or JSON',
      args: [APP],
      options: [
        IDENTIFIER_OPTION,
        option('output', 'value', '--output <file>', 'write to FILE (mode 0600) instead of stdout'),
        option('format', 'value', '--format <format>', 'xml or json (default: by the file name, else xml)'),
        option('includeMasked', 'switch', '--include-masked', 'include masked properties (only into a file)'),
        describe(FORCE, 'replace an existing file'),
        BTDF_OPTION,
      ],
      handler: async () => (await configStore()).configExportCommand,
    }),
  ],
};
