// Issue 12, item 3: a closed standard output ends the command quietly, as other Unix tools do.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml, mappingXml } from '../helpers/xml.js';

let dir: ReturnType<typeof tempDir>;
const home = () => join(dir.path, 'alpha');
const ok = (r: CliResult) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir.path, 'pw'), 'correct-horse-1\n');
  ok(
    runCli('ssokit', [
      '--home',
      home(),
      'init',
      '--backup',
      join(dir.path, 'a.bak'),
      '--password-file',
      join(dir.path, 'pw'),
      '--reminder',
      'r',
    ]),
  );
  writeFileSync(join(dir.path, 'apps.xml'), appXml(Array.from({ length: 40 }, (_, i) => ({ name: `App${i}` }))));
  ok(runCli('ssomanage', ['-createapps', join(dir.path, 'apps.xml'), '--home', home()]));
  // More than a pipe holds (64 KiB), so the writer is still writing when head has gone.
  const rows = Array.from({ length: 5000 }, (_, i): [string, string, string, string] => [
    'CORP',
    `user${i}`,
    'App0',
    `EXT-${i}-${'x'.repeat(40)}`,
  ]);
  writeFileSync(join(dir.path, 'm.xml'), mappingXml(rows));
  ok(runCli('ssomanage', ['-createmappings', join(dir.path, 'm.xml'), '--home', home()]));
}, 60_000);
afterAll(() => dir.cleanup());

const SLOW_EXIT = `data:text/javascript,${encodeURIComponent(
  'const exit = process.exit.bind(process); process.exit = (code) => setTimeout(() => exit(code), 300);',
)}`;

/** Runs `tool args | head -1` in bash; returns the tool's own status, what head printed, and stderr. */
function piped(tool: string, args: string[]) {
  const line = [process.execPath, join(REPO_ROOT, 'bin', `${tool}.js`), ...args, '--home', home()]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const result = spawnSync('bash', ['-c', `${line} 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}"`], {
    // The command's exit is held back a moment, as a command still at work would be, so a
    // write that failed on the closed pipe is reported before the process ends.
    env: testEnv({ ERR: join(dir.path, 'stderr'), NODE_OPTIONS: `--import=${SLOW_EXIT}` }),
    encoding: 'utf8',
  });
  const stderr = spawnSync('cat', [join(dir.path, 'stderr')], { encoding: 'utf8' }).stdout;
  return { stdout: result.stdout, stderr };
}

test.each([
  ['ssokit', ['mapping', 'list', '--app', 'App0']],
  ['ssomanage', ['-listmappings', 'App0']],
  ['ssomanage', ['-listapps', 'ALL']],
])('%s %j | head -1: no error, no stack trace, status 0', (tool, args) => {
  const { stdout, stderr } = piped(tool, args);
  expect(stdout).toMatch(/status=0\n$/);
  expect(stderr).toBe('');
});
