/**
 * Runbooks as tests: reads the ```sh blocks of a "## Runbook N" section of
 * docs/operations.md, runs every `$ ` command in order with bash, and checks the lines the
 * runbook shows under each command against what it printed.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { testEnv } from './fast-deps.js';

export interface RunbookStep {
  command: string;
  expectedStatus: number;
  expectedLines: string[];
}

export function readRunbook(number: number): RunbookStep[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
  const start = doc.indexOf(`## Runbook ${number}:`);
  if (start < 0) throw new Error(`docs/operations.md has no runbook ${number}`);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const steps: RunbookStep[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.startsWith('$ ')) {
        if (line.trim() && steps.length) steps[steps.length - 1]!.expectedLines.push(line.trim());
        continue;
      }
      let command = line.slice(2);
      if (/<<'EOF'$/.test(command)) {
        // A here-document runs on until its EOF line.
        while (++i < lines.length && lines[i] !== 'EOF') command += `\n${lines[i]}`;
        command += '\nEOF';
      }
      const exit = /\s# exit (\d+)$/.exec(command);
      steps.push({ command, expectedStatus: exit ? Number(exit[1]) : 0, expectedLines: [] });
    }
  }
  return steps;
}

/** A runbook line as a pattern: {MSID} is any master secret id, … is anything. */
export function linePattern(expected: string): RegExp {
  const escaped = expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(escaped.replace(/\\\{MSID\\\}/g, '\\{[0-9A-F-]{36}\\}').replace(/…/g, '.*'));
}

export interface RunbookWorld {
  dir: string;
  env: Record<string, string>;
}

/** A place to run runbooks: node homes, a store path, a backup folder, a password file, the tools on PATH. */
export function runbookWorld(dir: string): RunbookWorld {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of ['ssokit', 'ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', `${tool}.js`)}" "$@"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  mkdirSync(join(dir, 'backups'));
  mkdirSync(join(dir, 'shared'));
  writeFileSync(join(dir, 'pw'), 'runbook-password-1\n', { mode: 0o600 });
  return {
    dir,
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      NODE1: join(dir, 'node1'),
      NODE2: join(dir, 'node2'),
      NODE3: join(dir, 'node3'),
      STORE: join(dir, 'shared', 'ssodb.sqlite'),
      BACKUPS: join(dir, 'backups'),
      PW: join(dir, 'pw'),
      FIXTURES: join(REPO_ROOT, 'fixtures', 'xml'),
    },
  };
}

export interface StepOutcome {
  step: RunbookStep;
  status: number;
  output: string;
  missing: string[];
}

export function runStep(world: RunbookWorld, step: RunbookStep): StepOutcome {
  const result = spawnSync('bash', ['-c', `set -o pipefail\n${step.command}`], {
    cwd: world.dir,
    env: testEnv(world.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  const lines = output.split('\n');
  const missing = step.expectedLines.filter((expected) => !lines.some((line) => linePattern(expected).test(line)));
  return { step, status: result.status ?? -1, output, missing };
}
