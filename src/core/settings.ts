/**
 * `ssokit get NAME` / `ssokit set NAME=VALUE`: this node's settings by dotted name, in the
 * manner of asadmin get/set (`ssokit set bizsys.shop.sso-failover-enabled=true`). `get`
 * takes patterns: `bizsys.shop.*`, `bizsys.*`, `*`.
 */

import { SsoError } from '../errors.js';
import { validateNodeName, writeNodeConfig, type NodeConfig } from '../node/node-config.js';
import { listBizsys, publicUrlIsFixed, updateBizsys } from './bizsys.js';
import { parseBoolean, parseSeconds, protectedPathProblem, type BusinessSystem } from './bizsys-model.js';
import type { NodeContext } from './context.js';

export interface Setting {
  name: string;
  value: string;
}

interface BizsysSetting {
  read(system: BusinessSystem): string;
  /** Absent for a setting that cannot be written. */
  write?: (value: string) => Parameters<typeof updateBizsys>[2];
}

const BIZSYS_SETTINGS: Record<string, BizsysSetting> = {
  'public-url': { read: (s) => s.publicUrl },
  'protected-paths': {
    read: (s) => s.protectedPaths.join(','),
    write: (v) => {
      const paths = v.split(',').map((p) => p.trim()).filter(Boolean);
      const problem = paths.map(protectedPathProblem).find(Boolean);
      if (problem) throw new SsoError('INVALID_INPUT', problem);
      return { protectedPaths: paths };
    },
  },
  'auth-server-url': { read: (s) => s.authServerUrl, write: (v) => ({ authServerUrl: v }) },
  ssl: { read: (s) => String(s.ssl), write: (v) => ({ ssl: parseBoolean(v, 'ssl') }) },
  'sso-enabled': { read: (s) => String(s.session.ssoEnabled), write: (v) => ({ session: { ssoEnabled: parseBoolean(v, 'sso-enabled') } }) },
  'sso-max-inactive-seconds': {
    read: (s) => String(s.session.maxInactiveSeconds),
    write: (v) => ({ session: { maxInactiveSeconds: parseSeconds(v, 'sso-max-inactive-seconds') } }),
  },
  'sso-reap-interval-seconds': {
    read: (s) => String(s.session.reapIntervalSeconds),
    write: (v) => ({ session: { reapIntervalSeconds: parseSeconds(v, 'sso-reap-interval-seconds') } }),
  },
  'sso-failover-enabled': {
    read: (s) => String(s.session.failoverEnabled),
    write: (v) => ({ session: { failoverEnabled: parseBoolean(v, 'sso-failover-enabled') } }),
  },
};

const NODE_SETTINGS = ['name', 'cluster-names', 'domain', 'store', 'service-account'] as const;

/** Every setting with its current value, in a stable order. */
export async function allSettings(ctx: NodeContext): Promise<Setting[]> {
  const { node } = ctx;
  const settings: Setting[] = [
    { name: 'node.name', value: node.nodeName },
    { name: 'node.cluster-names', value: node.clusterNames.join(',') },
    { name: 'node.domain', value: node.domain ?? '' },
    { name: 'node.store', value: node.store },
    { name: 'node.service-account', value: node.serviceAccount ?? '' },
  ];
  for (const system of await listBizsys(ctx)) {
    for (const [key, setting] of Object.entries(BIZSYS_SETTINGS)) settings.push({ name: `bizsys.${system.name}.${key}`, value: setting.read(system) });
  }
  return settings;
}

/** Settings matching a name or a pattern ending in `*`. */
export async function getSettings(ctx: NodeContext, pattern: string): Promise<Setting[]> {
  const all = await allSettings(ctx);
  const matches = pattern.endsWith('*') ? all.filter((s) => s.name.startsWith(pattern.slice(0, -1))) : all.filter((s) => s.name === pattern);
  if (matches.length === 0) throw unknownName(pattern, all);
  return matches;
}

export async function setSetting(ctx: NodeContext, assignment: string): Promise<Setting> {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new SsoError('USAGE', `ssokit set takes NAME=VALUE, not "${assignment}"`, { hint: 'e.g. ssokit set bizsys.shop.sso-failover-enabled=true' });
  const name = assignment.slice(0, at);
  const value = assignment.slice(at + 1);
  const parts = name.split('.');
  if (parts[0] === 'bizsys' && parts.length === 3) {
    const [, systemName, key] = parts as [string, string, string];
    const setting = BIZSYS_SETTINGS[key];
    const systems = await listBizsys(ctx);
    const system = systems.find((s) => s.name === systemName);
    if (!setting || !system) throw unknownName(name, await allSettings(ctx));
    if (!setting.write) throw publicUrlIsFixed(system.name, system.publicUrl);
    const updated = await updateBizsys(ctx, system.name, setting.write(value));
    return { name, value: setting.read(updated) };
  }
  if (parts[0] === 'node' && parts.length === 2 && (NODE_SETTINGS as readonly string[]).includes(parts[1]!)) {
    const node: NodeConfig = { ...ctx.node };
    switch (parts[1]) {
      case 'cluster-names':
        node.clusterNames = value.split(',').map((n) => n.trim()).filter(Boolean).map((n) => validateNodeName(n, 'cluster name'));
        break;
      case 'domain':
        if (value) node.domain = validateNodeName(value, 'domain');
        else delete node.domain;
        break;
      case 'service-account':
        if (value) node.serviceAccount = value;
        else delete node.serviceAccount;
        break;
      default:
        throw new SsoError('CONFLICT', `${name} cannot be set`, {
          hint: parts[1] === 'store' ? 'point the node at another store with ssokit join --db PATH' : 'a node is renamed by setting it up again',
        });
    }
    await writeNodeConfig(ctx.paths, node);
    ctx.node = node;
    return (await getSettings(ctx, name))[0]!;
  }
  throw unknownName(name, await allSettings(ctx));
}

function unknownName(name: string, all: Setting[]): SsoError {
  const prefix = name.split('.').slice(0, 2).join('.');
  const near = all.filter((s) => s.name.startsWith(prefix)).map((s) => s.name);
  return new SsoError('NOT_FOUND', `there is no setting named "${name}"`, {
    hint: near.length ? `settings under ${prefix}: ${near.join(', ')}` : 'ssokit get "*" lists them all',
  });
}
