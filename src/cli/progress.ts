import type { CliIo } from './io.js';

export interface ProgressBar {
  update(progress: { done: number; total: number }): void;
  finish(): void;
}

/** A one-line bar on stderr, redrawn in place; nothing at all when stderr is not a terminal. */
export function progressBar(io: CliIo, label: string): ProgressBar {
  if (!io.stderr.isTTY) return { update: () => undefined, finish: () => undefined };
  let drawn = false;
  let lastPercent = -1;
  return {
    update({ done, total }) {
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (percent === lastPercent) return;
      lastPercent = percent;
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${done}/${total}`);
      drawn = true;
    },
    finish() {
      if (drawn) io.stderr.write('\n');
    },
  };
}
