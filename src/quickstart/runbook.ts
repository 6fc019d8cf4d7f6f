/**
 * Runbooks as programs: the ```sh blocks of a "## Runbook N" section of docs/operations.md,
 * each `$ ` line a command (a here-document runs on to its EOF line), the lines under it
 * what it prints ({MSID} is any master secret id, … anything), and a `# exit N` comment its
 * expected exit status. The runbook tests and `npm start` both run them this way.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunbookStep {
  command: string;
  expectedStatus: number;
  expectedLines: string[];
}

export interface Runbook {
  title: string;
  steps: RunbookStep[];
}

export function readRunbook(markdown: string, number: number): Runbook {
  const start = markdown.indexOf(`## Runbook ${number}:`);
  if (start < 0) throw new Error(`docs/operations.md has no runbook ${number}`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const title = section.slice(section.indexOf(':') + 1, section.indexOf('\n')).trim();
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
        while (++i < lines.length && lines[i] !== 'EOF') command += `\n${lines[i]}`;
        command += '\nEOF';
      }
      const exit = /\s# exit (\d+)$/.exec(command);
      steps.push({ command, expectedStatus: exit ? Number(exit[1]) : 0, expectedLines: [] });
    }
  }
  return { title, steps };
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

/** Node homes, a store path, a backup folder, a password file, and the tools on PATH. */
export function runbookWorld(dir: string, repoRoot: string): RunbookWorld {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['ssokit', 'ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz']) {
    writeFileSync(
      join(bin, tool),
      `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'bin', `${tool}.js`)}" "$@"\n`,
    );
    chmodSync(join(bin, tool), 0o755);
  }
  mkdirSync(join(dir, 'backups'), { recursive: true });
  mkdirSync(join(dir, 'shared'), { recursive: true });
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
      FIXTURES: join(repoRoot, 'fixtures', 'xml'),
    },
  };
}

export interface StepOutcome {
  step: RunbookStep;
  status: number;
  output: string;
  /** Lines the runbook shows that the command did not print. */
  missing: string[];
}

export function runStep(world: RunbookWorld, step: RunbookStep, env: NodeJS.ProcessEnv): StepOutcome {
  const result = spawnSync('bash', ['-c', `set -o pipefail\n${step.command}`], {
    cwd: world.dir,
    env: { ...env, ...world.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  const lines = output.split('\n');
  const missing = step.expectedLines.filter((expected) => !lines.some((line) => linePattern(expected).test(line)));
  return { step, status: result.status ?? -1, output, missing };
}
