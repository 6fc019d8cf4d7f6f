/**
 * Reading untrusted JSON the way the XML readers read XML: every problem is collected with
 * its place — a JSON path such as `session.maxInactiveSeconds` or `files[2].path`, and a
 * line for a syntax error or a JSON Lines entry — instead of stopping at the first, so the
 * caller can report them all at once (in its own error: this module knows no SsoError).
 *
 *   const problems = new JsonProblems();
 *   const root = readJsonObject(parsed.value, problems);
 *   const name = root.string('name');
 *   const seconds = root.object('session').integer('maxInactiveSeconds', { min: 1 });
 *   if (problems.any) throw …(problems.list.map(jsonProblemText));
 *
 * Readers return a harmless stand-in ('', 0, false, [], an empty object) when a value is
 * missing or wrong, so reading goes on. Problems never quote a value (it may be a secret),
 * only where it is and what it should have been. Syntax errors are located by this module's
 * own scanner, never by the engine's message, which quotes the text it failed on.
 */

export type JsonProblemKind = 'syntax' | 'missing' | 'wrong' | 'unknown-key' | 'invalid';

export interface JsonProblem {
  readonly kind: JsonProblemKind;
  /** Where: `backup.path`, `files[2].name`, `fields["User ID"]`; '' for the value as a whole. */
  readonly path: string;
  /** The problem without its place: `missing`, `must be a string`, `unknown key`. */
  readonly message: string;
  /** For missing and wrong values, what the value should be: `a string`, `true or false`. */
  readonly expected?: string;
  /** 1-based, when known: the line of a syntax error, or of a JSON Lines entry. */
  readonly line?: number;
  /** 1-based, for a syntax error. */
  readonly column?: number;
}

/** `path: message` (`session.ssl: must be true or false`), or the message alone for the whole value. */
export function jsonProblemText(problem: JsonProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

/**
 * The same problem as a sentence, as the file formats word theirs: `session.ssl is not true
 * or false` (said of a missing value too); `whole` names the value as a whole.
 */
export function jsonProblemSentence(problem: JsonProblem, whole = 'the value'): string {
  const where = problem.path || whole;
  return problem.expected === undefined ? `${where}: ${problem.message}` : `${where} is not ${problem.expected}`;
}

/** Problems found while reading one document (or one JSON Lines entry: give its line). */
export class JsonProblems {
  readonly list: JsonProblem[] = [];

  constructor(readonly line?: number) {}

  add(problem: Omit<JsonProblem, 'line'>): void {
    this.list.push(this.line === undefined ? problem : { ...problem, line: this.line });
  }

  get any(): boolean {
    return this.list.length > 0;
  }
}

// ---------------------------------------------------------------------------------------
// Parsing

export type ParsedJson = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

/**
 * Parses one JSON text. A leading byte order mark is allowed. A syntax error is a problem
 * of kind `syntax` with its line and column (`line` counts from `firstLine`).
 */
export function parseJson(text: string, firstLine = 1): ParsedJson {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    const { index, what } = locateSyntaxError(body);
    const { line, column } = positionOf(body, index);
    const at = line + firstLine - 1;
    return {
      ok: false,
      problem: { kind: 'syntax', path: '', message: `${what} at line ${at}, column ${column}`, line: at, column },
    };
  }
}

export interface JsonLine {
  /** 1-based line number in the text. */
  line: number;
  parsed: ParsedJson;
}

/** JSON Lines: one value per line; blank lines are skipped, a final CR is dropped. */
export function* jsonLines(text: string): Generator<JsonLine> {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    yield { line: index + 1, parsed: parseJson(line, index + 1) };
  }
}

// ---------------------------------------------------------------------------------------
// Typed readers

export interface Bounds {
  min?: number;
  max?: number;
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a whole read as an object; a problem (path '') when it is not one. */
export function readJsonObject(value: unknown, problems: JsonProblems, what = 'a JSON object'): JsonObject {
  if (isRecord(value)) return new JsonObject(value, '', problems);
  problems.add({ kind: 'wrong', path: '', message: `must be ${what}`, expected: what });
  return new JsonObject(undefined, '', problems);
}

/** A path's child by key: `a.b`, or `a["b c"]` when the key is not a plain name (a long one is cut). */
export function jsonPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (key.length <= 64 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return `${parent}[${JSON.stringify(shown)}]`;
}

/** One JSON object's fields, read by type. */
export class JsonObject {
  /**
   * @param value the object, or undefined when it was missing or not an object (its problem
   *   is already recorded; every field then reads as its stand-in, with no further problem)
   */
  constructor(
    private readonly value: JsonRecord | undefined,
    readonly path: string,
    readonly problems: JsonProblems,
  ) {}

