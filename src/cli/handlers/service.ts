/** `ssokit service run | status`. */

import { SsoError } from '../../errors.js';
import { SsoClient } from '../../service/client.js';
import type { ServiceStatus } from '../../service/operations.js';
import { DEFAULT_LISTEN, DEFAULT_REFRESH_SECONDS, startService } from '../../service/service.js';
import { styled } from '../output.js';
import type { Session } from '../session.js';

export async function serviceRunCommand(
  session: Session,
  options: { listen: string | undefined; refreshSeconds: string | undefined; leaseSeconds: string | undefined },
): Promise<void> {
  const node = await session.node();
  const refreshText = options.refreshSeconds ?? node.node.refreshSeconds;
  const refreshSeconds = refreshText === undefined ? DEFAULT_REFRESH_SECONDS : Number(refreshText);
  if (!Number.isSafeInteger(refreshSeconds) || refreshSeconds < 1 || refreshSeconds > 3600) {
    throw new SsoError('USAGE', '--refresh-seconds takes a whole number of seconds from 1 to 3600');
  }
  const leaseSeconds = options.leaseSeconds === undefined ? undefined : Number(options.leaseSeconds);
  if (leaseSeconds !== undefined && (!Number.isFinite(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > 600)) {
    throw new SsoError('USAGE', '--lease-seconds takes a number of seconds from 1 to 600');
  }
  const listen = options.listen ?? node.node.serviceListen ?? DEFAULT_LISTEN;
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/.test(listen) || Number(listen.split(':').pop()) > 65535) {
    throw new SsoError('USAGE', `--listen takes host:port (127.0.0.1:7461, [::1]:7461), not "${listen}"`);
  }
  const stopRequested = new Promise<string>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
  const running = await startService({
    home: session.home,
    listen,
    refreshSeconds,
    leaseSeconds,
    storeOverride: session.storeLocation,
  });
  const { state } = running;
  session.out.note(
    `the SSO service of ${state.node.node.nodeName} is running: socket ${state.socket}, node channel ${state.listen}`,
  );
  await stopRequested;
  await running.stop();
}

export async function serviceStatusCommand(session: Session, options: { wait: string | undefined }): Promise<void> {
  const socket = session.globals.service ?? (session.io.env.SSOKIT_SERVICE || session.paths.serviceSocket);
  const waitSeconds = options.wait === undefined ? 0 : Number(options.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 3600) {
    throw new SsoError('USAGE', '--wait takes a number of seconds from 0 to 3600');
  }
  const status = await statusWithin(socket, waitSeconds * 1000);
  const { out } = session;
  if (out.json) return out.printJson(status);
  const { secret } = status;
  const mss = status.role === 'master secret server';
  out.fields([
    ['node', status.node],
    ['role', status.role],
    ['master secret server', `${status.secretServer}${mss ? ' (this node)' : ''}`],
    ['socket', status.socket],
    ['node channel', status.listen],
    ['started', status.startedAt],
    [
      'master secret',
      mss
        ? "from this node's secret files"
        : secret.holds
          ? `${secret.id} generation ${secret.generation}, cached, confirmed ${secret.confirmedAt} (${secret.ageSeconds} s ago)`
          : [styled('red', 'no copy held'), `: ${secret.releasedBecause ?? ''}`],
    ],
    [
      'master secret server state',
      mss
        ? '-'
        : secret.unreachableSince
          ? [
              styled('red', `master secret server unreachable since ${secret.unreachableSince}`),
              secret.holds ? ': decrypting from the cached copy, encrypting nothing new' : '',
            ]
          : 'reachable',
    ],
    [
      'last refresh',
      secret.lastRefresh
        ? `${secret.lastRefresh.at}: ${secret.lastRefresh.result}${secret.lastRefresh.problem ? ` (${secret.lastRefresh.problem})` : ''}`
        : '-',
    ],
    ['refresh interval', `${status.refreshSeconds} s`],
    [
      'lease',
      status.lease
        ? `${status.lease.state}; held by ${status.lease.holder ?? '-'} (term ${status.lease.term ?? '-'}) until ${status.lease.expiresAt ?? '-'}`
        : '-',
    ],
  ]);
}

/** The service's status; while it does not answer yet, asked again until `waitMs` have passed. */
async function statusWithin(socket: string, waitMs: number): Promise<ServiceStatus> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const client = new SsoClient({ socket, timeoutMs: 5000 });
    try {
      return await client.status();
    } catch (error) {
      if (!(error instanceof SsoError && error.code === 'NO_SSO_SERVICE') || Date.now() >= deadline) throw error;
    } finally {
      client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
