/**
 * The Store contract's `?` placeholders, numbered for PostgreSQL ($1, $2, …). A `?` inside
 * a string literal ('…', E'…', $tag$…$tag$), a quoted identifier ("…") or a comment is
 * left alone. (PostgreSQL's own `?` operators, jsonb's, are not part of the portable SQL
 * core writes.)
 */

export interface Positional {
  text: string;
  /** How many placeholders the statement takes. */
  count: number;
}

const cache = new Map<string, Positional>();
/** Statements core builds vary (IN lists, column sets) but are few; the bound is a safety net. */
const CACHE_LIMIT = 2000;

export function toPositional(sql: string): Positional {
  let found = cache.get(sql);
  if (!found) {
    found = translate(sql);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(sql, found);
  }
  return found;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);

function translate(sql: string): Positional {
  let out = '';
  let count = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '?') {
      out += `$${++count}`;
      i++;
    } else if (c === "'") {
      // E'…' takes backslash escapes; a plain literal only doubles its quotes.
      const escapes = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isWordChar(sql[i - 2]);
      const end = endOfQuoted(sql, i, "'", escapes);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '"') {
      const end = endOfQuoted(sql, i, '"', false);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const newline = sql.indexOf('\n', i);
      const end = newline === -1 ? n : newline;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const end = endOfBlockComment(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$' && !isWordChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? n : close + tag[0].length;
        out += sql.slice(i, end);
        i = end;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, count };
}

/** The index just past the quoted text that starts at `start` (or the end, unterminated). */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** Block comments nest in PostgreSQL. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}
