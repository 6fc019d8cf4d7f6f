/**
 * Options more than one command takes, each defined once. Where a command gives an option
 * a narrower meaning it keeps the definition and changes only the help (`describe`).
 */

import { option } from './define.js';

export const DRY_RUN = option('dryRun', 'switch', '--dry-run', 'show what would change; change nothing');

export const FORCE = option('force', 'switch', '--force', 'replace an existing file');

export const REMINDER = option(
  'reminder',
  'value',
  '--reminder <text>',
  'password reminder stored in the backup (else SSOKIT_PASSWORD_REMINDER or a prompt)',
);

export const CLUSTER_NAME = option(
  'clusterName',
  'list',
  '--cluster-name <name>',
  'a cluster network name this node answers to (repeatable)',
);

export const DOMAIN = option('domain', 'value', '--domain <name>', "directory domain of this node's OS accounts");

export const EXTERNAL_USER = option(
  'externalUser',
  'value',
  '--external-user <id>',
  'external user id, when the mapping does not exist yet',
);

export const FIELD = option(
  'field',
  'list',
  '--field <label=value>',
  'a value for a field that is not masked (repeatable)',
);

export const FIELDS_FILE = option(
  'fieldsFile',
  'value',
  '--fields-file <file>',
  'JSON object of field label to value ("-" for stdin; else SSOKIT_FIELDS_FILE)',
);

/** Interstage's spelling of the bundle file: `ssocloneaz -p -f FILE`. */
export const BUNDLE_FILE = option('file', 'value', '-f, --file <file>', 'the bundle (Interstage spelling: -p -f FILE)');

export const INCLUDE_SECRET = option(
  'includeSecret',
  'switch',
  '--include-secret',
  'include the master secret (to add a node to a clustered master secret server)',
);

export const DELETE_BUNDLE = option(
  'deleteBundle',
  'switch',
  '--delete-bundle',
  'delete the bundle after a successful import',
);
export const KEEP_BUNDLE = option('keepBundle', 'switch', '--keep-bundle', 'keep the bundle');

/** The options every command of every tool takes, before or after the command. */
export const GLOBAL_OPTIONS = {
  home: option('home', 'value', '--home <dir>', 'node home folder (default: SSOKIT_HOME, else ~/.ssokit)'),
  db: option(
    'db',
    'value',
    '--db <location>',
    'credential store: a file, or postgres://USER@HOST:PORT/DATABASE (default: SSOKIT_DB, else the one in node.json)',
  ),
  dbPasswordFile: option(
    'dbPasswordFile',
    'value',
    '--db-password-file <file>',
    "the PostgreSQL store's password, from FILE (else PGPASSWORD, ~/.pgpass or PGPASSFILE)",
  ),
  nodeName: option(
    'nodeName',
    'value',
    '--node-name <name>',
    "this node's name when it is set up (default: SSOKIT_NODE_NAME, else the host name)",
  ),
  passwordFile: option(
    'passwordFile',
    'value',
    '--password-file <file>',
    'read a password from FILE ("-" for stdin); else SSOKIT_PASSWORD_FILE, SSOKIT_PASSWORD, or a prompt',
  ),
  json: option('json', 'switch', '--json', 'print results as JSON'),
  color: option('color', 'toggle', '--no-color', 'no colour (also NO_COLOR)'),
  yes: option('yes', 'switch', '-y, --yes', 'answer yes to confirmations'),
  debug: option('debug', 'switch', '--debug', 'print stack traces with errors'),
  service: option(
    'service',
    'value',
    '--service <socket>',
    "run the command through the SSO service at SOCKET (default: SSOKIT_SERVICE, else the home's service.sock while its service runs)",
  ),
} as const;

export type GlobalKey = keyof typeof GLOBAL_OPTIONS;

/** The global options every command uses; the others only commands that declare them. */
export const ALWAYS_GLOBAL: readonly GlobalKey[] = [
  'home',
  'db',
  'dbPasswordFile',
  'json',
  'color',
  'debug',
  'service',
];