  /** False when this stands in for a missing or wrong value. */
  get valid(): boolean {
    return this.value !== undefined;
  }

  /** The object's keys (none for a stand-in). */
  keys(): string[] {
    return this.value ? Object.keys(this.value) : [];
  }

  /** Whether the key is present with any value but null. */
  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** The value as parsed; null counts as absent. */
  raw(key: string): unknown {
    if (!this.value || !Object.hasOwn(this.value, key)) return undefined;
    return this.value[key] ?? undefined;
  }

  pathOf(key: string | number): string {
    return jsonPath(this.path, key);
  }

  /** Records a problem with the value at `key` that the typed readers cannot see. */
  problem(key: string | number, message: string): void {
    this.problems.add({ kind: 'invalid', path: this.pathOf(key), message });
  }

  /** Records that the value at `key` is not what it should be (`an absolute path`). */
  reject(key: string | number, expected: string): void {
    this.#wrong(this.pathOf(key), expected);
  }

  /** One problem for every key not in `known`. */
  rejectUnknownKeys(known: ReadonlySet<string>): void {
    for (const key of this.keys())
      if (!known.has(key)) this.problems.add({ kind: 'unknown-key', path: this.pathOf(key), message: 'unknown key' });
  }

  string(key: string): string {
    return this.#required(key, 'a string', isString, '');
  }

  optionalString(key: string): string | undefined {
    return this.#optional(key, 'a string', isString);
  }

  boolean(key: string): boolean {
    return this.#required(key, 'true or false', isBoolean, false);
  }

  optionalBoolean(key: string): boolean | undefined {
    return this.#optional(key, 'true or false', isBoolean);
  }

  /** A finite number, within the bounds. */
  number(key: string, bounds: Bounds = {}): number {
    return this.#required(key, numberWanted(false, bounds), (v) => isNumber(v, false, bounds), 0);
  }

  /** A whole number (a safe integer), within the bounds. */
  integer(key: string, bounds: Bounds = {}): number {
    return this.#required(key, numberWanted(true, bounds), (v) => isNumber(v, true, bounds), 0);
  }

  /** One of `values`, exactly; undefined when missing or not one of them. */
  enumOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const quoted = values.map((v) => JSON.stringify(v));
    const wanted = quoted.length > 2 ? `${quoted.slice(0, -1).join(', ')}, or ${quoted.at(-1)}` : quoted.join(' or ');
    return this.#optional(key, wanted, (v): v is T => values.includes(v as T), true);
  }

  /** A list of strings; each element that is not one is a problem of its own. */
  stringList(key: string): string[] {
    return this.#stringList(key, true) ?? [];
  }

  optionalStringList(key: string): string[] | undefined {
    return this.#stringList(key, false);
  }

  /** An object of string values (a JSON object used as a map); each other value is a problem. */
  stringRecord(key: string): Record<string, string> {
    const value = this.#required(key, 'an object', isRecord, undefined);
    if (!value) return {};
    const entries = Object.entries(value);
    const strings = entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    if (strings.length === entries.length) return value as Record<string, string>;
    const path = this.pathOf(key);
    for (const [name, v] of entries) if (typeof v !== 'string') this.#wrong(jsonPath(path, name), 'a string');
    return Object.fromEntries(strings);
  }

  /** A nested object; a stand-in (reading as empty, with no further problems) when it is not one. */
  object(key: string, what = 'an object'): JsonObject {
    return new JsonObject(this.#required(key, what, isRecord, undefined), this.pathOf(key), this.problems);
  }

  /** A nested object, or undefined when absent or null. */
  optionalObject(key: string, what = 'an object'): JsonObject | undefined {
    if (!this.has(key)) return undefined;
    return this.object(key, what);
  }

  /** A list of objects (`what` describes the list, e.g. `a list of {role, name}`). */
  objectList(key: string, what = 'a list of objects'): JsonObject[] {
    const list = this.#required(key, what, Array.isArray, undefined);
    if (!list) return [];
    const path = this.pathOf(key);
    return list.map((item, index) => {
      const itemPath = jsonPath(path, index);
      if (isRecord(item)) return new JsonObject(item, itemPath, this.problems);
      this.#wrong(itemPath, 'an object');
      return new JsonObject(undefined, itemPath, this.problems);
    });
  }

  #required<T, D>(key: string, expected: string, accept: (v: unknown) => v is T, standIn: D): T | D {
    if (!this.value) return standIn;
    const v = this.raw(key);
    if (v === undefined) {
      this.problems.add({ kind: 'missing', path: this.pathOf(key), message: 'missing', expected });
      return standIn;
    }
    if (accept(v)) return v;
    this.#wrong(this.pathOf(key), expected);
    return standIn;
  }

