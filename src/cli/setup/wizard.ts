/** `ssokit setup` on a terminal: the pages in order, then the summary, then apply. */

import { readSecretBackup } from '../../core/secret/index.js';
import type { SetupAnswers } from '../../core/system/index.js';
import type { HomePaths } from '../../node/home.js';
import { type Output, styled } from '../output.js';
import type { Prompter } from '../prompts.js';
import {
  adminsPage,
  backupPage,
  modePage,
  nodePage,
  restorePage,
  secretServerPage,
  serviceAccountPage,
  storePage,
  summaryLines,
} from './wizard-pages.js';

export interface WizardDefaults {
  nodeName: string;
  user: string;
  backupName: string;
  /** The name an existing store gives its master secret server (null when it cannot be read). */
  secretServerOf: (store: string) => Promise<string | null>;
}

/** Asks every page; returns the answers, or null when the summary is not confirmed. */
export async function runWizard(
  p: Prompter,
  out: Output,
  paths: HomePaths,
  defaults: WizardDefaults,
): Promise<SetupAnswers | null> {
  const say = (text: string) => out.say(text);
  out.say(styled('bold', 'ssokit setup'), styled('dim', ' — Ctrl-C at any page leaves nothing behind'));
  const mode = await modePage(p);
  let secretServer = await secretServerPage(p, mode);
  const { nodeName, clusterName } = await nodePage(p, defaults.nodeName);
  const serviceAccount = await serviceAccountPage(p, defaults.user);
  const admins =
    mode === 'create' ? await adminsPage(p, defaults.user) : { ssoAdminAccount: '', affiliateAdminAccount: '' };
  const store = await storePage(p, mode, paths);
  // The store may name this node its master secret server whatever was answered above.
  let namedHere = false;
  if (mode === 'join' && !secretServer) {
    const named = await defaults.secretServerOf(store);
    const names = [nodeName, clusterName].flatMap((n) => (n ? [n.toLowerCase()] : []));
    if (named && names.includes(named.toLowerCase())) {
      namedHere = true;
      out.warn(`the store names '${named}' its master secret server, and this node answers to that name`);
      secretServer = await p.confirm('Restore the master secret on this node now?', true);
    }
  }
  const backup = mode === 'create' ? await backupPage(p, paths, defaults.backupName, (t) => out.warn(t)) : null;
  const restore =
    mode === 'join' && secretServer
      ? await restorePage(p, async (file) => (await readSecretBackup(file)).header.reminder, say)
      : null;
  const answers: SetupAnswers = {
    mode,
    secretServer,
    nodeName,
    clusterName,
    serviceAccount,
    ...admins,
    store,
    backup,
    restore,
  };
  say('');
  for (const line of summaryLines(answers, namedHere)) say(line);
  return (await p.confirm('Apply these settings?', true)) ? answers : null;
}
