/**
 * `ssokit bizsys …`, `ssokit get`, `ssokit set`, `ssokit clone …`: business systems and
 * environment bundles (the ssocloneaz work). Declarations only.
 */

import type { Command } from './commander.js';
import { collect, type Declare } from './declare.js';
import type { Runner } from './runner.js';

const bizsys = () => import('./commands/bizsys.js');
const clone = () => import('./commands/clone.js');

const bizsysOptions = (c: Command) =>
  c
    .option('--path <path>', 'a protected path (repeatable; replaces the list on update)', collect)
    .option('--auth-server <url>', 'the authentication server URL')
    .option('--ssl', 'SSL on')
    .option('--no-ssl', 'SSL off')
    .option(
      '--file <role=path>',
      'a file it references, copied in: certificate, key, web-config or message (repeatable; on update, replaces a file of the same name)',
      collect,
    )
    .option('--sso-enabled <bool>', 'single sign-on on or off (default true)')
    .option('--sso-max-inactive-seconds <n>', 'idle time before an SSO session may be purged (default 300)')
    .option('--sso-reap-interval-seconds <n>', 'how often expired sessions are purged (default 60)')
    .option('--sso-failover-enabled <bool>', 'SSO session state failover (default false)');

const declareBizsys: Declare = (program, runner) => {
  const cmd = program.command('bizsys').description('business systems protected by SSO on this node');
  bizsysOptions(
    cmd
      .command('add')
      .description('add a business system')
      .argument('<name>')
      .option('--public-url <url>', 'its public URL: scheme, FQDN and port (fixed once added)'),
  ).action(runner.action(async () => (await bizsys()).bizsysAddCommand));
  cmd
    .command('list')
    .description('list the business systems')
    .action(runner.action(async () => (await bizsys()).bizsysListCommand));
  cmd
    .command('show')
    .description('show a business system')
    .argument('<name>')
    .action(runner.action(async () => (await bizsys()).bizsysShowCommand));
  bizsysOptions(
    cmd
      .command('update')
      .description('change a business system (not its public URL)')
      .argument('<name>')
      .option('--public-url <url>', 'refused: a public URL is changed by removing and adding the system')
      .option('--add-path <path>', 'add a protected path (repeatable)', collect)
      .option('--remove-path <path>', 'remove a protected path (repeatable)', collect)
      .option('--remove-file <name>', 'remove a referenced file (repeatable)', collect),
  ).action(runner.action(async () => (await bizsys()).bizsysUpdateCommand));
  cmd
    .command('remove')
    .description('remove a business system and its files')
    .argument('<name>')
    .action(runner.action(async () => (await bizsys()).bizsysRemoveCommand));
};

const declareGet: Declare = (program, runner) => {
  program
    .command('get')
    .description(
      'read settings by dotted name, prefix or pattern: bizsys.shop.sso-enabled, bizsys.shop, "bizsys.*.ssl", "*"',
    )
    .argument('<name>')
    .action(runner.action(async () => (await import('./commands/settings.js')).getCommand));
};

const declareSet: Declare = (program, runner) => {
  program
    .command('set')
    .description('write settings, all or none: ssokit set bizsys.shop.sso-failover-enabled=true')
    .argument('<name=value...>')
    .action(runner.action(async () => (await import('./commands/settings.js')).setCommand));
};

const cloneFileOptions = (c: Command) => c.option('-f, --file <file>', 'the bundle (Interstage spelling)');

type CloneAction = 'cloneExportCommand' | 'cloneImportCommand' | 'cloneInspectCommand';

/**
 * A clone subcommand's action. Options the subcommands share with `clone -p/-c` (--force,
 * -f…) are parsed by `clone` wherever they stand, so the subcommand's own are merged with
 * them; each subcommand still declares its options for its --help.
 */
const cloneAction = (runner: Runner, cmd: Command, name: CloneAction) =>
  runner.action(async () => {
    const run = (await clone())[name];
    return (session, file: string | undefined, options: object) => run(session, file, { ...cmd.opts(), ...options });
  });

const declareClone: Declare = (program, runner) => {
  const cmd = program
    .command('clone')
    .description('environment bundles: replicate this business server (ssocloneaz -p / -c)')
    .option('-p [file]', 'export this environment to FILE (ssocloneaz -p)')
    .option('-c [file]', 'replicate the environment in FILE onto this node (ssocloneaz -c)')
    .option('-f, --file <file>', 'the bundle, with -p or -c (Interstage spelling: -p -f FILE)')
    .option(
      '--include-secret',
      'with -p: include the master secret (to add a node to a clustered master secret server)',
    )
    .option('--force', "with -p: replace an existing file; with -c: replace this node's environment")
    .option('--delete-bundle', 'with -c: delete the bundle after a successful import')
    .option('--keep-bundle', 'with -c: keep the bundle')
    .action(runner.action(async () => (await clone()).cloneAliasCommand));
  cloneFileOptions(
    cmd
      .command('export')
      .description("write this business server's environment to an encrypted bundle")
      .argument('[file]')
      .option('--include-secret', 'include the master secret (to add a node to a clustered master secret server)')
      .option('--force', 'replace an existing file'),
  ).action(cloneAction(runner, cmd, 'cloneExportCommand'));
  cloneFileOptions(
    cmd
      .command('import')
      .description('replicate the environment in a bundle onto this freshly installed node')
      .argument('[file]')
      .option(
        '--force',
        "replace this node's environment (never waives a platform, version, edition or folder mismatch)",
      )
      .option('--delete-bundle', 'delete the bundle after a successful import')
      .option('--keep-bundle', 'keep the bundle'),
  ).action(cloneAction(runner, cmd, 'cloneImportCommand'));
  cloneFileOptions(
    cmd.command('inspect').description("show a bundle's header, without its password").argument('[file]'),
  ).action(cloneAction(runner, cmd, 'cloneInspectCommand'));
};

export const CLONE_COMMANDS: [string, Declare][] = [
  ['bizsys', declareBizsys],
  ['get', declareGet],
  ['set', declareSet],
  ['clone', declareClone],
];
