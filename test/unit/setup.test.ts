import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Output, PLAIN } from '../../src/cli/output.js';
import { answersTemplate, answersTemplateData, readAnswersFile } from '../../src/cli/setup/answers-file.js';
import { runWizard } from '../../src/cli/setup/wizard.js';
import { backupPage, nodePage, SKIP_WARNING, storePage } from '../../src/cli/setup/wizard-pages.js';
import { answerProblems, applySetup, type SetupAnswers } from '../../src/core/system/setup.js';
import { homePaths } from '../../src/node/home.js';
import { readNodeConfig } from '../../src/node/node-config.js';
import { currentCaller } from '../../src/node/os-identity.js';
import { failure } from '../helpers/failure.js';
import { fastDeps } from '../helpers/fast-deps.js';
import { scriptedPrompter } from '../helpers/scripted-prompter.js';
import { newSystem, PASSWORD } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const me = userInfo().username;
const home = () => ({ paths: homePaths(join(dir.path, 'node')), deps: fastDeps(), caller: currentCaller() });
const quietOutput = () => {
  const lines: string[] = [];
  const sink = { write: (t: string) => lines.push(t) };
  return {
    lines,
    out: new Output(
      { stdout: sink, stderr: sink, stdin: process.stdin, env: {} },
      { tool: 'ssokit', style: 'modern', json: false },
      PLAIN,
    ),
  };
};

describe('wizard pages', () => {
  test('the node page refuses a bad name and asks again; the cluster name only when clustered', async () => {
    const p = scriptedPrompter(['bad name!', 'sso1', true, 'sso cluster', 'ssocluster']);
    expect(await nodePage(p, 'host')).toEqual({ nodeName: 'sso1', clusterName: 'ssocluster' });
    expect(p.refused).toEqual([
      'the node name "bad name!" is not a valid host name',
      'the cluster name "sso cluster" is not a valid host name',
    ]);
    expect(await nodePage(scriptedPrompter(['', false]), 'host')).toEqual({ nodeName: 'host', clusterName: null });
  });

  test('the store page: a new store must not exist, an existing one must', async () => {
    const paths = homePaths(join(dir.path, 'node'));
    writeFileSync(join(dir.path, 'taken.sqlite'), '');
    const create = scriptedPrompter([
      'relative.sqlite',
      join(dir.path, 'taken.sqlite'),
      join(dir.path, 'nofolder', 's.sqlite'),
      '',
    ]);
    expect(await storePage(create, 'create', paths)).toBe(paths.defaultStore);
    expect(create.refused).toEqual([
      'give an absolute path',
      `${join(dir.path, 'taken.sqlite')} already exists: join it instead, or choose another path`,
      `the folder ${join(dir.path, 'nofolder')} does not exist`,
    ]);
    const join_ = scriptedPrompter([join(dir.path, 'missing.sqlite'), join(dir.path, 'taken.sqlite')]);
    expect(await storePage(join_, 'join', paths)).toBe(join(dir.path, 'taken.sqlite'));
  });

  test('skipping the backup takes a second confirmation that spells out the loss', async () => {
    const paths = homePaths(join(dir.path, 'node'));
    const warnings: string[] = [];
    // No; then "continue without?" no; then No again; then yes, really.
    expect(
      await backupPage(scriptedPrompter([false, false, false, true]), paths, 'SSO1111.bak', (w) => warnings.push(w)),
    ).toBeNull();
    expect(warnings).toEqual([SKIP_WARNING, SKIP_WARNING]);
    expect(SKIP_WARNING).toMatch(/loses every credential in the store, permanently/);
  });

  test('the backup page enforces the password rules and the confirmation', async () => {
    const paths = homePaths(join(dir.path, 'node'));
    const warnings: string[] = [];
    const p = scriptedPrompter([
      true,
      'short',
      'long-enough-1',
      'different-1',
      'long-enough-1',
      'long-enough-1',
      'my long-enough-1 hint',
      'fine hint',
      '',
    ]);
    const backup = await backupPage(p, paths, 'SSO2222.bak', (w) => warnings.push(w));
    expect(backup).toEqual({
      file: join(paths.backupDir, 'SSO2222.bak'),
      password: 'long-enough-1',
      reminder: 'fine hint',
    });
    expect(warnings).toEqual([
      'the backup password is too short: it must be at least 7 characters',
      'the passwords do not match; try again',
    ]);
    expect(p.refused).toEqual(['the password reminder contains the password itself']);
  });

  test('the whole wizard, then the summary; declining the summary applies nothing', async () => {
    const paths = homePaths(join(dir.path, 'node'));
    const script = ['create', 'sso1', false, me, me, '', '', true, 'pass-word-1', 'pass-word-1', 'hint', ''];
    const { out, lines } = quietOutput();
    const answers = await runWizard(scriptedPrompter([...script, true]), out, paths, {
      nodeName: 'h',
      user: me,
      backupName: 'SSO3333.bak',
      secretServerOf: async () => null,
    });
    expect(answers).toMatchObject({
      mode: 'create',
      secretServer: true,
      nodeName: 'sso1',
      serviceAccount: me,
      store: paths.defaultStore,
    });
    expect(lines.join('')).toContain(`secret backup         : ${join(paths.backupDir, 'SSO3333.bak')}`);
    expect(
      await runWizard(scriptedPrompter([...script, false]), out, paths, {
        nodeName: 'h',
        user: me,
        backupName: 'x.bak',
        secretServerOf: async () => null,
      }),
    ).toBeNull();
    expect(existsSync(paths.root)).toBe(false);
  });
});

