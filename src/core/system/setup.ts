/**
 * The setup wizard's answers: what each page asks, how each answer is checked, and how the
 * whole set is applied — through the same core functions as `ssokit init` and
 * `ssokit join` (and `secret restore` for a node joining as master secret server).
 * The wizard and `ssokit setup --answers FILE` both end here; neither holds logic of its own.
 */

import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { SsoError } from '../../errors.js';
import type { HomePaths } from '../../node/home.js';
import { validateNodeName } from '../../node/node-config.js';
import { groupExists, groupsOfUser, userExists } from '../../node/os-accounts.js';
import { command, remedy } from '../../remedy.js';
import { openStore } from '../../store/open-store.js';
import {
  checkBackupPassword,
  completeRestore,
  currentMasterSecret,
  openSecretBackup,
  planRestore,
  readSecretBackup,
} from '../secret/index.js';
import {
  accountListProblems,
  type HomeContext,
  loadNode,
  openNodeStore,
  readGlobalInfo,
  splitAccounts,
} from '../shared/index.js';
import { type InitResult, initSystem } from './init.js';
import { type JoinResult, joinStore } from './join.js';

export type SetupMode = 'create' | 'join';

export interface SetupAnswers {
  mode: SetupMode;
  /** Whether this node is (or joins as) the master secret server. A new system's first node is. */
  secretServer: boolean;
  nodeName: string;
  /** A cluster network name this node answers to, for a clustered master secret server. */
  clusterName: string | null;
  /** The OS user the SSO service runs as on this node. */
  serviceAccount: string;
  /** For a new system. */
  ssoAdminAccount: string;
  affiliateAdminAccount: string;
  store: string;
  /** For a new system: the secret's backup, or null when declined twice. */
  backup: { file: string; password: string; reminder: string } | null;
  /** For a node joining as master secret server: the backup to restore. */
  restore: { file: string; password: string } | null;
}

/** Each check returns a message when the answer is not acceptable, or null. */
export const checks = {
  nodeName(value: string): string | null {
    return messageOf(() => validateNodeName(value));
  },
  clusterName(value: string): string | null {
    return messageOf(() => validateNodeName(value, 'cluster name'));
  },
  serviceAccount(value: string): string | null {
    if (value.trim() === '') return 'the service account is empty';
    return userExists(value) ? null : `there is no OS user "${value}" on this machine`;
  },
  accounts(value: string, what: string): string | null {
    const problems = accountListProblems(value, what);
    if (problems.length) return problems.join('; ');
    const missing = splitAccounts(value).filter((a) => !userExists(a) && !groupExists(a));
    return missing.length ? `${what}: no OS user or group named ${missing.map((m) => `"${m}"`).join(', ')}` : null;
  },
  store(mode: SetupMode, path: string, paths: HomePaths): string | null {
    if (!path.startsWith('/')) return 'give an absolute path';
    if (mode === 'join') return existsSync(path) ? null : `there is no store at ${path}`;
    if (existsSync(path)) return `${path} already exists: join it instead, or choose another path`;
    // The home itself is created by the setup, so a store inside it is fine.
    return isDirectory(dirname(path)) || dirname(path) === paths.root
      ? null
      : `the folder ${dirname(path)} does not exist`;
  },
  backupFile(path: string, paths: HomePaths): string | null {
    if (!path.startsWith('/')) return 'give an absolute path';
    if (existsSync(path)) return `${path} already exists: choose another name`;
    return isDirectory(dirname(path)) || dirname(path) === paths.backupDir
      ? null
      : `the folder ${dirname(path)} does not exist`;
  },
  password(password: string, reminder = ''): string | null {
    return messageOf(() => checkBackupPassword(password, reminder));
  },
  restoreFile(path: string): string | null {
    if (!existsSync(path)) return `there is no file ${path}`;
    return messageOf(() => readSecretBackup(path));
  },
};

