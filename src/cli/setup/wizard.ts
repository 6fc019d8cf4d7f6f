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
  const secretServer = await secretServerPage(p, mode);
  const { nodeName, clusterName } = await nodePage(p, defaults.nodeName);
  const serviceAccount = await serviceAccountPage(p, defaults.user);
  const admins =
    mode === 'create' ? await adminsPage(p, defaults.user) : { ssoAdminAccount: '', affiliateAdminAccount: '' };
  const store = await storePage(p, mode, paths);
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
  for (const line of summaryLines(answers)) say(line);
  return (await p.confirm('Apply these settings?', true)) ? answers : null;
}
