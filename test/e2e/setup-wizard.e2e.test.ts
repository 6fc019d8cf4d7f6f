// The setup wizard in a real pseudo-terminal (tmux), and its unattended form.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { TmuxSession, whyNoTmux } from '../helpers/tmux.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const me = userInfo().username;
const describePty = describeNeeding(whyNoTmux(), 'pseudo-terminal tests');

function wizard(home: string): TmuxSession {
  return new TmuxSession(
    `cd ${REPO_ROOT} && SSOKIT_KDF_LOG2N=10 SSOKIT_TEST_WEAK_KDF=files-written-now-are-weak NO_COLOR=1 ${process.execPath} bin/ssokit.js --home ${home} --node-name wizardnode setup`,
    join(dir.path, 'status'),
  );
}

describePty('ssokit setup in a terminal', () => {
  test('a new system through every page: store and backup made, the backup verifies', async () => {
    const home = join(dir.path, 'home');
    const t = wizard(home);
    try {
      await t.waitFor('What do you want to do?');
      t.press('Enter'); // Create a new SSO system
      await t.waitFor("This node's name (wizardnode)");
      t.press('Enter');
      await t.waitFor('cluster network name');
      t.press('Enter'); // No
      await t.waitFor('Service account');
      t.press('Enter');
      await t.waitFor('SSO administrators');
      t.press('Enter');
      await t.waitFor('SSO affiliate administrators');
      t.press('Enter');
      await t.waitFor('Where should the new credential store be created?');
      t.press('Enter');
      await t.waitFor('Back up the master secret now?');
      t.press('Enter'); // Yes
      await t.waitFor('Secret backup password');
      t.type('short');
      t.press('Enter');
      await t.waitFor('too short');
      t.type('pty-password-1');
      t.press('Enter');
      await t.waitFor('Confirm password');
      t.type('pty-password-1');
      t.press('Enter');
      await t.waitFor('Password reminder');
      t.type('typed in a pty');
      t.press('Enter');
      await t.waitFor('Backup file location');
      t.press('Enter');
      const summary = await t.waitFor('Apply these settings?');
      expect(summary).toContain('node name             : wizardnode');
      expect(summary).not.toContain('pty-password-1'); // the password never shows
      t.press('Enter');
      expect(await t.exitStatus()).toBe(0);
      expect(t.screen()).toContain("this node 'wizardnode' is its master secret server");
    } finally {
      t.kill();
    }
    expect(statSync(join(home, 'ssodb.sqlite')).mode & 0o777).toBe(0o600);
    const [backup] = readdirSync(join(home, 'backup'));
    expect(backup).toMatch(/^SSO[0-9A-F]{4}\.bak$/);
    const verify = runCli(
      'ssokit',
      ['--home', home, 'secret', 'verify', join(home, 'backup', backup!), '--password-file', '-'],
      { stdin: 'pty-password-1\n' },
    );
    expect(verify.status).toBe(0);
    expect(verify.stderr).toContain('Password reminder : typed in a pty');
  });

  test('Ctrl-C at a page leaves nothing behind', async () => {
    const home = join(dir.path, 'home');
    const t = wizard(home);
    try {
      await t.waitFor('What do you want to do?');
      t.press('Enter');
      await t.waitFor("This node's name");
      t.press('Enter');
      await t.waitFor('cluster network name');
      t.press('C-c');
      expect(await t.exitStatus()).toBe(4);
      expect(t.screen()).toContain('cancelled at the prompt; nothing was changed');
    } finally {
      t.kill();
    }
    expect(existsSync(home)).toBe(false);
  });
});

describe('ssokit setup without a terminal', () => {
  test('no terminal and no answers file: an immediate error pointing at --answers', () => {
    const result = runCli('ssokit', ['--home', join(dir.path, 'home'), 'setup']);
    expect([result.status, result.stderr]).toEqual([5, expect.stringContaining('ssokit setup --answers FILE')]);
  });

  test('--print-answers, filled in, applied with --answers; the password from a variable', () => {
    const home = join(dir.path, 'home');
    const template = runCli('ssokit', ['--home', home, '--node-name', 'unattended', 'setup', '--print-answers']).stdout;
    const file = join(dir.path, 'answers.json');
    // No password is in the template: it comes from the environment here.
    expect(template).not.toMatch(/"password"\s*:/);
    const backupName = /backup\/(SSO[0-9A-F]{4}\.bak)"/.exec(template)![1]!;
    writeFileSync(file, template, { mode: 0o600 });
    const result = runCli('ssokit', ['--home', home, 'setup', '--answers', file], {
      env: { SSOKIT_PASSWORD: 'from-the-environment' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("this node 'unattended' is its master secret server");
    const verify = runCli('ssokit', ['--home', home, 'secret', 'verify', join(home, 'backup', backupName)], {
      env: { SSOKIT_PASSWORD: 'from-the-environment' },
    });
    expect(verify.status).toBe(0);
  });

  test('a missing or invalid answer is an error naming its key, and nothing is made', () => {
    const home = join(dir.path, 'home');
    const file = join(dir.path, 'answers.json');
    writeFileSync(
      file,
      JSON.stringify({
        mode: 'create',
        nodeName: 'ok',
        serviceAccount: me,
        ssoAdminAccount: me,
        affiliateAdminAccount: 'no-such-group-q',
        store: join(home, 'ssodb.sqlite'),
        skipBackup: true,
      }),
      { mode: 0o600 },
    );
    const result = runCli('ssokit', ['--home', home, 'setup', '--answers', file]);
    expect(result.status).toBe(6);
    expect(result.stderr).toContain(
      'affiliateAdminAccount: affiliate administrators: no OS user or group named "no-such-group-q"',
    );
    expect(existsSync(home)).toBe(false);
  });
});
