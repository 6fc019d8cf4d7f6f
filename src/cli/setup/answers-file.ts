/**
 * `ssokit setup --answers FILE`: the wizard's answers as JSON, with `//` comment lines
 * (what --print-answers writes). A missing or invalid answer is an error naming its key.
 */

import { basename } from 'node:path';
import { type AnswerProblem, answersError, type SetupAnswers } from '../../core/system/index.js';
import { SsoError } from '../../errors.js';
import { type JsonObject, JsonProblems, parseJson, readJsonObject } from '../../json/json-reader.js';
import { readInputText } from '../../node/private-files.js';
import { command, option, remedy } from '../../remedy.js';

export interface AnswersFileResult {
  answers: SetupAnswers;
  /** Keys whose password must come from elsewhere (--password-file, SSOKIT_PASSWORD…). */
  needsPassword: ('backup' | 'restore')[];
  /** Whether group or others can read the file (it may hold a password). */
  readableByOthers: boolean;
}

const KEYS: ReadonlySet<string> = new Set([
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

/** 1 MiB: the template is about 2 KiB. */
export const ANSWERS_MAX_BYTES = 1 << 20;
/** A password file holds one line. */
const PASSWORD_FILE_MAX_BYTES = 64 * 1024;

export function readAnswersFile(path: string): AnswersFileResult {
  // O_NONBLOCK, a regular file only, at most 1 MiB: a FIFO or /dev/zero is refused at once.
  const { text, mode } = readInputText(path, { maxBytes: ANSWERS_MAX_BYTES, what: 'the answers file' });
  const file = basename(path);
  // Full-line // comments only: the template explains each key that way. They are blanked,
  // not removed, so a syntax error's line is the file's.
  const parsed = parseJson(
    text
      .split('\n')
      .map((line) => (line.trim().startsWith('//') ? '' : line))
      .join('\n'),
  );
  if (!parsed.ok) {
    throw new SsoError('INVALID_INPUT', `${file} is not JSON: ${parsed.problem.message}`, {
      hint: remedy`${command('setup', option('print-answers'))} writes a template`,
    });
  }
  const problems = new JsonProblems();
  const root = readJsonObject(parsed.value, problems);
  if (!root.valid) throw new SsoError('INVALID_INPUT', `${file} must hold one JSON object`);
  root.rejectUnknownKeys(KEYS);
  const isCreate = root.enumOf('mode', ['create', 'join']) !== 'join';
  const secretServer = root.has('secretServer') || !isCreate ? root.boolean('secretServer') : true;
  const needsPassword: AnswersFileResult['needsPassword'] = [];
  const secret = (key: 'backup' | 'restore'): { entry: JsonObject; file: string; password: string } | null => {
    const entry = root.optionalObject(key, 'an object with "file" and a password');
    if (!entry?.valid) return null;
    const backupFile = entry.string('file');
    let password = entry.optionalString('password');
    if (password !== undefined && PLACEHOLDER.test(password)) {
      entry.problem('password', "is the template's placeholder, not a password: leave it out and give --password-file");
      password = undefined;
    }
    const passwordFile = password === undefined ? entry.optionalString('passwordFile') : undefined;
    if (passwordFile !== undefined) {
      try {
        password = readInputText(passwordFile, { maxBytes: PASSWORD_FILE_MAX_BYTES }).text.split(/\r?\n/)[0] ?? '';
      } catch (error) {
        // The reader's sentence names the file and why (missing, not a regular file, too large).
        entry.problem('passwordFile', (error as Error).message);
      }
    } else if (password === undefined) needsPassword.push(key);
    return { entry, file: backupFile, password: password ?? '' };
  };
  const backup = secret('backup');
  const reminder = backup?.entry.optionalString('reminder') ?? '';
  if (isCreate && !backup && root.optionalBoolean('skipBackup') !== true) {
    root.problem(
      'backup',
      'missing: without a backup, losing the master secret loses every credential (to go without one anyway, set "skipBackup": true)',
    );
  }
  const answers: SetupAnswers = {
    mode: isCreate ? 'create' : 'join',
    secretServer,
    nodeName: root.string('nodeName'),
    clusterName: root.optionalString('clusterName') || null,
    serviceAccount: root.string('serviceAccount'),
    ssoAdminAccount: isCreate ? root.string('ssoAdminAccount') : '',
    affiliateAdminAccount: isCreate ? root.string('affiliateAdminAccount') : '',
    store: root.string('store'),
    backup: isCreate && backup ? { file: backup.file, password: backup.password, reminder } : null,
    restore: null,
  };
  const restore = isCreate ? null : secret('restore');
  if (restore) answers.restore = { file: restore.file, password: restore.password };
  if (problems.any) {
    const listed: AnswerProblem[] = problems.list.map((p) => ({ key: p.path, message: p.message }));
    throw answersError(listed, file);
  }
  return { answers, needsPassword, readableByOthers: (mode & 0o077) !== 0 };
}

/** The placeholder older templates put in the password's place, refused if left there. */
const PLACEHOLDER = /^change me\b/i;

export interface TemplateDefaults {
  nodeName: string;
  user: string;
  home: string;
  /** The new backup's file name in the home's backup folder: SSO and four hex digits. */
  backupName: string;
}

/** The answers `ssokit setup --print-answers` starts from; no password is ever in them. */
export function answersTemplateData(defaults: TemplateDefaults) {
  return {
    mode: 'create',
    secretServer: true,
    nodeName: defaults.nodeName,
    clusterName: null,
    serviceAccount: defaults.user,
    ssoAdminAccount: defaults.user,
    affiliateAdminAccount: defaults.user,
    store: `${defaults.home}/ssodb.sqlite`,
    backup: { file: `${defaults.home}/backup/${defaults.backupName}`, reminder: '' },
    restore: null,
  };
}

/** What `ssokit setup --print-answers` writes: every key, explained. */
export function answersTemplate(defaults: TemplateDefaults): string {
  const d = answersTemplateData(defaults);
  const q = JSON.stringify;
  return `// ssokit setup answers: run  ssokit setup --answers THIS_FILE
// Keep this file private (chmod 600) if you add a password to it.
{
  // "create" a new SSO system, or "join" an existing one
  "mode": ${q(d.mode)},
  // is this node the master secret server? (the first node of a new system always is)
  "secretServer": ${q(d.secretServer)},
  // this node's name
  "nodeName": ${q(d.nodeName)},
  // a cluster network name this node answers to, for a clustered master secret server (or null)
  "clusterName": null,
  // the OS user the SSO service runs as (must exist, and be among the SSO administrators)
  "serviceAccount": ${q(d.serviceAccount)},
  // SSO administrators and affiliate administrators: OS users or groups, ;-separated (create only)
  "ssoAdminAccount": ${q(d.ssoAdminAccount)},
  "affiliateAdminAccount": ${q(d.affiliateAdminAccount)},
  // the credential store: a new file to create, or the existing store to join
  "store": ${q(d.store)},
  // create: back up the master secret now. Its password comes from --password-file,
  // SSOKIT_PASSWORD_FILE, SSOKIT_PASSWORD or the prompt, or add "passwordFile": "PATH" here
  // (or "password", in a file only you can read). To go without a backup set "backup": null
  // and "skipBackup": true -- losing the secret then loses every credential.
  "backup": { "file": ${q(d.backup.file)}, "reminder": "" },
  // join as master secret server: the backup to restore, with "passwordFile" (or "password")
  "restore": null
}
`;
}
