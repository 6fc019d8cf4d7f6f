// Below the CLI, hints name their remedy (src/remedy.ts) and never spell a command line:
// the CLI spells `command('secret restore', 'FILE')` as `ssokit secret restore FILE` or
// `ssoconfig -restoreSecret FILE`, whichever syntax the user typed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GLOBAL_OPTIONS } from '../../src/cli/table/common-options.js';
import type { OptionDef } from '../../src/cli/table/define.js';
import { ALL_COMMANDS, modernCommand } from '../../src/cli/table/registry.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { findSpelledCommands, literalTexts, spelledCommands } from '../helpers/spelled-commands.js';

const LAYERS = ['src/core', 'src/node', 'src/store', 'src/crypto', 'src/xml'];

/**
 * Strings that still spell a command line, each for a reason outside these layers: a type
 * the CLI consumes as a string, or a test that asserts the spelled text. Each must still be
 * found (the list only shrinks); nothing else may spell one.
 */
const PENDING: { file: string; text: string; why: string }[] = [
  {
    file: 'src/core/secret/keyring.ts',
    text: '(ssomanage -updatedb with <secretServer>',
    why: 'test/e2e/secret-commands.e2e.test.ts expects "-updatedb" in this hint under the modern syntax',
  },
  {
    file: 'src/core/secret/status.ts',
    text: 'has not been backed up: if it is lost',
    why: 'SecretStatus.warnings, which `secret status --json` prints as they are; runbook 1 of docs/operations.md shows this text under the original syntax',
  },
  {
    file: 'src/core/secret/status.ts',
    text: 'holds no usable copy of the current master secret',
    why: 'SecretStatus.warnings (as above)',
  },
  {
    file: 'src/core/clone/import.ts',
    text: "replacing this node's environment (--force)",
    why: 'ImportPlan.warnings become ImportResult.warnings, which `clone import --json` prints as they are',
  },
  {
    file: 'src/core/check/check.ts',
    text: 'restore it with ssokit secret restore FILE',
    why: 'CheckFinding.message is a string that `ssokit check --json` prints as it is',
  },
  {
    file: 'src/core/check/check.ts',
    text: 'has never been backed up: losing it',
    why: 'CheckFinding.message (as above)',
  },
  {
    file: 'src/core/check/keys.ts',
    text: 'run ssokit secret reencrypt to finish it',
    why: 'CheckFinding.message (as above)',
  },
  {
    file: 'src/core/clone/preflight.ts',
    text: '--include-secret: this node holds no copy',
    why: 'preflight problems become SsoError details, which are string[] (src/errors.ts)',
  },
  {
    file: 'src/core/clone/preflight.ts',
    text: "--include-secret: the store names '",
    why: 'SsoError details (as above)',
  },
  {
    file: 'src/core/clone/preflight.ts',
    text: 'give the cluster network name with ssokit set node.cluster-names',
    why: 'SsoError details (as above)',
  },
  {
    file: 'src/core/manage/database.ts',
    text: '(ssomanage -disablesso)',
    why: 'a line problem of an input file (LineProblem.message is a string); test/unit/global-info-config-store.test.ts asserts it',
  },
  {
    file: 'src/core/clone/node-settings.ts',
    text: 'ssokit set takes NAME=VALUE',
    why: 'an SsoError message (a string); test/e2e/bizsys.e2e.test.ts asserts it',
  },
  {
    file: 'src/core/clone/bizsys.ts',
    text: '--file takes ROLE=PATH',
    why: 'an SsoError message (a string); test/e2e/bizsys.e2e.test.ts asserts it',
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir))
    .sort()
    .flatMap((name) => {
      const path = `${dir}/${name}`;
      if (statSync(join(REPO_ROOT, path)).isDirectory()) return sourceFiles(path);
      return path.endsWith('.ts') ? [path] : [];
    });
}

const findings = LAYERS.flatMap(sourceFiles).flatMap((file) =>
  findSpelledCommands(readFileSync(join(REPO_ROOT, file), 'utf8')).map((found) => ({ file, ...found })),
);
const pendingFor = (f: { file: string; text: string }) =>
  PENDING.find((p) => p.file === f.file && f.text.includes(p.text));

test('no string in core, node, store, crypto or xml spells a command line', () => {
  const spelled = findings
    .filter((f) => !pendingFor(f))
    .map((f) => `${f.file}:${f.line}: ${f.spelled.join(', ')} in ${JSON.stringify(f.text)}`);
  expect(spelled).toEqual([]);
});

