import type { Prompter } from '../../src/cli/prompts.js';

/**
 * A Prompter that answers from a script, the way a person would at a terminal: an answer
 * that fails a page's validation is refused (its message recorded) and the next one is used.
 */
export function scriptedPrompter(script: (string | boolean)[]): Prompter & { asked: string[]; refused: string[] } {
  const queue = [...script];
  const asked: string[] = [];
  const refused: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (queue.length === 0) throw new Error(`no scripted answer for "${message}"`);
    return queue.shift()!;
  };
  return {
    asked,
    refused,
    async password(message) {
      return String(next(message));
    },
    async input(message, options = {}) {
      for (;;) {
        let answer = String(next(message));
        if (answer === '' && options.default !== undefined) answer = options.default;
        const verdict = options.validate?.(answer) ?? true;
        if (verdict === true) return answer;
        refused.push(verdict);
      }
    },
    async confirm(message) {
      return Boolean(next(message));
    },
    async select(message, choices) {
      const answer = String(next(message));
      if (!choices.some((c) => c.value === answer)) throw new Error(`"${answer}" is not a choice of "${message}"`);
      return answer as never;
    },
  };
}
