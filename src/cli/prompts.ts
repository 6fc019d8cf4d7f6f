/**
 * Every interactive prompt, wrapped so the rest of the CLI never imports @inquirer/prompts
 * (it is loaded only when a prompt is really shown) and so a cancelled prompt becomes one
 * error. Prompts draw on stderr so stdout carries only results.
 */

import { SsoError } from '../errors.js';
import type { CliIo } from './io.js';

export interface Prompter {
  password(message: string): Promise<string>;
  input(
    message: string,
    options?: {
      default?: string;
      validate?: (value: string) => string | true;
      /** Erase the prompt and the answer once it is given (an answer that may hold a secret). */
      erase?: boolean;
    },
  ): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  select<T extends string>(message: string, choices: { value: T; name: string; description?: string }[]): Promise<T>;
}

export function terminalPrompter(io: CliIo): Prompter {
  const context = { input: io.stdin, output: io.stderr as NodeJS.WritableStream, clearPromptOnDone: false };
  const load = () => import('@inquirer/prompts');
  return {
    // No ctrl+t to show it: a password is never echoed, not even on request.
    password: (message) => cancellable(load().then((p) => p.password({ message, toggleMask: false }, context))),
    input: (message, options = {}) =>
      cancellable(
        load().then((p) =>
          p.input(
            {
              message,
              ...(options.default === undefined ? {} : { default: options.default }),
              ...(options.validate ? { validate: options.validate } : {}),
            },
            { ...context, clearPromptOnDone: Boolean(options.erase) },
          ),
        ),
      ),
    confirm: (message, defaultValue) =>
      cancellable(load().then((p) => p.confirm({ message, default: defaultValue }, context))),
    select: (message, choices) => cancellable(load().then((p) => p.select({ message, choices }, context))),
  };
}

async function cancellable<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') {
      throw new SsoError('CANCELLED', 'cancelled at the prompt; nothing was changed');
    }
    throw error;
  }
}
