/**
 * The service's structured log: one JSON line an event on stdout (systemd's journal keeps
 * it), written by pino. Events have a stable `event` name operators can alert on; no line
 * ever holds a secret, a credential value or a request body.
 */

import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';

const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;

export type ServiceLog = Logger;

/** The events an operator may watch for, by name. */
export const EVENTS = {
  started: 'service started',
  stopping: 'service stopping',
  stopped: 'service stopped',
  secretServerUnavailable: 'master secret server unavailable',
  secretServerAvailable: 'master secret server available again',
  secretFetched: 'master secret fetched',
  secretReleased: 'master secret released',
  request: 'request',
  requestRefused: 'request refused',
  channelRefused: 'node channel request refused',
  staleSocketRemoved: 'stale socket removed',
  becameActive: 'master secret server active',
  becameStandby: 'master secret server standby',
} as const;

export function serviceLog(destination?: DestinationStream): ServiceLog {
  return pino(
    {
      base: { service: 'ssokit' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
