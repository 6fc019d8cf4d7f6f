/**
 * `ssokit check`, the files: the home and secret folder 0700, node.json, the store and
 * every secret file 0600 (and owned by whoever runs the check), and leftovers of commands
 * that were killed part-way (temporary files, import staging folders, what an interrupted
 * bizsys add, update or remove left).
 */

import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listBizsysLeftovers } from '../../node/bizsys-files.js';
import type { HomePaths } from '../../node/home.js';
import { isTempName } from '../../node/private-files.js';
import { isReadyStaging, isStagingName } from '../clone/index.js';
import type { Findings } from './report.js';

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

function expectMode(findings: Findings, path: string, wanted: number, what: string, allowSearch = false): void {
  const mode = modeOf(path);
  if (mode === null) return;
  if ((mode & (allowSearch ? 0o066 : 0o077)) !== 0) {
    findings.problem(
      'files',
      `${what} ${path} has mode ${octal(mode)}: group or others can reach it (chmod ${octal(wanted)} ${path})`,
    );
  }
}

/**
 * The home and its secret folder belong to one OS user — the node's service account when
 * node.json names one, else whoever runs the check — and secret/ is a real folder: files
 * another user could swap, or a link that points elsewhere, would let them in.
 */
function expectOwnedFolder(findings: Findings, path: string, owner: number | null, what: string): void {
  let found: ReturnType<typeof lstatSync>;
  try {
    found = lstatSync(path);
  } catch {
    return;
  }
  if (found.isSymbolicLink()) {
    findings.problem('files', `${what} ${path} is a symbolic link: secrets would be written wherever it points`);
    return;
  }
  if (owner !== null && found.uid !== owner) {
    findings.problem('files', `${what} ${path} belongs to uid ${found.uid}, not to the node's OS user (uid ${owner})`);
  }
}

export function checkFiles(findings: Findings, paths: HomePaths, store: string, owner: number | null = null): void {
  const before = findings.count('problem');
  expectOwnedFolder(findings, paths.root, owner, 'the home');
  expectOwnedFolder(findings, paths.secretDir, owner, 'the secret folder');
  // 0711 is allowed: the SSO service's socket is in the home, for every local user.
  expectMode(findings, paths.root, 0o700, 'the home', true);
  expectMode(findings, paths.nodeKeyFile, 0o600, 'the node key file');
  expectMode(findings, paths.nodeFile, 0o600, 'the node file');
  if (existsSync(paths.secretDir)) {
    expectMode(findings, paths.secretDir, 0o700, 'the secret folder');
    for (const name of readdirSync(paths.secretDir))
      expectMode(findings, join(paths.secretDir, name), 0o600, 'the secret file');
  }
  for (const suffix of ['', '-wal', '-shm']) expectMode(findings, store + suffix, 0o600, 'the store file');
  if (existsSync(paths.backupDir)) {
    for (const name of readdirSync(paths.backupDir))
      expectMode(findings, join(paths.backupDir, name), 0o600, 'the backup file');
  }
  if (findings.count('problem') === before)
    findings.ok(
      'files',
      'the home (0700, or 0711 for the service socket) and secret folder are private; node, key, store, secret and backup files are 0600',
    );
  for (const leftover of leftovers(paths)) {
    if (isReadyStaging(leftover)) {
      findings.problem(
        'files',
        `an import was interrupted while moving into place (${leftover}): run the same import again to finish it`,
      );
    } else {
      findings.warning(
        'files',
        `${leftover} was left by a command that did not finish; the command's result does not depend on it, and it can be deleted`,
      );
    }
  }
  // Under bizsys/: an add or remove killed part-way leaves only a hidden folder (an earlier
  // ssokit's add left a folder of temporary files), which no business system depends on.
  for (const leftover of listBizsysLeftovers(paths)) {
    const clears =
      leftover.what === 'an interrupted change'
        ? 'it can be deleted'
        : 'removing that business system (or adding it again) clears it, or it can be deleted';
    findings.warning(
      'files',
      `${leftover.path} was left by ${leftover.what} of business system "${leftover.name}" that did not finish; no business system depends on it: ${clears}`,
    );
  }
}

/** Temporary files and import staging folders in the home and its secret/backup folders. */
function leftovers(paths: HomePaths): string[] {
  const found: string[] = [];
  for (const dir of [paths.root, paths.secretDir, paths.backupDir]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (isTempName(name) || isStagingName(name)) found.push(join(dir, name));
  }
  return found;
}