test('every pending exception is still there (remove the ones that were converted)', () => {
  const stale = PENDING.filter((p) => !findings.some((f) => pendingFor(f) === p)).map((p) => `${p.file}: ${p.text}`);
  expect(stale).toEqual([]);
});

test('every command and option a remedy names is one the CLI knows', () => {
  const longNames = (options: readonly OptionDef[]) =>
    options.flatMap((o) => /--([a-z][a-z0-9-]*)/.exec(o.flags)?.[1] ?? []);
  const global = longNames(Object.values(GLOBAL_OPTIONS));
  const anywhere = new Set([...global, ...ALL_COMMANDS.flatMap((def) => longNames(def.options))]);
  const unknown: string[] = [];
  for (const file of [...LAYERS.flatMap(sourceFiles), 'src/errors.ts']) {
    const source = readFileSync(join(REPO_ROOT, file), 'utf8');
    // command('name', …) with its arguments (which may hold option(…) calls), then option(…) anywhere.
    for (const call of source.matchAll(/\bcommand\(\s*'([^']+)'((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/g)) {
      const def = modernCommand(call[1]!);
      if (!def) unknown.push(`${file}: command ${call[1]}`);
      const own = new Set([...global, ...longNames(def?.options ?? [])]);
      for (const opt of call[2]!.matchAll(/\boption\(\s*'([^']+)'/g))
        if (!own.has(opt[1]!)) unknown.push(`${file}: ${call[1]} has no option --${opt[1]}`);
    }
    for (const opt of source.matchAll(/\boption\(\s*'([^']+)'/g))
      if (!anywhere.has(opt[1]!)) unknown.push(`${file}: option --${opt[1]}`);
  }
  expect(unknown).toEqual([]);
});

describe('what counts as spelling a command line', () => {
  test('the hints as they were are caught', () => {
    for (const old of [
      'restore it from its backup: ssokit secret restore FILE (ssoconfig -restoreSecret FILE)',
      'join it with ssokit join --db PATH, or choose another --db path',
      'choose another file name, or add --force to replace it',
      'ssomanage -disablemapping {…} {…}',
      'use the password given when the bundle was made (ssocloneaz -p)',
      'run ssokit check',
      'e.g. ssokit {…} NAME=VALUE',
      '--file takes ROLE=PATH',
    ]) {
      expect([old, spelledCommands(old).length > 0]).toEqual([old, true]);
    }
    expect(spelledCommands('join it with ssokit join --db PATH, or choose another --db path')).toEqual([
      'ssokit join',
      '--db',
      '--db',
    ]);
  });

  test('prose that names ssokit, a dash or a file format is not', () => {
    for (const fine of [
      'run as the OS user that owns the ssokit home',
      'upgrade ssokit on this node to the release the other nodes run',
      'try again when the other ssokit command has finished',
      'the bundle was made on ssokit version 0.0.1',
      'not a readable ssokit secret backup: the header is cut short',
      'fix the file -- or remove it',
      'a name-with--dashes and UTF-8',
      'only its owner may read a secret file: chmod 600 /x',
    ]) {
      expect([fine, spelledCommands(fine)]).toEqual([fine, []]);
    }
  });

  test('only string literals and template text are read: not comments, regular expressions or code', () => {
    const source = [
      '/** Run `ssokit secret restore FILE` (ssoconfig -restoreSecret) to --force it. */',
      '// add --force to replace it',
      'const flag = /--force|ssokit init/.test(argv) ? \'a\' : "b";',
      'const ratio = total / 2 / count; // ssokit check',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source, as text
      "const hint = remedy`restore it: ${command('secret restore', 'FILE')} or ${option('force')}`;",
      "const spelled = 'add --force to replace it';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source, as text
      'const nested = `outer ${`inner ssokit check ${x}`} and ssokit ${verb}`;',
    ].join('\n');
    expect(literalTexts(source).map((l) => [l.line, l.text])).toEqual([
      [3, 'a'],
      [3, 'b'],
      [5, 'secret restore'],
      [5, 'FILE'],
      [5, 'force'],
      [5, 'restore it: {…} or {…}'],
      [6, 'add --force to replace it'],
      [7, 'inner ssokit check {…}'],
      [7, 'outer {…} and ssokit {…}'],
    ]);
    expect(findSpelledCommands(source).map((f) => [f.line, f.spelled])).toEqual([
      [6, ['--force']],
      [7, ['ssokit check']],
      [7, ['ssokit {…}']],
    ]);
  });
});
