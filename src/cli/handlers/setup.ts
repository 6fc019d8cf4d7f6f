/** `ssokit setup`: the interactive wizard, or `--answers FILE` without a terminal. */

import { basename, resolve } from 'node:path';
import { defaultBackupPath } from '../../core/secret/index.js';
import { applySetup, type SetupAnswers, type SetupResult, storeSecretServer } from '../../core/system/index.js';
import { SsoError } from '../../errors.js';
import { obtainPassword } from '../answers.js';
import { isInteractive } from '../io.js';
import type { Session } from '../session.js';
import { answersTemplate, answersTemplateData, readAnswersFile } from '../setup/answers-file.js';
import { runWizard } from '../setup/wizard.js';

export interface SetupOptions {
  answers: string | undefined;
  printAnswers: boolean;
}

export async function setupCommand(session: Session, options: SetupOptions): Promise<void> {
  const { out } = session;
  if (options.printAnswers) {
    const defaults = {
      nodeName: session.defaultNodeName,
      user: session.caller.user,
      home: session.paths.root,
      backupName: basename(defaultBackupPath(session.paths, session.deps)),
    };
    // With --json, the same answers as one plain JSON document (no comments).
    if (out.json) out.printJson(answersTemplateData(defaults));
    else out.raw(answersTemplate(defaults));
    return;
  }
  let answers: SetupAnswers | null;
  if (options.answers) {
    const file = readAnswersFile(resolve(options.answers));
    if (file.readableByOthers)
      out.warn(
        `${options.answers} can be read by group or others and may hold a password: chmod 600 ${options.answers}`,
      );
    answers = file.answers;
    for (const key of file.needsPassword) {
      const password = await obtainPassword(session, {
        message: key === 'backup' ? 'Secret backup password' : 'Backup password',
        confirm: key === 'backup',
      });
      if (key === 'backup' && answers.backup) answers.backup.password = password;
      if (key === 'restore' && answers.restore) answers.restore.password = password;
    }
  } else {
    if (!isInteractive(session.io)) {
      throw new SsoError('INPUT_REQUIRED', 'the setup wizard needs a terminal', {
        hint: 'answer it from a file: ssokit setup --answers FILE (ssokit setup --print-answers writes a template)',
      });
    }
    const backupName = defaultBackupPath(session.paths, session.deps).split('/').pop()!;
    answers = await runWizard(session.prompter, out, session.paths, {
      nodeName: session.defaultNodeName,
      user: session.caller.user,
      backupName,
      secretServerOf: (store) => storeSecretServer(session.home, store),
    });
    if (!answers) throw new SsoError('CANCELLED', 'not applied; nothing was changed');
  }
  const result = await applySetup(session.home, answers);
  if (out.json) return out.printJson(result);
  printResult(session, result);
}

function printResult(session: Session, result: SetupResult): void {
  const { out } = session;
  if (result.mode === 'create') {
    out.done(`created a new SSO system; this node '${result.init.nodeName}' is its master secret server`);
    out.fields([
      ['  store', result.init.storePath],
      ['  secret server', result.init.secretServer],
      ['  master secret', `${result.init.secretId} (generation ${result.init.generation})`],
      ['  backup', result.init.backupPath ?? 'none (run ssokit secret backup FILE)'],
    ]);
    return;
  }
  out.done(
    `node '${result.join.nodeName}' joined the SSO system at ${result.join.storePath}${result.restoredSecret ? ' and holds its master secret' : ''}`,
  );
}