function messageOf(work: () => unknown): string | null {
  try {
    const result = work();
    if (result instanceof Promise) throw new Error('checks are synchronous');
    return null;
  } catch (error) {
    if (error instanceof SsoError) return error.message;
    throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface AnswerProblem {
  key: string;
  message: string;
}

/** Every problem with a complete set of answers, each naming its key. */
export function answerProblems(answers: SetupAnswers, paths: HomePaths): AnswerProblem[] {
  const problems: AnswerProblem[] = [];
  const check = (key: string, message: string | null) => {
    if (message) problems.push({ key, message });
  };
  check('nodeName', checks.nodeName(answers.nodeName));
  if (answers.clusterName !== null) check('clusterName', checks.clusterName(answers.clusterName));
  check('serviceAccount', checks.serviceAccount(answers.serviceAccount));
  check('store', checks.store(answers.mode, answers.store, paths));
  if (answers.mode === 'create') {
    if (!answers.secretServer)
      check('secretServer', 'the first node of a new SSO system is its master secret server: answer true');
    check('ssoAdminAccount', checks.accounts(answers.ssoAdminAccount, 'SSO administrators'));
    check('affiliateAdminAccount', checks.accounts(answers.affiliateAdminAccount, 'affiliate administrators'));
    if (!problems.some((p) => p.key === 'serviceAccount' || p.key === 'ssoAdminAccount')) {
      // Enterprise SSO: the service account must be a member of the SSO Administrators account.
      const admins = splitAccounts(answers.ssoAdminAccount).map((a) => a.toLowerCase());
      const member = [answers.serviceAccount, ...groupsOfUser(answers.serviceAccount)].some((n) =>
        admins.includes(n.toLowerCase()),
      );
      check(
        'serviceAccount',
        member
          ? null
          : `the service account "${answers.serviceAccount}" must be a member of the SSO administrators (${answers.ssoAdminAccount})`,
      );
    }
    if (answers.backup) {
      check('backup.file', checks.backupFile(answers.backup.file, paths));
      check('backup.password', checks.password(answers.backup.password, answers.backup.reminder));
    }
  } else if (answers.secretServer) {
    if (!answers.restore)
      check(
        'restore',
        'a node joining as master secret server restores the secret: give restore.file and its password',
      );
    else check('restore.file', checks.restoreFile(answers.restore.file));
  }
  return problems;
}

export function answersError(problems: AnswerProblem[], source: string): SsoError {
  return new SsoError(
    'INVALID_INPUT',
    `${source}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was changed`,
    {
      details: problems.map((p) => `${p.key}: ${p.message}`),
    },
  );
}

export type SetupResult =
  | { mode: 'create'; init: InitResult }
  | { mode: 'join'; join: JoinResult; restoredSecret: boolean };

/**
 * The name an existing store gives its master secret server, read without changing the
 * store; null when it cannot be read (the store page has already said why).
 */
export async function storeSecretServer(home: HomeContext, store: string): Promise<string | null> {
  try {
    const opened = await openStore(store, {
      busyTimeoutMs: home.deps.busyTimeoutMs,
      password: home.deps.storePassword,
      readOnly: true,
    });
    try {
      return (await readGlobalInfo(opened)).secretServer;
    } finally {
      await opened.close();
    }
  } catch {
    return null;
  }
}

/** Applies checked answers through init, or join and (for a master secret server) restore. */
export async function applySetup(home: HomeContext, answers: SetupAnswers): Promise<SetupResult> {
  const problems = answerProblems(answers, home.paths);
  if (problems.length) throw answersError(problems, 'setup answers');
  const clusterNames = answers.clusterName ? [answers.clusterName] : [];
  if (answers.mode === 'create') {
    const init = await initSystem({
      ...home,
      nodeName: answers.nodeName,
      clusterNames,
      secretServer: answers.clusterName ?? answers.nodeName,
      serviceAccount: answers.serviceAccount,
      storePath: answers.store,
      ssoAdminAccount: answers.ssoAdminAccount,
      affiliateAdminAccount: answers.affiliateAdminAccount,
      backup: answers.backup
        ? {
            path: answers.backup.file,
            password: answers.backup.password,
            reminder: answers.backup.reminder,
            overwrite: false,
          }
        : null,
    });
    return { mode: 'create', init };
  }
  if (answers.secretServer && answers.restore) {
    // Everything a restore checks is checked before the node joins, so a wrong password or
    // another system's backup leaves this node as it was.
    const store = await openStore(answers.store, {
      busyTimeoutMs: home.deps.busyTimeoutMs,
      password: home.deps.storePassword,
    });
    try {
      const { secretServer } = await readGlobalInfo(store);
      const names = [answers.nodeName, ...clusterNames].map((n) => n.toLowerCase());
      if (!names.includes(secretServer.toLowerCase())) {
        throw new SsoError(
          'NOT_SECRET_SERVER',
          `the store's master secret server is '${secretServer}', not ${names.map((n) => `'${n}'`).join(' or ')}`,
          {
            hint: remedy`answer that this node is not the master secret server, or move the role first with ${command('db update', 'FILE')}`,
          },
        );
      }
      const parsed = await readSecretBackup(answers.restore.file);
      const current = await currentMasterSecret(store);
      if (parsed.header.currentId !== current.id) {
        throw new SsoError(
          'WRONG_SECRET',
          `the backup holds master secret ${parsed.header.currentId}, but the store's current one is ${current.id}`,
          {
            hint: 'give the backup made for this SSO system after its last rotation',
          },
        );
      }
      await openSecretBackup(parsed, answers.restore.password);
    } finally {
      await store.close();
    }
  }
  const join = await joinStore({
    ...home,
    storePath: answers.store,
    nodeName: answers.nodeName,
    defaultNodeName: answers.nodeName,
    clusterNames,
    domain: undefined,
    serviceAccount: answers.serviceAccount,
  });
  if (!answers.secretServer || !answers.restore) return { mode: 'join', join, restoredSecret: false };
  const ctx = await openNodeStore(await loadNode(home));
  try {
    const plan = await planRestore(ctx, answers.restore.file, false);
    await completeRestore(ctx, plan, answers.restore.password);
  } finally {
    await ctx.store.close();
  }
  return { mode: 'join', join, restoredSecret: true };
}
