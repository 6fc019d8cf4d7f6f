/**
 * Finds command lines spelled in TypeScript source: below the CLI a hint names its remedy
 * (src/remedy.ts) and the CLI spells it in the syntax in use, so `ssokit secret restore FILE`,
 * `ssoconfig -restoreSecret` or `add --force` written into a string there is a mistake.
 *
 * Only what a user can be shown is read: string literals and the text of template literals
 * (an interpolation stands as `{…}`). Comments, which may well name commands, are skipped,
 * and so are regular expression literals.
 */

export interface LiteralText {
  /** The literal's text as written in the source (escapes not decoded). */
  text: string;
  /** 1-based line of its opening quote. */
  line: number;
}

/** After these words a `/` starts a regular expression, not a division. */
const KEYWORDS_BEFORE_VALUE = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'instanceof',
  'yield',
  'await',
]);

/** Punctuation after which a `/` starts a regular expression. */
const BEFORE_REGEX = new Set([...'(,=:[!&|?{};+-*%<>~^', '']);

interface TemplateFrame {
  start: number;
  text: string;
  /** Inside `${…}`: the depth of braces opened since. */
  depth: number | null;
}

/** Every string literal and template literal text in `source`, in order of their end. */
export function literalTexts(source: string): LiteralText[] {
  const found: LiteralText[] = [];
  const starts = [0];
  for (let k = source.indexOf('\n'); k !== -1; k = source.indexOf('\n', k + 1)) starts.push(k + 1);
  const lineOf = (index: number) => {
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1]! <= index) line++;
    return line + 1;
  };
  const frames: TemplateFrame[] = [];
  /** The last significant code token: a punctuation character, 'value', or '' at the start. */
  let previous = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    const top = frames.at(-1);
    if (top && top.depth === null) {
      // Template text.
      if (c === '\\') {
        top.text += source.slice(i, i + 2);
        i += 2;
      } else if (c === '`') {
        frames.pop();
        found.push({ text: top.text, line: lineOf(top.start) });
        previous = 'value';
        i++;
      } else if (c === '$' && next === '{') {
        top.text += '{…}';
        top.depth = 0;
        previous = '(';
        i += 2;
      } else {
        top.text += c;
        i++;
      }
      continue;
    }
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      i = end === -1 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      found.push({ text: source.slice(i + 1, j), line: lineOf(i) });
      previous = 'value';
      i = j + 1;
    } else if (c === '`') {
      frames.push({ start: i, text: '', depth: null });
      i++;
    } else if (c === '/') {
      if (BEFORE_REGEX.has(previous)) i = afterRegex(source, i);
      else i++;
      previous = BEFORE_REGEX.has(previous) ? 'value' : '/';
    } else if (c === '{') {
      if (top && top.depth !== null) top.depth++;
      previous = '{';
      i++;
    } else if (c === '}') {
      if (top && top.depth !== null) {
        if (top.depth === 0) top.depth = null;
        else top.depth--;
      }
      previous = top && top.depth === null ? '' : '}';
      i++;
    } else if (/[A-Za-z_$0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z_$0-9]/.test(source[j]!)) j++;
      previous = KEYWORDS_BEFORE_VALUE.has(source.slice(i, j)) ? '(' : 'value';
      i = j;
    } else {
      if (!/\s/.test(c)) previous = c === ')' || c === ']' ? 'value' : c;
      i++;
    }
  }
  return found;
}

function afterRegex(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let end = i + 1;
      while (end < source.length && /[a-z]/.test(source[end]!)) end++;
      return end;
    } else if (c === '\n') return i;
  }
  return source.length;
}

/** The modern commands' first words (docs/commands.md). */
const COMMANDS = [
  'init',
  'join',
  'setup',
  'check',
  'get',
  'set',
  'secret',
  'db',
  'app',
  'mapping',
  'credentials',
  'config-store',
  'audit',
  'bizsys',
  'clone',
  'service',
];

const SPELLINGS: readonly RegExp[] = [
  // ssokit followed by a command, or by an interpolated one
  new RegExp(`\\bssokit (?:(?:${COMMANDS.join('|')})(?![\\w-])|\\{…\\})`, 'g'),
  // an original tool followed by an option: ssoconfig -restoreSecret, ssocloneaz -p
  /\bsso(?:config|manage|client|cloneaz) -[A-Za-z]\w*/g,
  // a long option: add --force, --db PATH, (--force)
  /(?<![\w-])--[a-z][a-z0-9-]*/g,
];

/** Names that read like a command but are not one: the secret backup file format's name. */
const NOT_COMMANDS = /\breadable ssokit secret backup\b/g;

/** What `text` spells of a command line: each command or option found, as written. */
export function spelledCommands(text: string): string[] {
  const plain = text.replace(NOT_COMMANDS, '');
  return SPELLINGS.flatMap((pattern) => [...plain.matchAll(pattern)].map((m) => m[0]));
}

export interface SpelledCommand {
  line: number;
  spelled: string[];
  text: string;
}

/** Every literal of `source` that spells a command line. */
export function findSpelledCommands(source: string): SpelledCommand[] {
  return literalTexts(source)
    .map(({ text, line }) => ({ line, text, spelled: spelledCommands(text) }))
    .filter((f) => f.spelled.length > 0);
}
