/**
 * `ssokit clone …` and `ssocloneaz -p` / `-c`: environment bundles that replicate this
 * business server onto a new one behind the same load balancer. Interstage gives the file
 * as an argument or with `-f FILE` (`ssocloneaz -p -f /tmp/env.bundle`).
 */

import { BUNDLE_FILE, DELETE_BUNDLE, FORCE, INCLUDE_SECRET, KEEP_BUNDLE } from '../table/common-options.js';
import { arg, defineCommand, describe, type NounTable, option } from '../table/define.js';

const clone = () => import('../handlers/clone.js');
const FILE = arg.optional('bundle', 'the bundle', 'file');

export const CLONE: NounTable = {
  noun: 'clone',
  summary: 'environment bundles: replicate this business server (ssocloneaz -p / -c)',
  commands: [
    defineCommand({
      name: 'clone',
      summary: 'environment bundles: replicate this business server (ssocloneaz -p / -c)',
      args: [],
      options: [
        option('p', 'optional-value', '-p [file]', 'export this environment to FILE (ssocloneaz -p)'),
        option('c', 'optional-value', '-c [file]', 'replicate the environment in FILE onto this node (ssocloneaz -c)'),
        describe(BUNDLE_FILE, 'the bundle, with -p or -c (Interstage spelling: -p -f FILE)'),
        describe(
          INCLUDE_SECRET,
          'with -p: include the master secret (to add a node to a clustered master secret server)',
        ),
        describe(FORCE, "with -p: replace an existing file; with -c: replace this node's environment"),
        describe(DELETE_BUNDLE, 'with -c: delete the bundle after a successful import'),
        describe(KEEP_BUNDLE, 'with -c: keep the bundle'),
      ],
      uses: ['passwordFile', 'nodeName'],
      handler: async () => (await clone()).cloneAliasCommand,
    }),
    defineCommand({
      name: 'clone export',
      original: [
        {
          tool: 'ssocloneaz',
          name: 'p',
          summary: "write this business server's environment to an encrypted file (on the source; also -p -f FILE)",
        },
      ],
      summary: "write this business server's environment to an encrypted bundle",
      args: [FILE],
      options: [BUNDLE_FILE, INCLUDE_SECRET, FORCE],
      uses: ['passwordFile'],
      handler: async () => (await clone()).cloneExportCommand,
    }),
    defineCommand({
      name: 'clone import',
      original: [
        {
          tool: 'ssocloneaz',
          name: 'c',
          summary:
            'replicate the environment in the file onto this freshly installed server (on the destination; also -c -f FILE)',
        },
      ],
      summary: 'replicate the environment in a bundle onto this freshly installed node',
      args: [FILE],
      options: [
        BUNDLE_FILE,
        describe(
          FORCE,
          "replace this node's environment (never waives a platform, version, edition or folder mismatch)",
        ),
        DELETE_BUNDLE,
        KEEP_BUNDLE,
      ],
      uses: ['passwordFile', 'nodeName'],
      handler: async () => (await clone()).cloneImportCommand,
    }),
    defineCommand({
      name: 'clone inspect',
      summary: "show a bundle's header, without its password",
      args: [FILE],
      options: [BUNDLE_FILE],
      handler: async () => (await clone()).cloneInspectCommand,
    }),
  ],
};
