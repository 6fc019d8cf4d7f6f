/**
 * The setup wizard's pages. Each asks through the Prompter and checks its answers with the
 * same checks `--answers FILE` gets (core/system/setup.ts), so both ways of setting up agree.
 */

import { join } from 'node:path';
import { checks, type SetupAnswers, type SetupMode } from '../../core/system/index.js';
import type { HomePaths } from '../../node/home.js';
import type { Prompter } from '../prompts.js';

const asValidate = (check: (value: string) => string | null) => (value: string) => check(value.trim()) ?? true;

export async function modePage(p: Prompter): Promise<SetupMode> {
  return p.select('What do you want to do?', [
    { value: 'create', name: 'Create a new SSO system', description: 'this node becomes its master secret server' },
    {
      value: 'join',
      name: 'Join an existing SSO system',
      description: 'point this node at an existing credential store',
    },
  ]);
}

export async function secretServerPage(p: Prompter, mode: SetupMode): Promise<boolean> {
  if (mode === 'create') return true; // the first node of a new system holds its secret
  return p.confirm('Is this the master secret server (or a node of its cluster)?', false);
}

export async function nodePage(
  p: Prompter,
  defaultName: string,
): Promise<{ nodeName: string; clusterName: string | null }> {
  const nodeName = (
    await p.input("This node's name", { default: defaultName, validate: asValidate(checks.nodeName) })
  ).trim();
  const clustered = await p.confirm(
    'Does this node answer to a cluster network name (a clustered master secret server)?',
    false,
  );
  if (!clustered) return { nodeName, clusterName: null };
  const clusterName = (await p.input('Cluster network name', { validate: asValidate(checks.clusterName) })).trim();
  return { nodeName, clusterName };
}

export async function serviceAccountPage(p: Prompter, defaultUser: string): Promise<string> {
  return (
    await p.input('Service account (the OS user the SSO service runs as)', {
      default: defaultUser,
      validate: asValidate(checks.serviceAccount),
    })
  ).trim();
}

export async function adminsPage(
  p: Prompter,
  defaultUser: string,
): Promise<{ ssoAdminAccount: string; affiliateAdminAccount: string }> {
  const ssoAdminAccount = (
    await p.input('SSO administrators (OS users or groups, ;-separated)', {
      default: defaultUser,
      validate: asValidate((v) => checks.accounts(v, 'SSO administrators')),
    })
  ).trim();
  const affiliateAdminAccount = (
    await p.input('SSO affiliate administrators', {
      default: ssoAdminAccount,
      validate: asValidate((v) => checks.accounts(v, 'SSO affiliate administrators')),
    })
  ).trim();
  return { ssoAdminAccount, affiliateAdminAccount };
}

export async function storePage(p: Prompter, mode: SetupMode, paths: HomePaths): Promise<string> {
  const message =
    mode === 'create' ? 'Where should the new credential store be created?' : 'Where is the existing credential store?';
  return (
    await p.input(message, {
      default: mode === 'create' ? paths.defaultStore : '',
      validate: asValidate((v) => checks.store(mode, v, paths)),
    })
  ).trim();
}

export const SKIP_WARNING =
  'Without a backup, losing the master secret (a disk failure, a deleted folder) loses every credential in the store, permanently: nobody can recover them.';

/** The secret backup page; skipping it takes a second, explicit confirmation. */
export async function backupPage(
  p: Prompter,
  paths: HomePaths,
  suggestedName: string,
  warn: (text: string) => void,
): Promise<SetupAnswers['backup']> {
  for (;;) {
    if (await p.confirm('Back up the master secret now? (strongly recommended)', true)) break;
    warn(SKIP_WARNING);
    if (await p.confirm('Continue WITHOUT a backup of the master secret?', false)) return null;
  }
  let password: string;
  for (;;) {
    password = await p.password('Secret backup password (7 to 256 characters)');
    const problem = checks.password(password);
    if (problem) {
      warn(problem);
      continue;
    }
    if ((await p.password('Confirm password')) === password) break;
    warn('the passwords do not match; try again');
  }
  // Erased once answered: a reminder that held the password (refused) must not stay on screen.
  const reminder = await p.input('Password reminder (shown before a restore asks for the password)', {
    validate: (value) => checks.password(password, value) ?? true,
    erase: true,
  });
  const file = (
    await p.input('Backup file location', {
      default: join(paths.backupDir, suggestedName),
      validate: asValidate((v) => checks.backupFile(v, paths)),
    })
  ).trim();
  return { file, password, reminder };
}

export async function restorePage(
  p: Prompter,
  reminderOf: (file: string) => Promise<string>,
  note: (text: string) => void,
): Promise<SetupAnswers['restore']> {
  const file = (await p.input('Secret backup file to restore', { validate: asValidate(checks.restoreFile) })).trim();
  note(`Password reminder : ${await reminderOf(file)}`);
  const password = await p.password('Backup password');
  return { file, password };
}

/** The summary page: what will be done, then a last confirmation. */
export function summaryLines(a: SetupAnswers, namedHere = false): string[] {
  const server = a.secretServer
    ? 'this node'
    : namedHere
      ? 'this node, by name; its secret is not restored (ssokit secret restore FILE later)'
      : 'another node';
  const lines = [
    a.mode === 'create' ? 'Create a new SSO system' : 'Join an existing SSO system',
    `  node name             : ${a.nodeName}${a.clusterName ? ` (cluster name ${a.clusterName})` : ''}`,
    `  master secret server  : ${server}`,
    `  service account       : ${a.serviceAccount}`,
    `  credential store      : ${a.store}`,
  ];
  if (a.mode === 'create') {
    lines.push(
      `  SSO administrators    : ${a.ssoAdminAccount}`,
      `  affiliate admins      : ${a.affiliateAdminAccount}`,
    );
    lines.push(
      `  secret backup         : ${a.backup ? a.backup.file : 'NONE (every command will warn until one is made)'}`,
    );
  } else if (a.restore) {
    lines.push(`  restore secret from   : ${a.restore.file}`);
  }
  return lines;
}
