/** `ssokit db …`: the store this node uses and its global info (ssomanage -displaydb, -updatedb …). */

import { command, option as optionRef, remedy } from '../../remedy.js';
import { DRY_RUN, FORCE } from '../table/common-options.js';
import { arg, defineCommand, describe, type NounTable, option } from '../table/define.js';
import { unsupported } from '../table/unsupported.js';

const db = () => import('../handlers/db.js');

const NO_SERVER = remedy`ssokit uses this computer's SSO server (its service, or the store directly): point this node at a store with ${command('join', optionRef('db', 'PATH'))}`;
const NO_PASSWORD_SYNC = 'password synchronization is not part of ssokit';

export const DB: NounTable = {
  noun: 'db',
  summary: 'the credential store and its global info (ssomanage -displaydb, -updatedb)',
  commands: [
    defineCommand({
      name: 'db where',
      original: [
        { tool: 'ssoconfig', name: 'showDB', summary: 'show the credential store this server uses' },
        { tool: 'ssomanage', name: 'showdb', summary: 'show the SSO database this server uses' },
      ],
      summary: 'show which store this node uses (ssoconfig -showdb)',
      args: [],
      options: [],
      handler: async () => (await import('../handlers/system.js')).dbWhereCommand,
    }),
    defineCommand({
      name: 'db show',
      original: [{ tool: 'ssomanage', name: 'displaydb', summary: 'display current SSO database settings' }],
      summary: 'show the global info (ssomanage -displaydb)',
      args: [],
      options: [],
      handler: async () => (await db()).dbShowCommand,
    }),
    defineCommand({
      name: 'db update',
      original: [{ tool: 'ssomanage', name: 'updatedb', summary: 'update SSO database' }],
      summary: 'update the global info from a GlobalInfo XML file (ssomanage -updatedb)',
      args: [arg.required('file', 'the XML file', 'update file')],
      options: [DRY_RUN],
      handler: async () => (await db()).dbUpdateCommand,
    }),
    defineCommand({
      name: 'db backup',
      summary: 'copy the credential store to a file, consistent while others work (SQLite online backup)',
      args: [arg.required('file', 'the backup file to write (0600)')],
      options: [describe(FORCE, 'replace an existing file')],
      handler: async () => (await import('../handlers/db-backup.js')).dbBackupCommand,
    }),
    defineCommand({
      name: 'db restore',
      summary: 'replace the credential store with a backup, after checking it, while no one uses the store',
      args: [arg.required('file', 'a file written by ssokit db backup')],
      options: [],
      uses: ['yes'],
      handler: async () => (await import('../handlers/db-backup.js')).dbRestoreCommand,
    }),
    defineCommand({
      name: 'db copy',
      summary: 'copy the credential store into an empty store on either engine, then check the copy',
      args: [],
      options: [
        option(
          'to',
          'value',
          '--to <location>',
          'where to copy to: a new SQLite file, or a postgres:// URL of an empty database',
        ),
        option(
          'toPasswordFile',
          'value',
          '--to-password-file <file>',
          'the destination PostgreSQL password (else PGPASSWORD or ~/.pgpass)',
        ),
      ],
      handler: async () => (await import('../handlers/db-copy.js')).dbCopyCommand,
    }),
    defineCommand({
      name: 'db enable-sso',
      original: [{ tool: 'ssomanage', name: 'enablesso', summary: 'enable SSO' }],
      summary: 'enable SSO (ssomanage -enablesso)',
      args: [],
      options: [],
      handler: async () => (await db()).ssoEnableCommand,
    }),
    defineCommand({
      name: 'db disable-sso',
      original: [{ tool: 'ssomanage', name: 'disablesso', summary: 'disable SSO' }],
      summary: 'disable SSO (ssomanage -disablesso)',
      args: [],
      options: [],
      handler: async () => (await db()).ssoDisableCommand,
    }),
    defineCommand({
      name: 'db tickets',
      original: [{ tool: 'ssomanage', name: 'tickets', summary: 'control SSO ticket behavior' }],
      summary: 'whether tickets are allowed and validated (ssomanage -tickets)',
      args: [arg.required('allowed', 'yes, no, on or off'), arg.required('validate', 'yes, no, on or off')],
      options: [],
      handler: async () => (await db()).ticketsCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssomanage', name: 'enable', summary: 'enable an SSO feature (hisso)' }],
      summary: 'enable an SSO feature (hisso)',
      args: [arg.required('feature', 'hisso')],
      options: [],
      handler: async () => (await db()).featureEnableCommand,
    }),
    defineCommand({
      original: [{ tool: 'ssomanage', name: 'disable', summary: 'disable an SSO feature (hisso)' }],
      summary: 'disable an SSO feature (hisso)',
      args: [arg.required('feature', 'hisso')],
      options: [],
      handler: async () => (await db()).featureDisableCommand,
    }),
    defineCommand({
      original: [
        { tool: 'ssomanage', name: 'showserver' },
        { tool: 'ssoclient', name: 'showserver' },
      ],
      summary: 'show the SSO server',
      args: [],
      options: [],
      handler: async () => (await db()).showServerCommand,
    }),
    unsupported(['ssomanage', 'ssoclient'], 'server', 'set SSO server name (for current user)', NO_SERVER),
    unsupported(['ssomanage'], 'serverall', 'set SSO server name (for all users)', NO_SERVER),
    defineCommand({
      name: 'db ssl',
      original: [
        { tool: 'ssoconfig', name: 'setSSL', summary: 'enable or disable SSL to the SSO database' },
        { tool: 'ssomanage', name: 'setSSL', summary: 'enable or disable SSL to the SSO database' },
      ],
      summary: "whether this node's connection to a PostgreSQL store is encrypted (ssoconfig -setSSL)",
      args: [arg.required('mode', 'yes or no, or a libpq sslmode: disable, require, verify-ca, verify-full')],
      options: [],
      handler: async () => (await db()).dbSslCommand,
    }),
    unsupported(['ssoconfig'], 'allowPS', 'allow password synchronization', NO_PASSWORD_SYNC),
    unsupported(['ssoconfig'], 'syncAge', 'maximum age of password-sync requests', NO_PASSWORD_SYNC),
    unsupported(['ssoconfig'], 'replayFiles', 'password-sync replay folder', NO_PASSWORD_SYNC),
  ],
};
