/** `ssoconfig`: the master secret and this server's store, in Enterprise SSO's syntax. */

import type { LegacyTool } from './legacy-program.js';
import { unsupported } from './unsupported.js';

const system = () => import('../commands/system.js');

export const SSOCONFIG: LegacyTool = {
  name: 'ssoconfig',
  heading: 'Master secret and database functions',
  commands: [
    {
      name: 'backupSecret',
      args: ['<backup file>'],
      summary: 'back up the master secret to a password-protected file',
      options: (c) => c.option('--reminder <text>', 'password reminder').option('--force', 'replace an existing file'),
      load: async () => (await import('../commands/secret-backup.js')).secretBackupCommand,
    },
    {
      name: 'restoreSecret',
      args: ['<restore file>'],
      summary: 'restore the master secret on this master secret server',
      options: (c) => c.option('--force', 'restore even when the file holds another secret than the store expects'),
      load: async () => (await import('../commands/secret-restore.js')).secretRestoreCommand,
    },
    {
      name: 'generateSecret',
      args: ['<backup file>'],
      summary: 'generate a new master secret and back it up to the file',
      options: (c) => c.option('--reminder <text>', 'password reminder').option('--force', 'replace an existing file'),
      load: async () => {
        const { secretRotateCommand } = await import('../commands/secret-rotate.js');
        return (session, file: string, options: object) => secretRotateCommand(session, { ...options, backup: file });
      },
    },
    {
      name: 'setDB',
      args: ['<store file>'],
      summary: 'set the credential store this server uses',
      options: (c) =>
        c.option(
          '--cluster-name <name>',
          'a cluster network name this node answers to (repeatable)',
          (v: string, p: string[] = []) => [...p, v],
        ),
      load: async () => (await system()).joinCommand,
    },
    {
      name: 'showDB',
      summary: 'show the credential store this server uses',
      load: async () => (await system()).dbWhereCommand,
    },
    unsupported(
      'auditLevel',
      'set success and failure audit levels',
      'ssokit audits every operation in the store: ssokit audit list',
    ),
    unsupported(
      'setSSL',
      'enable or disable SSL to the SSO database',
      'the SQLite store is a local file; there is no connection to secure',
    ),
    unsupported('remoteLookup', 'allow remote credential lookups', 'ssokit has no SSO service to look up through yet'),
    unsupported('allowPS', 'allow password synchronization', 'password synchronization is not part of ssokit'),
    unsupported('syncAge', 'maximum age of password-sync requests', 'password synchronization is not part of ssokit'),
    unsupported('replayFiles', 'password-sync replay folder', 'password synchronization is not part of ssokit'),
  ],
};
