/**
 * `ssokit setup --answers FILE`: the wizard's answers as JSON, with `//` comment lines
 * (what --print-answers writes). A missing or invalid answer is an error naming its key.
 */

import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { type AnswerProblem, answersError, type SetupAnswers } from '../../core/system/index.js';
import { SsoError } from '../../errors.js';

/** Secrets may be given in the file or as a file to read them from. */
interface Secretive {
  password?: unknown;
  passwordFile?: unknown;
}

export interface AnswersFileResult {
  answers: SetupAnswers;
  /** Keys whose password must come from elsewhere (--password-file, SSOKIT_PASSWORD…). */
  needsPassword: ('backup' | 'restore')[];
  /** Whether group or others can read the file (it may hold a password). */
  readableByOthers: boolean;
}

const KEYS = new Set([
  'mode',
  'secretServer',
  'nodeName',
  'clusterName',
  'serviceAccount',
  'ssoAdminAccount',
  'affiliateAdminAccount',
  'store',
  'backup',
  'skipBackup',
  'restore',
]);

export function readAnswersFile(path: string): AnswersFileResult {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(path, 'utf8');
    mode = statSync(path).mode;
  } catch (error) {
    throw new SsoError(
      'FILE_NOT_FOUND',
      `cannot read the answers file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const file = basename(path);
  let raw: unknown;
  try {
    // Full-line // comments only: the template explains each key that way.
    raw = JSON.parse(
      text
        .split('\n')
        .filter((line) => !line.trim().startsWith('//'))
        .join('\n'),
    );
  } catch (error) {
    throw new SsoError('INVALID_INPUT', `${file} is not JSON: ${(error as Error).message}`, {
      hint: 'ssokit setup --print-answers writes a template',
    });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SsoError('INVALID_INPUT', `${file} must hold one JSON object`);
  const obj = raw as Record<string, unknown>;
  const problems: AnswerProblem[] = Object.keys(obj)
    .filter((k) => !KEYS.has(k))
    .map((key) => ({ key, message: 'unknown key' }));
  const stringAnswer = (key: string, required = true): string => {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (required) problems.push({ key, message: 'missing' });
      return '';
    }
    if (typeof value !== 'string') problems.push({ key, message: 'must be a string' });
    return typeof value === 'string' ? value : '';
  };
  const mode_ = stringAnswer('mode');
  if (mode_ && mode_ !== 'create' && mode_ !== 'join')
    problems.push({ key: 'mode', message: 'must be "create" or "join"' });
  const isCreate = mode_ !== 'join';
  const secretServer = obj.secretServer === undefined && isCreate ? true : obj.secretServer;
  if (typeof secretServer !== 'boolean') problems.push({ key: 'secretServer', message: 'must be true or false' });
  const needsPassword: AnswersFileResult['needsPassword'] = [];
  const secret = (key: 'backup' | 'restore'): { file: string; password: string } | null => {
    const value = obj[key] as (Secretive & { file?: unknown; reminder?: unknown }) | null | undefined;
    if (value === undefined || value === null) return null;
    if (typeof value !== 'object') {
      problems.push({ key, message: 'must be an object with "file" and a password' });
      return null;
    }
    if (typeof value.file !== 'string') problems.push({ key: `${key}.file`, message: 'missing' });
    let password = '';
    if (typeof value.password === 'string') password = value.password;
    else if (typeof value.passwordFile === 'string') {
      try {
        password = readFileSync(value.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
      } catch {
        problems.push({ key: `${key}.passwordFile`, message: `cannot read ${value.passwordFile}` });
      }
    } else needsPassword.push(key);
    return { file: typeof value.file === 'string' ? value.file : '', password };
  };
  const backup = secret('backup');
  const reminder = (obj.backup as { reminder?: unknown } | null | undefined)?.reminder;
  if (backup && reminder !== undefined && typeof reminder !== 'string')
    problems.push({ key: 'backup.reminder', message: 'must be a string' });
  if (isCreate && !backup && obj.skipBackup !== true) {
    problems.push({
      key: 'backup',
      message:
        'missing: without a backup, losing the master secret loses every credential (to go without one anyway, set "skipBackup": true)',
    });
  }
  const answers: SetupAnswers = {
    mode: isCreate ? 'create' : 'join',
    secretServer: secretServer === true,
    nodeName: stringAnswer('nodeName'),
    clusterName: stringAnswer('clusterName', false) || null,
    serviceAccount: stringAnswer('serviceAccount'),
    ssoAdminAccount: isCreate ? stringAnswer('ssoAdminAccount') : '',
    affiliateAdminAccount: isCreate ? stringAnswer('affiliateAdminAccount') : '',
    store: stringAnswer('store'),
    backup: isCreate && backup ? { ...backup, reminder: typeof reminder === 'string' ? reminder : '' } : null,
    restore: !isCreate ? secret('restore') : null,
  };
  if (problems.length) throw answersError(problems, file);
  return { answers, needsPassword, readableByOthers: (mode & 0o077) !== 0 };
}

/** What `ssokit setup --print-answers` writes: every key, explained. */
export function answersTemplate(defaults: { nodeName: string; user: string; home: string }): string {
  return `// ssokit setup answers: run  ssokit setup --answers THIS_FILE
// Keep this file private (chmod 600) if it holds a password.
{
  // "create" a new SSO system, or "join" an existing one
  "mode": "create",
  // is this node the master secret server? (the first node of a new system always is)
  "secretServer": true,
  // this node's name
  "nodeName": "${defaults.nodeName}",
  // a cluster network name this node answers to, for a clustered master secret server (or null)
  "clusterName": null,
  // the OS user the SSO service runs as (must exist, and be among the SSO administrators)
  "serviceAccount": "${defaults.user}",
  // SSO administrators and affiliate administrators: OS users or groups, ;-separated (create only)
  "ssoAdminAccount": "${defaults.user}",
  "affiliateAdminAccount": "${defaults.user}",
  // the credential store: a new file to create, or the existing store to join
  "store": "${defaults.home}/ssodb.sqlite",
  // create: back up the master secret now. The password may instead come from "passwordFile",
  // --password-file, SSOKIT_PASSWORD_FILE or SSOKIT_PASSWORD. To go without a backup set
  // "backup": null and "skipBackup": true -- losing the secret then loses every credential.
  "backup": { "file": "${defaults.home}/backup/SSO1A2B.bak", "reminder": "", "password": "change me: 7 to 256 characters" },
  // join as master secret server: the backup to restore, with "password" or "passwordFile"
  "restore": null
}
`;
}
