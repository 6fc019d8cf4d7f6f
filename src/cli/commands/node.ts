/** `ssokit node list | approve | revoke`: the nodes of the system and who may have the secret. */

import { arg, defineCommand, type NounTable } from '../table/define.js';

const nodes = () => import('../handlers/node.js');

export const NODE: NounTable = {
  noun: 'node',
  summary: 'the nodes of the system and their approval',
  commands: [
    defineCommand({
      name: 'node list',
      summary: 'every node recorded in the store: its state, service address and key',
      args: [],
      options: [],
      handler: async () => (await nodes()).nodeListCommand,
    }),
    defineCommand({
      name: 'node approve',
      summary: 'let a node be given the master secret by the master secret server',
      args: [arg.required('name', 'the node name')],
      options: [],
      handler: async () => (await nodes()).nodeApproveCommand,
    }),
    defineCommand({
      name: 'node revoke',
      summary: 'stop giving a node the master secret (its cached copy goes at its next refresh)',
      args: [arg.required('name', 'the node name')],
      options: [],
      handler: async () => (await nodes()).nodeRevokeCommand,
    }),
    defineCommand({
      name: 'node remote-lookup',
      original: [{ tool: 'ssoconfig', name: 'remoteLookup', summary: 'allow remote credential lookups' }],
      summary: "whether approved nodes may send credential lookups to this node's service",
      args: [arg.required('allowed', 'yes or no')],
      options: [],
      handler: async () => (await nodes()).remoteLookupCommand,
    }),
  ],
};
