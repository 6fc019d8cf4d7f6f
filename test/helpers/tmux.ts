/**
 * Drives a command in a real pseudo-terminal: a detached tmux session, keys sent with
 * send-keys, the screen read with capture-pane.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function whyNoTmux(): string | null {
  return spawnSync('tmux', ['-V']).status === 0 ? null : 'tmux is not installed (.ci/run installs it)';
}

export class TmuxSession {
  readonly name = `ssokit-${randomBytes(4).toString('hex')}`;

  /** Starts `command` (a shell line); its exit status is written to `statusFile`. */
  constructor(
    command: string,
    readonly statusFile: string,
  ) {
    execFileSync('tmux', [
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      '200',
      '-y',
      '50',
      `${command}; echo $? > ${statusFile}; sleep 60`,
    ]);
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
  }

  /** Waits until the screen shows `text`; returns the screen. */
  async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(text)}; the screen shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  type(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
  }

  press(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  async exitStatus(timeoutMs = 15_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const text = readFileSync(this.statusFile, 'utf8').trim();
        if (text) return Number(text);
      } catch {
        // not written yet
      }
      if (Date.now() > until) throw new Error(`no exit status; the screen shows:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  kill(): void {
    spawnSync('tmux', ['kill-session', '-t', this.name]);
  }
}