  #optional<T>(key: string, expected: string, accept: (v: unknown) => v is T, required = false): T | undefined {
    if (!this.value) return undefined;
    const v = this.raw(key);
    if (v === undefined) {
      if (required) this.problems.add({ kind: 'missing', path: this.pathOf(key), message: 'missing', expected });
      return undefined;
    }
    if (accept(v)) return v;
    this.#wrong(this.pathOf(key), expected);
    return undefined;
  }

  #stringList(key: string, required: boolean): string[] | undefined {
    const what = 'a list of strings';
    const list = required
      ? this.#required(key, what, Array.isArray, undefined)
      : this.#optional(key, what, Array.isArray);
    if (!list) return undefined;
    const path = this.pathOf(key);
    const strings: string[] = [];
    list.forEach((item: unknown, index) => {
      if (typeof item === 'string') strings.push(item);
      else this.#wrong(jsonPath(path, index), 'a string');
    });
    return strings;
  }

  #wrong(path: string, expected: string): void {
    this.problems.add({ kind: 'wrong', path, message: `must be ${expected}`, expected });
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

function isNumber(v: unknown, integer: boolean, { min, max }: Bounds): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (integer && !Number.isSafeInteger(v)) return false;
  return (min === undefined || v >= min) && (max === undefined || v <= max);
}

function numberWanted(integer: boolean, { min, max }: Bounds): string {
  const kind = integer ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

// ---------------------------------------------------------------------------------------
// Locating a syntax error (only run once JSON.parse has refused the text)

const STRUCTURAL = new Set(['{', '}', '[', ']', ',', ':', '"']);

function shownChar(c: string): string {
  return STRUCTURAL.has(c) ? `unexpected "${c}"` : 'an unexpected character';
}

/**
 * Where and why the text is not JSON: a scanner of the JSON grammar with an explicit stack
 * (no recursion, however deep the nesting). Should it find nothing wrong where the engine
 * did, the text is reported as not JSON at its start.
 */
function locateSyntaxError(text: string): { index: number; what: string } {
  const n = text.length;
  const stack: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const fail = (what: string, at = i) => ({
    index: Math.min(at, n),
    what: at >= n ? 'unexpected end of the text' : what,
  });

  type State = 'value' | 'key' | 'after';
  let state: State = 'value';
  for (;;) {
    skipSpace();
    if (state === 'value') {
      if (i >= n) return fail('');
      const c = text[i]!;
      if (c === '{') {
        i++;
        skipSpace();
        if (text[i] === '}') {
          i++;
          state = 'after';
        } else {
          stack.push('{');
          state = 'key';
        }
      } else if (c === '[') {
        i++;
        skipSpace();
        if (text[i] === ']') {
          i++;
          state = 'after';
        } else stack.push('[');
      } else if (c === '"') {
        const error = scanString();
        if (error) return error;
        state = 'after';
      } else if (c === '-' || (c >= '0' && c <= '9')) {
        const error = scanNumber();
        if (error) return error;
        state = 'after';
      } else {
        const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (!word) return fail(c === '}' || c === ']' ? shownChar(c) : `${shownChar(c)} where a value belongs`);
        i += word.length;
        state = 'after';
      }
    } else if (state === 'key') {
      if (text[i] !== '"') return fail('expected a property name in double quotes');
      const error = scanString();
      if (error) return error;
      skipSpace();
      if (text[i] !== ':') return fail('expected ":" after a property name');
      i++;
      state = 'value';
    } else {
      const top = stack.at(-1);
      if (top === undefined)
        return i < n ? fail('unexpected text after the JSON value') : { index: 0, what: 'not JSON' };
      const close = top === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (text[i] === close) {
        i++;
        stack.pop();
      } else return fail(`expected "," or "${close}"`);
    }
  }

  function scanString(): { index: number; what: string } | null {
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('an invalid \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return fail('an invalid escape in a string');
      } else if (c < 0x20) return fail('a control character in a string (it must be escaped)');
      else i++;
    }
    return { index: start, what: 'a string that is not closed' };
  }

  function scanNumber(): { index: number; what: string } | null {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return fail('an invalid number');
    if (text[i] === '.') {
      i++;
      if (!digits()) return fail('an invalid number');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return fail('an invalid number');
    }
    return null;
  }

  function digits(): boolean {
    const start = i;
    while (i < n && text[i]! >= '0' && text[i]! <= '9') i++;
    return i > start;
  }
}

function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
