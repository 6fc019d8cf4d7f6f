// The package as users get it: `npm pack`, `npm install -g` into a prefix of its own, and
// every tool run from that prefix in a folder that is not the checkout.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { type CliResult, REPO_ROOT, spawnCli } from '../helpers/cli.js';
import {
  INSTALL_TIMEOUT_MS,
  type InstalledPackage,
  installedPackage,
  runNpm,
  TOOLS,
  type Tool,
} from '../helpers/installed-package.js';
import { tempDir } from '../helpers/temp-dir.js';

const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
/** A line of a JavaScript stack trace: "    at main (file:///…/main.js:12:3)". */
const STACK_LINE = /^\s+at .*:\d+:\d+\)?$/m;
/** What must never ship: sources, tests, benchmarks, fixtures, TypeScript of any kind. */
// Type declarations (.d.ts) ship: applications import the typed SsoClient.
const NOT_SHIPPED = /^(src|test|bench|fixtures)\/|^dist\/(test|bench|fixtures)\/|(?<!\.d)\.ts$/;

let pkg: InstalledPackage;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  pkg = await installedPackage();
  dir = tempDir('ssokit-package-');
}, INSTALL_TIMEOUT_MS);
afterAll(() => dir?.cleanup());

/** An installed tool, run as a user would: from PREFIX/bin, in a folder of theirs. */
function installed(tool: Tool, args: string[]): CliResult {
  return spawnCli(pkg.bin(tool), args, {
    cwd: dir.path,
    // The bin scripts start with `#!/usr/bin/env node`: the node running these tests.
    env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
  });
}

function tarballFiles(tarball: string): string[] {
  const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  if (listing.status !== 0) throw new Error(`tar -tzf ${tarball}: ${listing.stderr}`);
  return listing.stdout
    .split('\n')
    .filter((line) => line && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

test('the tarball holds the tools, the built code and the docs; no sources, tests, benchmarks or fixtures', () => {
  const files = tarballFiles(pkg.tarball);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'docs/commands.md',
      'dist/src/cli/main.js',
      ...TOOLS.map((tool) => `bin/${tool}.js`),
    ]),
  );
  expect(files.filter((file) => NOT_SHIPPED.test(file))).toEqual([]);
  expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  expect(files).toContain('dist/src/index.d.ts');
});

test('npm pack on a checkout with nothing built builds it (prepack) and packs the same files', async () => {
  // A copy, so that prepack's `npm run build` (which deletes dist/ first) cannot touch the
  // dist/ these tests run from.
  const copy = tempDir('ssokit-prepack-');
  try {
    const skip = new Set(['dist', 'node_modules', '.git']);
    for (const entry of readdirSync(REPO_ROOT)) {
      if (!skip.has(entry)) cpSync(join(REPO_ROOT, entry), join(copy.path, 'checkout', entry), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy.path, 'checkout', 'node_modules'));
    await runNpm(['pack', '--pack-destination', copy.path], join(copy.path, 'checkout'));
    const [tarball, ...more] = readdirSync(copy.path).filter((file) => file.endsWith('.tgz'));
    expect(more).toEqual([]);
    const files = tarballFiles(join(copy.path, tarball!));
    expect(files).toContain('dist/src/cli/main.js');
    expect(files.filter((file) => NOT_SHIPPED.test(file))).toEqual([]);
    expect(files).toEqual(tarballFiles(pkg.tarball));
  } finally {
    copy.cleanup();
  }
}, 120_000);

describe.each(TOOLS)('the installed %s', (tool) => {
  test('--help: usage on stdout, exit 0, no stack trace', () => {
    const result = installed(tool, ['--help']);
    expect([result.status, result.stderr]).toEqual([0, expect.not.stringMatching(STACK_LINE)]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.stdout).toContain(tool);
  });

  test('--version: the package version', () => {
    const result = installed(tool, ['--version']);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain(version);
  });
});

test('the installed ssokit makes a new system and its backup verifies', () => {
  const home = join(dir.path, 'home');
  const backup = join(dir.path, 'SSO1234.bak');
  const passwordFile = join(dir.path, 'pw');
  writeFileSync(passwordFile, 'correct-horse-1\n', { mode: 0o600 });
  // testEnv's SSOKIT_KDF_LOG2N=10 holds for the installed tools as for the checkout's.
  const init = installed('ssokit', [
    'init',
    '--home',
    home,
    '--backup',
    backup,
    '--reminder',
    'r',
    '--password-file',
    passwordFile,
  ]);
  if (init.status !== 0) throw new Error(`init exited ${init.status}\n${init.stdout}\n${init.stderr}`);
  expect(init.stdout).toContain('created a new SSO system');
  expect(init.stderr).not.toMatch(STACK_LINE);
  const verify = installed('ssokit', ['secret', 'verify', backup, '--home', home, '--password-file', passwordFile]);
  expect([verify.status, verify.stderr]).toEqual([0, expect.stringContaining('Password reminder : r')]);
  expect(verify.stdout).toContain('the backup opens and holds the store');
});
