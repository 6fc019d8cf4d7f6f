/**
 * `ssokit <noun> <verb>`: the modern interface. This file only declares commands; each
 * implementation is imported when its command runs, so start-up stays cheap.
 */

import { ssokitVersion } from '../node/install-facts.js';
import { Command } from './commander.js';
import { collect, type Declare } from './declare.js';
import { addGlobalOptions, wireProgram } from './global-options.js';
import { CLONE_COMMANDS } from './modern-clone.js';
import { MANAGE_COMMANDS } from './modern-manage.js';
import type { Runner } from './runner.js';

/** Global options that take a value: their values are not command names. */
const VALUE_OPTIONS = new Set(['--home', '--db', '--node-name', '--password-file']);

/**
 * Builds the program. Only the top-level command the arguments name is declared (all of
 * them for help or an unknown name): declaring every command costs start-up time that
 * grows with the command set.
 */
export function buildModernProgram(runner: Runner): Command {
  const program = wireProgram(new Command('ssokit'), runner.io)
    .description('Admin toolkit for an enterprise single sign-on credential store')
    .version(ssokitVersion(), '-V, --version')
    .showHelpAfterError(false);
  addGlobalOptions(program);
  const wanted = firstCommandName(runner.argv);
  const chosen = COMMANDS.filter(([name]) => name === wanted);
  for (const [, declare] of chosen.length ? chosen : COMMANDS) declare(program, runner);
  return program;
}

function firstCommandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

const system = () => import('./commands/system.js');

const declareInit: Declare = (program, runner) => {
  program
    .command('init')
    .description('create a new SSO system on this node (it becomes the master secret server)')
    .option('--cluster-name <name>', 'a cluster network name this node answers to (repeatable)', collect)
    .option('--secret-server <name>', "name recorded as the master secret server (default: this node's name)")
    .option('--domain <name>', "directory domain of this node's OS accounts (the caller alice is then DOMAIN\\alice)")
    .option('--sso-admin <accounts>', 'SSO administrators: OS users or groups, ;-separated (default: you)')
    .option('--affiliate-admin <accounts>', 'SSO affiliate administrators (default: the SSO administrators)')
    .option('--backup <file>', 'where to write the secret backup (default: <home>/backup/SSOxxxx.bak)')
    .option('--no-backup', 'make no backup (every later command will warn until one is made)')
    .option('--reminder <text>', 'password reminder stored in the backup (else SSOKIT_PASSWORD_REMINDER or a prompt)')
    .option('--force', 'replace an existing backup file')
    .action(runner.action(async () => (await system()).initCommand));
};

const declareJoin: Declare = (program, runner) => {
  program
    .command('join')
    .description('point this node at an existing credential store (ssoconfig -setDB)')
    .argument('[store]', 'the store file (or give --db)')
    .option('--cluster-name <name>', 'a cluster network name this node answers to (repeatable)', collect)
    .option('--domain <name>', "directory domain of this node's OS accounts")
    .action(runner.action(async () => (await system()).joinCommand));
};

const declareSetup: Declare = (program, runner) => {
  program
    .command('setup')
    .description('set this node up: the interactive wizard, or --answers FILE without a terminal')
    .option('--answers <file>', 'answers as JSON (see --print-answers)')
    .option('--print-answers', 'print a commented answers template')
    .action(runner.action(async () => (await import('./commands/setup.js')).setupCommand));
};

const declareSecret: Declare = (program, runner) => {
  const secret = program.command('secret').description('the master secret: backup, restore, rotation');
  secret
    .command('backup')
    .description('back up the master secret to a password-protected file (ssoconfig -backupSecret)')
    .argument('<file>', 'backup file to write')
    .option('--reminder <text>', 'password reminder stored in the file (else SSOKIT_PASSWORD_REMINDER or a prompt)')
    .option('--force', 'replace an existing file')
    .action(runner.action(async () => (await import('./commands/secret-backup.js')).secretBackupCommand));
  secret
    .command('restore')
    .description('restore the master secret on this node from a backup (ssoconfig -restoreSecret)')
    .argument('<file>', 'backup file to read')
    .option('--force', 'restore even when the file holds another secret than the store expects')
    .action(runner.action(async () => (await import('./commands/secret-restore.js')).secretRestoreCommand));
  secret
    .command('rotate')
    .description('generate a new master secret and re-wrap every data key (ssoconfig -generateSecret)')
    .option('--backup <file>', "where to write the new secret's backup (required)")
    .option('--reminder <text>', 'password reminder for the new backup')
    .option('--force', 'replace an existing backup file')
    .action(runner.action(async () => (await import('./commands/secret-rotate.js')).secretRotateCommand));
  secret
    .command('reencrypt')
    .description('new data keys and every credential re-encrypted (resumable)')
    .action(runner.action(async () => (await import('./commands/secret-reencrypt.js')).secretReencryptCommand));
  secret
    .command('status')
    .description('where the master secret is and whether this node holds it')
    .action(runner.action(async () => (await import('./commands/secret-status.js')).secretStatusCommand));
  secret
    .command('verify')
    .description('prove a backup opens with its password and matches the store, changing nothing')
    .argument('<file>', 'backup file to check')
    .action(runner.action(async () => (await import('./commands/secret-verify.js')).secretVerifyCommand));
};

const declareCheck: Declare = (program, runner) => {
  program
    .command('check')
    .description('read-only health check of this node and its store (exit status 70 when anything is wrong)')
    .action(runner.action(async () => (await import('./commands/check.js')).checkCommand));
};

/** Every top-level command, in the order help lists them. */
const COMMANDS: [string, Declare][] = [
  ['setup', declareSetup],
  ['init', declareInit],
  ['join', declareJoin],
  ['secret', declareSecret],
  ...MANAGE_COMMANDS,
  ...CLONE_COMMANDS,
  ['check', declareCheck],
];