describe('the wizard joining a store that names this node its master secret server', () => {
  test('it says so and offers the restore; declined, the summary does not call it another node', async () => {
    const sys = await newSystem(dir.path, 'sso1');
    await sys.ctx.store.close();
    const paths = homePaths(join(dir.path, 'node'));
    // join; not the master secret server (so answered); node sso1, not clustered; the
    // service account; the store; then the offer to restore, declined; then apply.
    const script = ['join', false, 'sso1', false, me, sys.paths.defaultStore, false, true];
    const { out, lines } = quietOutput();
    const answers = await runWizard(scriptedPrompter(script), out, paths, {
      nodeName: 'h',
      user: me,
      backupName: 'x.bak',
      secretServerOf: async () => 'SSO1',
    });
    expect(answers).toMatchObject({ mode: 'join', secretServer: false, restore: null });
    const text = lines.join('');
    expect(text).toContain("the store names 'SSO1' its master secret server, and this node answers to that name");
    expect(text).toContain('master secret server  : this node, by name; its secret is not restored');
    expect(text).not.toContain('another node');
  });
});

describe('answers and applying them', () => {
  const createAnswers = (): SetupAnswers => ({
    mode: 'create',
    secretServer: true,
    nodeName: 'sso1',
    clusterName: null,
    serviceAccount: me,
    ssoAdminAccount: me,
    affiliateAdminAccount: me,
    store: join(dir.path, 'node', 'ssodb.sqlite'),
    backup: { file: join(dir.path, 'b.bak'), password: PASSWORD, reminder: 'r' },
    restore: null,
  });

  test('problems name their keys; accounts must exist; the service account must be an SSO administrator', () => {
    const paths = homePaths(join(dir.path, 'node'));
    const answers = {
      ...createAnswers(),
      serviceAccount: 'no-such-user-here',
      affiliateAdminAccount: `${me};no-such-group-x`,
      secretServer: false,
    };
    expect(answerProblems(answers, paths)).toEqual([
      { key: 'serviceAccount', message: 'there is no OS user "no-such-user-here" on this machine' },
      { key: 'secretServer', message: 'the first node of a new SSO system is its master secret server: answer true' },
      {
        key: 'affiliateAdminAccount',
        message: 'affiliate administrators: no OS user or group named "no-such-group-x"',
      },
    ]);
    const notAdmin = { ...createAnswers(), ssoAdminAccount: 'daemon' };
    expect(answerProblems(notAdmin, paths)).toEqual([
      {
        key: 'serviceAccount',
        message: `the service account "${me}" must be a member of the SSO administrators (daemon)`,
      },
    ]);
  });

  test('create goes through init: store, secret, backup, node.json with the service account', async () => {
    const result = await applySetup(home(), createAnswers());
    expect(result.mode).toBe('create');
    expect(existsSync(join(dir.path, 'b.bak'))).toBe(true);
    expect((await readNodeConfig(homePaths(join(dir.path, 'node'))))!.serviceAccount).toBe(me);
  });

  test('join as master secret server restores the secret; a wrong password leaves the node unconfigured', async () => {
    const sys = await newSystem(dir.path, 'alpha');
    await sys.ctx.store.run("UPDATE global_info SET secret_server = 'ssocluster'");
    await sys.ctx.store.close();
    const joinAnswers: SetupAnswers = {
      ...createAnswers(),
      mode: 'join',
      nodeName: 'beta',
      clusterName: 'ssocluster',
      store: sys.ctx.node.store,
      backup: null,
      restore: { file: sys.backupPath, password: 'wrong password' },
    };
    expect((await failure(applySetup(home(), joinAnswers))).code).toBe('WRONG_PASSWORD');
    expect(existsSync(join(dir.path, 'node', 'node.json'))).toBe(false);
    const result = await applySetup(home(), { ...joinAnswers, restore: { file: sys.backupPath, password: PASSWORD } });
    expect(result).toMatchObject({ mode: 'join', restoredSecret: true });
    const notMss = await failure(
      applySetup(
        { ...home(), paths: homePaths(join(dir.path, 'gamma')) },
        { ...joinAnswers, nodeName: 'gamma', clusterName: null, restore: { file: sys.backupPath, password: PASSWORD } },
      ),
    );
    expect(notMss.code).toBe('NOT_SECRET_SERVER');
  });

  test('the printed template is a valid answers file once its password is filled in', () => {
    const file = join(dir.path, 'answers.json');
    const template = answersTemplate({
      nodeName: 'sso1',
      user: me,
      home: join(dir.path, 'node'),
      backupName: 'SSO4B2F.bak',
    });
    // No password in it, not even a placeholder: it comes from --password-file or the prompt.
    expect(template).not.toMatch(/"password"\s*:/);
    writeFileSync(file, template, { mode: 0o600 });
    const read = readAnswersFile(file);
    expect(read.answers).toMatchObject({ mode: 'create', nodeName: 'sso1', serviceAccount: me, restore: null });
    expect(read.readableByOthers).toBe(false);
    expect(readFileSync(file, 'utf8')).toMatch(/^\/\/ ssokit setup answers/);
    expect(read.answers.backup).toMatchObject({ file: join(dir.path, 'node', 'backup', 'SSO4B2F.bak') });
    expect(read.needsPassword).toEqual(['backup']);
  });

  test("an older template's placeholder password is refused, not taken for the password", async () => {
    const file = join(dir.path, 'old.json');
    const data = {
      ...answersTemplateData({ nodeName: 'sso1', user: me, home: join(dir.path, 'node'), backupName: 'SSO1A2B.bak' }),
    };
    writeFileSync(
      file,
      JSON.stringify({ ...data, backup: { ...data.backup, password: 'change me: 7 to 256 characters' } }),
      {
        mode: 0o600,
      },
    );
    const error = await failure(Promise.resolve().then(() => readAnswersFile(file)));
    expect(error.details).toContain(
      "backup.password: is the template's placeholder, not a password: leave it out and give --password-file",
    );
  });

  test('an answers file with missing and wrong keys names each', async () => {
    const file = join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ mode: 'start', nodeName: 7, colour: 'blue' }));
    const error = await failure(Promise.resolve().then(() => readAnswersFile(file)));
    expect(error.details).toEqual([
      'colour: unknown key',
      'mode: must be "create" or "join"',
      'backup: missing: without a backup, losing the master secret loses every credential (to go without one anyway, set "skipBackup": true)',
      'nodeName: must be a string',
      'serviceAccount: missing',
      'ssoAdminAccount: missing',
      'affiliateAdminAccount: missing',
      'store: missing',
    ]);
  });
});
