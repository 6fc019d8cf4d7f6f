/**
 * `ssokit get NAME` / `ssokit set NAME=VALUE…`: this node's settings by dotted name, in the
 * manner of asadmin get/set (`ssokit set bizsys.shop.sso-failover-enabled=true`).
 *
 * - `get` takes a name, a prefix (`bizsys.shop`) or a pattern where `*` is any run of
 *   characters (`bizsys.*.sso-enabled`, `*`).
 * - `set` checks every assignment before it writes any, so a bad value changes nothing.
 * - An unknown name is an error that suggests the nearest names.
 */

import { SsoError } from '../../errors.js';
import { currentInstallFacts } from '../../node/install-facts.js';
import { type NodeConfig, validateNodeName, writeNodeConfig } from '../../node/node-config.js';
import { type Advice, command, option, remedy } from '../../remedy.js';
import type { NodeContext } from '../shared/index.js';
import { identityProblem } from '../shared/index.js';
import { listBizsys, readBizsys, saveBizsys } from './bizsys.js';
import {
  applyBizsysChange,
  type BizsysChange,
  type BusinessSystem,
  bizsysNameProblem,
  bizsysProblems,
  parseBoolean,
  parseSeconds,
  protectedPathProblem,
  publicUrlIsFixed,
  samePublicUrl,
} from './bizsys-model.js';

export interface Setting {
  name: string;
  value: string;
}

interface BizsysSetting {
  read(system: BusinessSystem): string;
  /** Absent for the public URL, which is never edited. */
  write?: (value: string) => BizsysChange;
}

const list = (value: string) =>
  value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

const BIZSYS_SETTINGS: Record<string, BizsysSetting> = {
  'public-url': { read: (s) => s.publicUrl },
  'protected-paths': {
    read: (s) => s.protectedPaths.join(','),
    write: (v) => {
      const problem = list(v).map(protectedPathProblem).find(Boolean);
      if (problem) throw new SsoError('INVALID_INPUT', problem);
      return { protectedPaths: list(v) };
    },
  },
  'auth-server-url': { read: (s) => s.authServerUrl, write: (v) => ({ authServerUrl: v }) },
  ssl: { read: (s) => String(s.ssl), write: (v) => ({ ssl: parseBoolean(v, 'ssl') }) },
  'sso-enabled': {
    read: (s) => String(s.session.ssoEnabled),
    write: (v) => ({ session: { ssoEnabled: parseBoolean(v, 'sso-enabled') } }),
  },
  'sso-max-inactive-seconds': {
    read: (s) => String(s.session.maxInactiveSeconds),
    write: (v) => ({ session: { maxInactiveSeconds: parseSeconds(v, 'sso-max-inactive-seconds') } }),
  },
  'sso-reap-interval-seconds': {
    read: (s) => String(s.session.reapIntervalSeconds),
    write: (v) => ({ session: { reapIntervalSeconds: parseSeconds(v, 'sso-reap-interval-seconds') } }),
  },
  'session-timeout-seconds': {
    read: (s) => String(s.session.sessionTimeoutSeconds),
    write: (v) => ({ session: { sessionTimeoutSeconds: parseSeconds(v, 'session-timeout-seconds') } }),
  },
  'sso-failover-enabled': {
    read: (s) => String(s.session.failoverEnabled),
    write: (v) => ({ session: { failoverEnabled: parseBoolean(v, 'sso-failover-enabled') } }),
  },
};

interface NodeSetting {
  read(node: NodeConfig): string;
  write?: (node: NodeConfig, value: string) => NodeConfig;
  /** Why a read-only setting cannot be written, and what to do instead. */
  fixed?: Advice;
}

/** Optional text settings: empty removes them. */
function optional(
  key: 'domain' | 'serviceAccount' | 'serviceListen' | 'refreshSeconds',
  check: (value: string) => void,
): (node: NodeConfig, value: string) => NodeConfig {
  return (node, value) => {
    const { [key]: _old, ...rest } = node;
    if (value === '') return rest;
    check(value);
    return { ...rest, [key]: value };
  };
}

const INSTALL_FIXED =
  'install facts are what an environment bundle is compared against; they change only with the installation';

const NODE_SETTINGS: Record<string, NodeSetting> = {
  name: {
    read: (n) => n.nodeName,
    fixed: remedy`a node is named when it is set up (${option('node-name')} with ${command('init')}, ${command('join')} or ${command('clone import')})`,
  },
  'cluster-names': {
    read: (n) => n.clusterNames.join(','),
    write: (n, v) => ({
      ...n,
      clusterNames: [...new Set(list(v).map((name) => validateNodeName(name, 'cluster name')))],
    }),
  },
  domain: { read: (n) => n.domain ?? '', write: optional('domain', (v) => validateNodeName(v, 'domain')) },
  store: {
    read: (n) => n.store,
    fixed: remedy`point the node at another store with ${command('join', option('db', 'PATH'))}`,
  },
  'service-account': {
    read: (n) => n.serviceAccount ?? '',
    write: optional('serviceAccount', (v) => {
      const problem = identityProblem(v);
      if (problem) throw new SsoError('INVALID_INPUT', `node.service-account: ${problem}`);
    }),
  },
  'service.listen': {
    read: (n) => n.serviceListen ?? '',
    write: optional('serviceListen', (v) => {
      if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/.test(v) || Number(v.split(':').pop()) > 65535) {
        throw new SsoError('INVALID_INPUT', `node.service.listen is host:port, not "${v}"`);
      }
    }),
  },
  'service.refresh-seconds': {
    read: (n) => n.refreshSeconds ?? '60',
    write: optional('refreshSeconds', (v) => {
      if (!/^[0-9]{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 3600) {
        throw new SsoError(
          'INVALID_INPUT',
          `node.service.refresh-seconds is a whole number of seconds from 1 to 3600, not "${v}"`,
        );
      }
    }),
  },
  'install.platform': {
    read: () => `${currentInstallFacts().platform}/${currentInstallFacts().arch}`,
    fixed: INSTALL_FIXED,
  },
  'install.version': { read: () => currentInstallFacts().version, fixed: INSTALL_FIXED },
  'install.edition': { read: () => currentInstallFacts().edition, fixed: INSTALL_FIXED },
  'install.dir': { read: () => currentInstallFacts().installDir, fixed: INSTALL_FIXED },
};

