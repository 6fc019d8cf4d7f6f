/**
 * Real OS users and groups for role tests. Created with groupadd/useradd when the tests run
 * as root; otherwise the tests that need them are skipped with the reason printed (they fail
 * under CI=true: see requirements.ts).
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type CliOptions, type CliResult, spawnCli } from './cli.js';
import type { InstalledPackage, Tool } from './installed-package.js';

export function whyNoOsUsers(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root, so no test users can be created';
  for (const tool of ['useradd', 'groupadd', 'userdel', 'groupdel', 'runuser']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return null;
}

export interface TestIdentities {
  /** The real names, by the role the test gives them. */
  users: Record<string, string>;
  uids: Record<string, number>;
  groups: Record<string, string>;
  cleanup(): void;
}

/**
 * `groups`: logical group names; `users`: logical user name → logical groups it is in.
 * Names get a random suffix so parallel or leftover runs never collide.
 */
export function createIdentities(groups: string[], users: Record<string, string[]>): TestIdentities {
  const tag = randomBytes(3).toString('hex');
  const groupNames = Object.fromEntries(groups.map((g) => [g, `sk${tag}${g}`]));
  const userNames = Object.fromEntries(Object.keys(users).map((u) => [u, `sk${tag}${u}`]));
  const created: string[][] = [];
  const cleanup = () => {
    for (const [kind, name] of created.reverse()) spawnSync(kind === 'user' ? 'userdel' : 'groupdel', [name!]);
  };
  try {
    for (const name of Object.values(groupNames)) {
      execFileSync('groupadd', [name]);
      created.push(['group', name]);
    }
    for (const [user, memberOf] of Object.entries(users)) {
      const supplementary = memberOf.map((g) => groupNames[g]!).join(',');
      execFileSync('useradd', [
        '-M',
        '-N',
        '-s',
        '/usr/sbin/nologin',
        ...(supplementary ? ['-G', supplementary] : []),
        userNames[user]!,
      ]);
      created.push(['user', userNames[user]!]);
    }
  } catch (error) {
    cleanup();
    throw error;
  }
  const uids = Object.fromEntries(
    Object.entries(userNames).map(([user, name]) => [
      user,
      Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim()),
    ]),
  );
  return { users: userNames, uids, groups: groupNames, cleanup };
}

/**
 * Runs an installed tool as another OS user (runuser), without a terminal. The installed
 * package (installedPackage()), not the checkout's bin/: the checkout may sit in a folder
 * the test users cannot enter (/root, a mktemp -d), the installation is readable by all.
 */
export function runCliAs(
  user: string,
  pkg: InstalledPackage,
  tool: Tool,
  args: string[],
  options: CliOptions = {},
): CliResult {
  return spawnCli('runuser', ['-u', user, '--', process.execPath, pkg.bin(tool), ...args], {
    cwd: '/',
    ...options,
  });
}
