/**
 * Whether OS users and groups exist, and a user's groups: the setup wizard checks the
 * accounts it is given against the system (the local files first, then getent for
 * directory accounts).
 */

import { readFileSync } from 'node:fs';
import { runLookup } from './helper-programs.js';

function localEntries(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

function getent(database: 'passwd' | 'group', name: string): string[] | null {
  return runLookup('getent', [database, name])?.trim().split(':') ?? null;
}

export function userExists(name: string): boolean {
  return localEntries('/etc/passwd').some((e) => e[0] === name) || getent('passwd', name) !== null;
}

export function groupExists(name: string): boolean {
  return localEntries('/etc/group').some((e) => e[0] === name) || getent('group', name) !== null;
}

/** The groups an OS user belongs to (primary and supplementary). */
export function groupsOfUser(name: string): string[] {
  return (runLookup('id', ['-Gn', name]) ?? '').trim().split(/\s+/).filter(Boolean);
}