/** Every setting with its current value, in a stable order. */
export async function allSettings(ctx: NodeContext): Promise<Setting[]> {
  const settings = Object.entries(NODE_SETTINGS).map(([key, s]) => ({ name: `node.${key}`, value: s.read(ctx.node) }));
  for (const system of await listBizsys(ctx)) {
    for (const [key, setting] of Object.entries(BIZSYS_SETTINGS))
      settings.push({ name: `bizsys.${system.name}.${key}`, value: setting.read(system) });
  }
  return settings;
}

/** Settings matching a name, a prefix of names (`bizsys.shop`), or a pattern with `*`. */
export async function getSettings(ctx: NodeContext, pattern: string): Promise<Setting[]> {
  const all = await allSettings(ctx);
  let matches: Setting[];
  if (pattern.includes('*')) {
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    matches = all.filter((s) => regex.test(s.name));
  } else {
    matches = all.filter((s) => s.name === pattern);
    if (matches.length === 0) matches = all.filter((s) => s.name.startsWith(`${pattern}.`));
  }
  if (matches.length === 0) throw unknownName(pattern, all);
  return matches;
}

/** One `ssokit set NAME=VALUE`. */
export async function setSetting(ctx: NodeContext, assignment: string): Promise<Setting> {
  return (await setSettings(ctx, [assignment]))[0]!;
}

/**
 * Applies every assignment, or none: each is parsed and checked, and every changed business
 * system validated, before the first file is written.
 */
export async function setSettings(ctx: NodeContext, assignments: string[]): Promise<Setting[]> {
  const parsed = assignments.map(parseAssignment);
  const systems = new Map<string, BusinessSystem>();
  let node = ctx.node;
  let nodeChanged = false;
  for (const { name, value } of parsed) {
    const parts = name.split('.');
    if (parts[0] === 'bizsys' && parts.length === 3) {
      const [, systemName, key] = parts as [string, string, string];
      const setting = BIZSYS_SETTINGS[key];
      const system =
        systems.get(systemName) ?? (bizsysNameProblem(systemName) ? null : await readBizsys(ctx, systemName));
      if (!setting || !system) throw unknownName(name, await allSettings(ctx));
      if (!setting.write) {
        if (samePublicUrl(value, system.publicUrl)) continue; // setting it to what it is changes nothing
        throw publicUrlIsFixed(system.name, system.publicUrl);
      }
      systems.set(systemName, applyBizsysChange(system, setting.write(value)));
    } else if (parts[0] === 'node' && NODE_SETTINGS[parts.slice(1).join('.')]) {
      const setting = NODE_SETTINGS[parts.slice(1).join('.')]!;
      if (!setting.write) throw new SsoError('CONFLICT', `${name} cannot be set`, { hint: setting.fixed });
      node = setting.write(node, value);
      nodeChanged = true;
    } else {
      throw unknownName(name, await allSettings(ctx));
    }
  }
  const problems = [...systems.values()].flatMap((s) => bizsysProblems(s).map((p) => `bizsys.${s.name}: ${p}`));
  if (problems.length)
    throw new SsoError('INVALID_INPUT', 'nothing was set: the new values are not valid', { details: problems });
  for (const system of systems.values()) await saveBizsys(ctx, system);
  if (nodeChanged) {
    await writeNodeConfig(ctx.paths, node);
    ctx.node = node;
  }
  const now = await allSettings(ctx);
  return parsed.map(({ name }) => now.find((s) => s.name === name)!);
}

function parseAssignment(assignment: string): Setting {
  const at = assignment.indexOf('=');
  if (at <= 0) {
    throw new SsoError('USAGE', `ssokit set takes NAME=VALUE, not "${assignment.replace(/[^\x20-\x7e]/g, '?')}"`, {
      hint: remedy`e.g. ${command('set', 'bizsys.shop.sso-failover-enabled=true')}`,
    });
  }
  return { name: assignment.slice(0, at), value: assignment.slice(at + 1) };
}

/** NOT_FOUND, suggesting the nearest names (a typo) or the names under the same prefix. */
function unknownName(name: string, all: Setting[]): SsoError {
  const names = all.map((s) => s.name);
  const near = names
    .map((n) => ({ n, d: editDistance(name, n) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 5)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 5)
    .map(({ n }) => n);
  const prefix = name.split('.').slice(0, 2).join('.');
  const under = names.filter((n) => n.startsWith(`${prefix}.`));
  const shown = name.replace(/[^\x20-\x7e]/g, '?');
  return new SsoError('NOT_FOUND', `there is no setting named "${shown}"`, {
    hint: near.length
      ? `did you mean ${near.join(', ')}?`
      : under.length
        ? `settings under ${prefix}: ${under.join(', ')}`
        : remedy`${command('get', '"*"')} lists them all`,
  });
}

/** Levenshtein distance; names are short, so the plain two-row version is enough. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
