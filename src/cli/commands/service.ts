/** `ssokit service run | status`: the SSO service of this node. */

import { defineCommand, type NounTable, option } from '../table/define.js';

const service = () => import('../handlers/service.js');

export const SERVICE: NounTable = {
  noun: 'service',
  summary: "this node's SSO service",
  commands: [
    defineCommand({
      name: 'service run',
      summary: 'run the SSO service in the foreground (for systemd), until SIGTERM',
      args: [],
      options: [
        option(
          'listen',
          'value',
          '--listen <host:port>',
          'where the node channel, /health and /metrics listen (default: node.service.listen, else 127.0.0.1:7461)',
        ),
        option(
          'refreshSeconds',
          'value',
          '--refresh-seconds <n>',
          'seconds between refreshes of the cached master secret (default: node.service.refresh-seconds, else 60)',
        ),
        option(
          'leaseSeconds',
          'value',
          '--lease-seconds <n>',
          'on a master secret server: how long its lease lasts unrenewed before a standby takes over (default 10)',
        ),
      ],
      handler: async () => (await service()).serviceRunCommand,
    }),
    defineCommand({
      name: 'service status',
      summary: "what the node's SSO service reports: its role, the master secret it holds, the master secret server",
      args: [],
      options: [
        option(
          'wait',
          'value',
          '--wait <seconds>',
          'wait up to this long for the service to answer (a service just started)',
        ),
      ],
      handler: async () => (await service()).serviceStatusCommand,
    }),
  ],
};
