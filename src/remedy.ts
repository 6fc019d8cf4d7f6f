/**
 * Hints that name a command or an option. Below the CLI a hint names the remedy — which
 * command, with which values — and never spells a command line: someone who typed
 * `ssoconfig -restoreSecret` is told `ssoconfig -restoreSecret FILE`, someone who typed
 * `ssokit secret restore` is told `ssokit secret restore FILE`. The CLI spells each
 * reference from its command table; `toString()` gives the modern spelling, for logs
 * and for code that has no table at hand.
 *
 *   hint: remedy`restore it from its backup: ${command('secret restore', 'FILE')}`
 *   hint: remedy`choose another name, or add ${option('force')} to replace it`
 *   hint: remedy`join it with ${command('join', option('db', 'PATH'))}`
 */

/** An option, by its long name without dashes (`force`, `db`), with a placeholder value. */
export interface OptionRef {
  readonly kind: 'option';
  readonly name: string;
  readonly value: string | undefined;
}

/**
 * A command by its modern name (`secret restore`). `args` are its positional values in
 * the modern command's order, then options; a table maps them onto another spelling.
 */
export interface CommandRef {
  readonly kind: 'command';
  readonly name: string;
  readonly args: readonly (string | OptionRef)[];
}

export type RemedyPart = string | CommandRef | OptionRef;

/** Spells references; the CLI supplies one that knows the syntax in use. */
export interface RemedySpeller {
  command(ref: CommandRef): string;
  option(ref: OptionRef): string;
}

export const MODERN_SPELLING: RemedySpeller = {
  command: (ref) =>
    ['ssokit', ref.name, ...ref.args.map((a) => (typeof a === 'string' ? a : spellOption(a)))].join(' '),
  option: spellOption,
};

function spellOption(ref: OptionRef): string {
  return ref.value === undefined ? `--${ref.name}` : `--${ref.name} ${ref.value}`;
}

export class Remedy {
  constructor(readonly parts: readonly RemedyPart[]) {}

  spell(speller: RemedySpeller): string {
    return this.parts
      .map((part) => {
        if (typeof part === 'string') return part;
        return part.kind === 'command' ? speller.command(part) : speller.option(part);
      })
      .join('');
  }

  toString(): string {
    return this.spell(MODERN_SPELLING);
  }
}

export function command(name: string, ...args: (string | OptionRef)[]): CommandRef {
  return { kind: 'command', name, args };
}

export function option(name: string, value?: string): OptionRef {
  return { kind: 'option', name, value };
}

/** A tagged template: interpolated strings and numbers stay text, references stay parts. */
export function remedy(strings: TemplateStringsArray, ...values: (string | number | CommandRef | OptionRef)[]): Remedy {
  const parts: RemedyPart[] = [];
  strings.forEach((text, i) => {
    if (text) parts.push(text);
    const value = values[i];
    if (value === undefined) return;
    parts.push(typeof value === 'object' ? value : String(value));
  });
  return new Remedy(parts);
}

/** Text that may carry references: plain sentences stay strings. */
export type Advice = string | Remedy;
