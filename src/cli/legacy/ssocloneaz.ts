/**
 * `ssocloneaz`: Interstage's business server replication — `-p` on the source, `-c` on the
 * destination, the file as an argument or with `-f FILE` (`ssocloneaz -p -f /tmp/env.bundle`).
 * Interstage wants an absolute path after -f; a relative one is taken from the current folder.
 */

import type { Command } from '../commander.js';
import type { LegacyTool } from './legacy-program.js';

const clone = () => import('../commands/clone.js');
const file = (c: Command) => c.option('-f, --file <file>', 'the environment file');

export const SSOCLONEAZ: LegacyTool = {
  name: 'ssocloneaz',
  heading: 'Business server replication',
  commands: [
    {
      name: 'p',
      args: ['[file]'],
      summary: "write this business server's environment to an encrypted file (on the source; also -p -f FILE)",
      options: (c) =>
        file(c).option('--include-secret', 'include the master secret').option('--force', 'replace an existing file'),
      load: async () => (await clone()).cloneExportCommand,
    },
    {
      name: 'c',
      args: ['[file]'],
      summary:
        'replicate the environment in the file onto this freshly installed server (on the destination; also -c -f FILE)',
      options: (c) =>
        file(c)
          .option('--force', "replace this node's environment")
          .option('--delete-bundle', 'delete the file after a successful import')
          .option('--keep-bundle', 'keep the file'),
      load: async () => (await clone()).cloneImportCommand,
    },
  ],
};
