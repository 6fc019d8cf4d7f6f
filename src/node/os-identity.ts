/**
 * Who is calling: the OS user running the command and its groups, read from the system
 * (never from a flag or a variable, which the caller could set to anything).
 */

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { runLookup } from './helper-programs.js';

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

/**
 * A caller the kernel named (the SSO service's peer on its socket): the user and groups of
 * those ids, by the system's account database.
 */
export function callerFromIds(uid: number, gids: readonly number[]): Caller {
  const user = userNameOf(uid) ?? String(uid);
  let groups: string[] | undefined;
  return {
    user,
    uid,
    groups() {
      groups ??= groupNamesOf(new Set(gids));
      return groups;
    },
  };
}

function userNameOf(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && Number(id) === uid) return name;
    }
  } catch {
    // No /etc/passwd: ask getent.
  }
  return runLookup('getent', ['passwd', String(uid)])?.split(':')[0] || undefined;
}

function readGroupNames(): string[] {
  const gids = new Set<number>([process.getegid?.() ?? -1, ...(process.getgroups?.() ?? [])]);
  gids.delete(-1);
  return groupNamesOf(gids);
}

function groupNamesOf(gids: Set<number>): string[] {
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
    // A gid with no name cannot match an account name; it is skipped.
    const name = runLookup('getent', ['group', String(gid)])?.split(':')[0];
    if (name) names.set(gid, name);
  }
  return [...names.values()];
}
