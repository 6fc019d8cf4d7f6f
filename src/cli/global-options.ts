import { type Command, Option } from './commander.js';
import type { CliIo } from './io.js';

/** The options every ssokit tool accepts, modern or original syntax. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--home <dir>', 'node home folder (default: SSOKIT_HOME, else ~/.ssokit)')
    .option('--db <path>', 'credential store file (default: SSOKIT_DB, else the one in node.json)')
    .option('--node-name <name>', "this node's name when it is set up (default: SSOKIT_NODE_NAME, else the host name)")
    .option(
      '--password-file <file>',
      'read a password from FILE ("-" for stdin); else SSOKIT_PASSWORD_FILE, SSOKIT_PASSWORD, or a prompt',
    )
    .option('--json', 'print results as JSON')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-y, --yes', 'answer yes to confirmations')
    .addOption(new Option('--debug', 'print stack traces with errors'));
}

/** Commander writes through our streams, and never exits by itself. */
export function wireProgram(program: Command, io: CliIo): Command {
  return program.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    outputError: () => undefined, // rendered by the runner in our own style
  });
}
