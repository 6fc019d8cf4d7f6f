/**
 * `npm start`: the main job, end to end, in a throw-away home under the repository
 * (.quickstart/), printing every command it runs and what it printed.
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { painterFor } from '../cli/output.js';
import { stepRunner } from './steps.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const base = join(repoRoot, '.quickstart');
rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true, mode: 0o700 });

const paint = await painterFor(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
const passwordFile = join(base, 'backup-password');
writeFileSync(passwordFile, 'quickstart-password-1\n', { mode: 0o600 });
const env = { ...process.env, SSOKIT_PASSWORD_FILE: passwordFile, NO_COLOR: '1' };
const display = (text: string) => text.split(base).join('.quickstart');
const steps = stepRunner(repoRoot, env, paint, display);
const home = (name: string) => ['--home', join(base, name)];
const backup = (name: string) => join(base, name);

console.log(paint.bold('ssokit quickstart') + paint.dim(` — a throw-away SSO system in ${display(base)}`));

steps.run({
  say: 'Create a new SSO system on node "sso1"; its master secret is backed up in the same step',
  tool: 'ssokit',
  args: [...home('sso1'), '--node-name', 'sso1', 'init', '--backup', backup('SSO1A2B.bak'), '--reminder', 'the quickstart one'],
});
steps.run({ say: 'Prove the backup opens with its password and holds the current secret', tool: 'ssokit', args: [...home('sso1'), 'secret', 'verify', backup('SSO1A2B.bak')] });
steps.run({ say: 'A second SSO server joins the same store (ssoconfig -setDB)', tool: 'ssoconfig', args: ['-setDB', join(base, 'sso1', 'ssodb.sqlite'), ...home('sso2'), '--node-name', 'sso2'] });
steps.run({
  say: 'It is not the master secret server, so restoring the secret there is refused',
  tool: 'ssoconfig',
  args: ['-restoreSecret', backup('SSO1A2B.bak'), ...home('sso2')],
  expect: 40,
});
steps.run({ say: 'Rotate the master secret; only the data keys are re-wrapped', tool: 'ssoconfig', args: ['-generateSecret', backup('SSO3C4D.bak'), ...home('sso1'), '--reminder', 'the rotated one'] });
steps.run({ say: 'The backup made before the rotation is now reported stale', tool: 'ssokit', args: [...home('sso1'), 'secret', 'verify', backup('SSO1A2B.bak')], expect: 43 });
steps.run({ say: 'Where the secret is, and whether this node holds it', tool: 'ssokit', args: [...home('sso1'), 'secret', 'status'] });

console.log(`\n${paint.green('✓')} quickstart finished; everything it made is in ${display(base)} (delete it when done)`);
