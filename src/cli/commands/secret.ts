/** `ssokit secret …` and ssoconfig's master secret options. */

import { FORCE, REMINDER } from '../table/common-options.js';
import { arg, defineCommand, describe, type NounTable, option } from '../table/define.js';

const BACKUP_FILE = arg.required('file', 'backup file to write', 'backup file');

export const SECRET: NounTable = {
  noun: 'secret',
  summary: 'the master secret: backup, restore, rotation',
  commands: [
    defineCommand({
      name: 'secret backup',
      original: [
        { tool: 'ssoconfig', name: 'backupSecret', summary: 'back up the master secret to a password-protected file' },
      ],
      summary: 'back up the master secret to a password-protected file (ssoconfig -backupSecret)',
      args: [BACKUP_FILE],
      options: [
        describe(REMINDER, 'password reminder stored in the file (else SSOKIT_PASSWORD_REMINDER or a prompt)'),
        FORCE,
      ],
      uses: ['passwordFile'],
      handler: async () => (await import('../handlers/secret-backup.js')).secretBackupCommand,
    }),
    defineCommand({
      name: 'secret restore',
      original: [
        { tool: 'ssoconfig', name: 'restoreSecret', summary: 'restore the master secret on this master secret server' },
      ],
      summary: 'restore the master secret on this node from a backup (ssoconfig -restoreSecret)',
      args: [arg.required('file', 'backup file to read', 'restore file')],
      options: [describe(FORCE, 'restore even when the file holds another secret than the store expects')],
      uses: ['passwordFile'],
      handler: async () => (await import('../handlers/secret-restore.js')).secretRestoreCommand,
    }),
    defineCommand({
      name: 'secret rotate',
      summary: 'generate a new master secret and re-wrap every data key (ssoconfig -generateSecret)',
      args: [],
      options: [
        option('backup', 'value', '--backup <file>', "where to write the new secret's backup (required)"),
        describe(REMINDER, 'password reminder for the new backup'),
        describe(FORCE, 'replace an existing backup file'),
      ],
      uses: ['passwordFile'],
      handler: async () => (await import('../handlers/secret-rotate.js')).secretRotateCommand,
    }),
    defineCommand({
      original: [
        {
          tool: 'ssoconfig',
          name: 'generateSecret',
          summary: 'generate a new master secret and back it up to the file',
        },
      ],
      sameAs: 'secret rotate',
      summary: 'generate a new master secret and back it up to the file',
      args: [arg.required('backup', 'backup file to write', 'backup file')],
      options: [describe(REMINDER, 'password reminder for the new backup'), FORCE],
      uses: ['passwordFile'],
      handler: async () => (await import('../handlers/secret-rotate.js')).secretRotateCommand,
    }),
    defineCommand({
      name: 'secret reencrypt',
      summary: 'new data keys and every credential re-encrypted (resumable)',
      args: [],
      options: [],
      handler: async () => (await import('../handlers/secret-reencrypt.js')).secretReencryptCommand,
    }),
    defineCommand({
      name: 'secret status',
      summary: 'where the master secret is and whether this node holds it',
      args: [],
      options: [],
      handler: async () => (await import('../handlers/secret-status.js')).secretStatusCommand,
    }),
    defineCommand({
      name: 'secret verify',
      summary: 'prove a backup opens with its password and matches the store, changing nothing',
      args: [arg.required('file', 'backup file to check')],
      options: [],
      uses: ['passwordFile'],
      handler: async () => (await import('../handlers/secret-verify.js')).secretVerifyCommand,
    }),
  ],
};
