/**
 * Everything ssokit prints goes through here. The rules:
 * - results go to stdout (JSON with --json); diagnostics, warnings and prompts to stderr;
 * - modern commands write `ssokit: error: <lower-case, no period>` and `ssokit: hint: …`;
 *   original-syntax commands write Enterprise SSO's `ERROR: 0x…: <sentence>`;
 * - colour only on a terminal, never with --no-color or NO_COLOR;
 * - a secret value is printed only when the user asked for it (--reveal, --runtime);
 * - every string printed is escaped (src/printable.ts) as it is written: names, values and
 *   paths from the store, a file or the command line cannot move the cursor, erase a line
 *   or start a new one. Colour is applied after escaping, to `Styled` pieces only; JSON is
 *   escaped by construction; `raw` (help, an exported file) is the one exception.
 */

import { formatHresult, type SsoError } from '../errors.js';
import { escapeControls } from '../printable.js';
import { type Advice, MODERN_SPELLING, type RemedySpeller } from '../remedy.js';
import type { CliIo } from './io.js';

export type Style = 'modern' | 'legacy';

export interface ProgressBar {
  update(progress: { done: number; total: number }): void;
  finish(): void;
}

export interface OutputOptions {
  tool: string;
  style: Style;
  json: boolean;
  /** Spells the commands and options hints name, in the syntax in use. */
  speller?: RemedySpeller;
}

/** The few styles ssokit uses. */
export interface Painter {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** A piece of a line in one of the styles; plain strings are pieces too. */
export interface Styled {
  readonly style: keyof Painter;
  readonly text: string;
}
export type Piece = string | Styled;

export const styled = (style: keyof Painter, text: string): Styled => ({ style, text });

const plain = (text: string) => text;
export const PLAIN: Painter = { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };

/** chalk, loaded only when colour is on (most runs are scripts, and start-up is measured). */
export async function painterFor(color: boolean): Promise<Painter> {
  if (!color) return PLAIN;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

export class Output {
  constructor(
    readonly io: CliIo,
    readonly options: OutputOptions,
    readonly paint: Painter = PLAIN,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  get legacy(): boolean {
    return this.options.style === 'legacy';
  }

  /** ssomanage and ssoclient open with the server they use; ssokit works on the store directly. */
  usingServer(): void {
    if (this.legacy && !this.json) this.line('Using SSO server on this computer');
  }

  /**
   * One line of results on stdout. With --json, stdout carries only the one JSON
   * document: lines, rows, tables and fields are the text form of that result, and are
   * not printed.
   */
  line(...pieces: Piece[]): void {
    if (this.json) return;
    this.io.stdout.write(`${this.render(pieces)}\n`);
  }

  /** Many lines of results in one write (a listing can have 100,000); each cell escaped. */
  rows(rows: readonly (readonly string[])[], separator = '\t'): void {
    if (rows.length === 0 || this.json) return;
    this.io.stdout.write(`${rows.map((row) => row.map(escapeControls).join(separator)).join('\n')}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Text that is already laid out (help, an exported file) on stdout, as it is. */
  raw(text: string): void {
    this.io.stdout.write(text);
  }

  /** A progress or context note on stderr (not part of the results). */
  note(text: Advice): void {
    this.io.stderr.write(`${this.render([styled('dim', this.spell(text))])}\n`);
  }

  /** A line of conversation on stderr: what a prompt needs said around it. */
  say(...pieces: Piece[]): void {
    this.io.stderr.write(`${this.render(pieces)}\n`);
  }

  warn(text: Advice): void {
    const prefix = this.legacy ? 'WARNING: ' : `${this.options.tool}: warning: `;
    this.io.stderr.write(`${this.render([styled('yellow', prefix + this.spell(text))])}\n`);
  }

  /**
   * Ends a successful command: modern commands print their own summary line, the
   * original syntax prints Enterprise SSO's closing sentence, and --json prints `result`
   * (docs/json.md), the one document on stdout a script reads.
   */
  done(summary: string, result?: unknown): void {
    if (this.json) {
      if (result !== undefined) this.printJson(result);
      return;
    }
    if (this.legacy) this.line('The operation completed successfully.');
    else this.line(styled('green', '✓ '), summary);
  }

  /** Messages may quote names from files or the command line: their control characters are escaped. */
  error(error: SsoError): void {
    const { stderr } = this.io;
    if (this.json) {
      // One JSON document on stderr, escaped by construction (docs/json.md).
      const hint = error.advice === undefined ? null : this.spell(error.advice);
      const body = { code: error.code, status: error.exitStatus, message: error.message, hint, details: error.details };
      stderr.write(`${JSON.stringify({ error: body })}\n`);
      return;
    }
    const message = escapeControls(error.message);
    const details = error.details.map(escapeControls);
    const hint = error.advice === undefined ? '' : escapeControls(this.spell(error.advice));
    if (this.legacy) {
      stderr.write(`${this.paint.red(`ERROR: ${formatHresult(error.esso.hresult)}: ${error.esso.text}`)}\n`);
      stderr.write(`${message}\n`);
      for (const detail of details) stderr.write(`  ${detail}\n`);
      if (hint) stderr.write(`hint: ${hint}\n`);
      return;
    }
    stderr.write(`${this.paint.red(`${this.options.tool}: error: ${message}`)}\n`);
    for (const detail of details) stderr.write(`  ${detail}\n`);
    if (hint) stderr.write(`${this.options.tool}: hint: ${hint}\n`);
  }

  /** A stack trace, with --debug only. */
  trace(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Pieces escaped, then painted. */
  private render(pieces: readonly Piece[]): string {
    return pieces
      .map((piece) =>
        typeof piece === 'string' ? escapeControls(piece) : this.paint[piece.style](escapeControls(piece.text)),
      )
      .join('');
  }

  /** Advice spelled in the syntax in use. */
  spell(text: Advice): string {
    return typeof text === 'string' ? text : text.spell(this.options.speller ?? MODERN_SPELLING);
  }

  /** A one-line bar on stderr, redrawn in place; nothing at all when stderr is not a terminal. */
  progress(label: string): ProgressBar {
    const { stderr } = this.io;
    if (!stderr.isTTY || this.json) return { update: () => undefined, finish: () => undefined };
    let drawn = false;
    let lastPercent = -1;
    return {
      update({ done, total }) {
        const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
        if (percent === lastPercent) return;
        lastPercent = percent;
        const width = 30;
        const filled = Math.round((percent / 100) * width);
        stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${done}/${total}`);
        drawn = true;
      },
      finish() {
        if (drawn) stderr.write('\n');
      },
    };
  }

  /** Aligned columns; the first row is the heading. Cells are escaped before they are measured. */
  table(rows: string[][]): void {
    if (rows.length === 0 || this.json) return;
    const cells = rows.map((row) => row.map(escapeControls));
    const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
    cells.forEach((row, index) => {
      const text = row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length)))
        .join('  ');
      this.io.stdout.write(`${index === 0 ? this.paint.bold(text) : text}\n`);
    });
  }

  /** `label : value` lines, in the manner of ssomanage -displaydb. */
  fields(pairs: [string, Piece | Piece[]][]): void {
    const width = Math.max(...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs)
      this.line(label.padEnd(width), ' : ', ...(Array.isArray(value) ? value : [value]));
  }
}
