/**
 * Who is calling: the OS user running the command and its groups, read from the system
 * (never from a flag or a variable, which the caller could set to anything).
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';

export interface Caller {
  user: string;
  uid: number;
  /** Group names, loaded on first use (only role checks need them). */
  groups(): string[];
}

export function currentCaller(): Caller {
  const info = userInfo();
  let groups: string[] | undefined;
  return {
    user: info.username,
    uid: info.uid,
    groups() {
      groups ??= readGroupNames();
      return groups;
    },
  };
}

function readGroupNames(): string[] {
  const gids = new Set<number>([process.getegid?.() ?? -1, ...(process.getgroups?.() ?? [])]);
  gids.delete(-1);
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , gid] = line.split(':');
      if (name && gid !== undefined && gids.has(Number(gid))) names.set(Number(gid), name);
    }
  } catch {
    // No /etc/group: fall through to getent for every gid.
  }
  for (const gid of gids) {
    if (names.has(gid)) continue;
    try {
      // child_process is loaded only here: most commands never need group names.
      const { execFileSync } = createRequire(import.meta.url)(
        'node:child_process',
      ) as typeof import('node:child_process');
      const entry = execFileSync('getent', ['group', String(gid)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const name = entry.split(':')[0];
      if (name) names.set(gid, name);
    } catch {
      // A gid with no name cannot match an account name; skip it.
    }
  }
  return [...names.values()];
}
