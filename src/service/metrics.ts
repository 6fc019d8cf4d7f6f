/**
 * The service's Prometheus metrics (prom-client), served at /metrics on its channel port:
 * lookups, refreshes, refusals and the age of the cached master secret.
 */

import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;

export interface ServiceMetrics {
  registry: PromClient.Registry;
  requests: PromClient.Counter<'op' | 'result'>;
  lookups: PromClient.Counter<'result'>;
  refreshes: PromClient.Counter<'result'>;
  refusals: PromClient.Counter<'reason'>;
  secretFetchesServed: PromClient.Counter<'result'>;
  cacheAge: PromClient.Gauge;
  connections: PromClient.Gauge;
}

/** `cacheAgeSeconds` is read when Prometheus scrapes (NaN when no copy is held). */
export function serviceMetrics(cacheAgeSeconds: () => number, connections: () => number): ServiceMetrics {
  const registry = new prom.Registry();
  const metric = { registers: [registry] };
  return {
    registry,
    requests: new prom.Counter({
      name: 'ssokit_requests_total',
      help: 'Requests to the local API, by operation and result',
      labelNames: ['op', 'result'],
      ...metric,
    }),
    lookups: new prom.Counter({
      name: 'ssokit_lookups_total',
      help: 'Credential lookups, by result',
      labelNames: ['result'],
      ...metric,
    }),
    refreshes: new prom.Counter({
      name: 'ssokit_secret_refreshes_total',
      help: 'Refreshes of the cached master secret from the master secret server, by result',
      labelNames: ['result'],
      ...metric,
    }),
    refusals: new prom.Counter({
      name: 'ssokit_refusals_total',
      help: 'Requests refused, by reason',
      labelNames: ['reason'],
      ...metric,
    }),
    secretFetchesServed: new prom.Counter({
      name: 'ssokit_secret_fetches_served_total',
      help: 'Master secret fetches this node answered as master secret server, by result',
      labelNames: ['result'],
      ...metric,
    }),
    cacheAge: new prom.Gauge({
      name: 'ssokit_secret_cache_age_seconds',
      help: 'Seconds since the cached master secret was last confirmed by the master secret server',
      collect() {
        this.set(cacheAgeSeconds());
      },
      ...metric,
    }),
    connections: new prom.Gauge({
      name: 'ssokit_local_connections',
      help: 'Open connections to the local API',
      collect() {
        this.set(connections());
      },
      ...metric,
    }),
  };
}
