/** `ssokit credentials …`: the credentials of user mappings (ssomanage -setcredentials, the lookup, bulk import). */

import { EXTERNAL_USER, FIELD, FIELDS_FILE } from '../table/common-options.js';
import { arg, defineCommand, type NounTable, option } from '../table/define.js';

const credentials = () => import('../handlers/credentials.js');

export const CREDENTIALS: NounTable = {
  noun: 'credentials',
  summary: 'credentials of user mappings',
  commands: [
    defineCommand({
      name: 'credentials set',
      original: [{ tool: 'ssomanage', name: 'setcredentials', summary: 'set external credentials for a user' }],
      summary: "set a user's credentials; creates and enables the mapping (ssomanage -setcredentials)",
      args: [
        arg.required('user', 'domain\\user (the external account for host group applications)', 'domain\\user'),
        arg.required('app', '', 'application'),
      ],
      options: [EXTERNAL_USER, FIELD, FIELDS_FILE],
      handler: async () => (await credentials()).credentialsSetCommand,
    }),
    defineCommand({
      name: 'credentials get',
      summary: "look up a user's credentials (GetCredentials), audited",
      args: [arg.required('user', 'domain\\user'), arg.required('app')],
      options: [option('reveal', 'switch', '--reveal', 'show masked values too')],
      handler: async () => (await credentials()).credentialsGetCommand,
    }),
    defineCommand({
      name: 'credentials import',
      summary: 'import credentials from JSON Lines, all or nothing',
      args: [arg.required('file', '{"user":…,"app":…,"externalUser":…,"fields":{…}} per line')],
      options: [],
      handler: async () => (await credentials()).credentialsImportCommand,
    }),
  ],
};
