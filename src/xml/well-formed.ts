/**
 * Well-formedness, checked before fast-xml-parser sees the text, so that a broken file is
 * refused at the place it breaks (line and column) with a sentence a person can act on.
 * fast-xml-parser's own validator reports some errors at line 1 ("Invalid '[…]' found"
 * for unclosed elements) and lets others through: "<!— … —>" becomes an element named
 * "!—", text after the root is dropped. What this scanner covers:
 *
 * - tags: names (XML's Name production), attributes (name="value", straight quotes, no "<"
 *   in a value, each name once), ">" or "/>" to end them;
 * - nesting: every element closed, by its own name, in order; one root element, nothing
 *   but comments, processing instructions and white space around it;
 * - comments, CDATA sections and processing instructions closed; the XML declaration only
 *   at the very start;
 * - look-alikes pasted from web pages: "‹!— … —›" and "<!— … —>" (typographic angle
 *   brackets and dashes), “curly” quotes around attribute values.
 *
 * DOCTYPE, control characters and entity references are refused earlier, by xml-document.ts.
 * The first error is reported: after one, the rest of the file cannot be read reliably.
 */

export interface WellFormednessError {
  line: number;
  column: number;
  message: string;
}

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_MORE = '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040';
const NAME = new RegExp(`[${NAME_START}][${NAME_START}${NAME_MORE}]*`, 'uy');

/** Dashes that are not ASCII "-": what a word processor or a web page makes of "--". */
const DASHES = '\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc';
const TYPOGRAPHIC_QUOTES = '\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2018\u2019\u201a\u201b\u2032';
const COMMENT = 'a comment is written <!-- … --> (with two ASCII hyphens at each end)';

interface Open {
  name: string;
  index: number;
}

/** The first well-formedness error of `text`, or null when there is none. */
export function findWellFormednessError(text: string): WellFormednessError | null {
  try {
    scan(text);
    return null;
  } catch (error) {
    if (error instanceof Broken) return { ...position(text, error.index), message: error.message };
    throw error;
  }
}

class Broken extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

function scan(text: string): void {
  const n = text.length;
  const open: Open[] = [];
  let rootSeen = false;
  let rootClosed = false;
  const pseudo = new PseudoComments(text);
  const at = (index: number) => {
    const { line, column } = position(text, index);
    return `line ${line}, column ${column}`;
  };
  let i = 0;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) checkText(text, i, end, open.length > 0, rootClosed, pseudo);
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close === -1) throw new Broken(i, unclosedComment(text, i));
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      if (open.length === 0) throw new Broken(i, 'a CDATA section <![CDATA[ … ]]> can only be inside an element');
      const close = text.indexOf(']]>', i + 9);
      if (close === -1) throw new Broken(i, 'the CDATA section that starts here is never closed with "]]>"');
      i = close + 3;
    } else if (text.startsWith('<!', i)) {
      const next = text[i + 2] ?? '';
      if (next === '-' || DASHES.includes(next))
        throw new Broken(i, `"<!${next}" does not start a comment: ${COMMENT}`);
      throw new Broken(
        i,
        `"<!" starts a comment (<!-- … -->) or a CDATA section (<![CDATA[ … ]]>), not "<!${shown(next)}"`,
      );
    } else if (text.startsWith('<?', i)) {
      const close = text.indexOf('?>', i + 2);
      NAME.lastIndex = i + 2;
      const target = NAME.exec(text)?.[0] ?? '';
      if (target.toLowerCase() === 'xml' && i !== 0) {
        throw new Broken(
          i,
          'the XML declaration <?xml … ?> must be the very first thing in the file: remove what comes before it, even a blank line',
        );
      }
      if (close === -1) throw new Broken(i, `the processing instruction "<?${target}" is never closed with "?>"`);
      i = close + 2;
    } else if (text[i + 1] === '/') {
      NAME.lastIndex = i + 2;
      const name = NAME.exec(text)?.[0];
      if (!name) throw new Broken(i, '"</" must be followed by the name of the element it closes');
      let j = skipSpace(text, i + 2 + name.length);
      if (j >= n) throw new Broken(i, `the closing tag </${name}> is never finished with ">"`);
      if (text[j] !== '>')
        throw new Broken(j, `the closing tag </${name}> takes nothing after its name, not "${shown(text[j]!)}"`);
      j++;
      const top = open.pop();
      if (!top) {
        throw new Broken(
          i,
          rootClosed
            ? `</${name}> comes after the root element was closed: it closes nothing`
            : `</${name}> closes an element that was never opened`,
        );
      }
      if (top.name !== name) {
        const cased = top.name.toLowerCase() === name.toLowerCase();
        throw new Broken(
          i,
          `Expected closing tag '${top.name}' (for the <${top.name}> at ${at(top.index)}), found </${name}>: ` +
            (cased ? 'XML names are case-sensitive' : `close <${top.name}> first, or remove the stray </${name}>`),
        );
      }
      if (open.length === 0) rootClosed = true;
      i = j;
    } else {
      i = startTag(text, i, open, rootClosed, at);
      rootSeen = true;
      if (open.length === 0) rootClosed = true;
    }
  }
  const innermost = open.at(-1);
  if (innermost) {
    const outer = open
      .slice(0, -1)
      .reverse()
      .map((o) => `<${o.name}>`);
    throw new Broken(
      innermost.index,
      `<${innermost.name}> is never closed: the file ends before its </${innermost.name}>` +
        (outer.length ? ` (${outer.join(', ')} ${outer.length === 1 ? 'is' : 'are'} not closed either)` : ''),
    );
  }
  if (!rootSeen) {
    throw new Broken(
      text.trim() === '' ? 0 : text.length,
      text.trim() === ''
        ? 'the file is empty: it needs a root element'
        : 'the file holds no element: it needs a root element',
    );
  }
}

/** Text between markup: only white space outside the root; never a pasted pseudo-comment. */
function checkText(
  text: string,
  from: number,
  to: number,
  inRoot: boolean,
  rootClosed: boolean,
  pseudo: PseudoComments,
): void {
  const found = pseudo.within(from, to);
  if (found !== -1) {
    throw new Broken(found, `"‹!" is not the start of a comment: "‹" (U+2039) only looks like "<"; ${COMMENT}`);
  }
  if (inRoot) return;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    const line = text.slice(k, Math.min(to, k + 200)).split(/\r?\n/)[0]!;
    const stray = line.length > 40 ? `${line.slice(0, 40).trimEnd()}…` : line;
    throw new Broken(
      k,
      rootClosed
        ? `text after the root element: "${shown(stray)}"; nothing but comments may follow the root element's closing tag`
        : `text before the root element: "${shown(stray)}"; a file starts with <?xml … ?> or its root element (make a note a comment: <!-- … -->)`,
    );
  }
}

/** Where "‹!" occurs, found once; text regions are asked in increasing order. */
class PseudoComments {
  private next: number;

  constructor(private readonly text: string) {
    this.next = text.indexOf('\u2039!');
  }

  /** The first "‹!" in [from, to), or -1. */
  within(from: number, to: number): number {
    while (this.next !== -1 && this.next < from) this.next = this.text.indexOf('\u2039!', this.next + 1);
    return this.next !== -1 && this.next < to ? this.next : -1;
  }
}

/** A start tag at `i` ("<" seen): its name and attributes; returns the index after it. */
function startTag(text: string, i: number, open: Open[], rootClosed: boolean, at: (index: number) => string): number {
  const n = text.length;
  const first = text[i + 1] ?? '';
  NAME.lastIndex = i + 1;
  const name = NAME.exec(text)?.[0];
  if (!name) {
    if (first === '' || /\s/.test(first))
      throw new Broken(i, '"<" must be followed by an element name (write &lt; for a "<" in text)');
    const char = String.fromCodePoint(text.codePointAt(i + 1)!);
    const comment = first === '\u2039' || first === '!' || DASHES.includes(first) ? `; ${COMMENT}` : '';
    const digit = /[0-9.-]/.test(first) ? '; a name starts with a letter or "_"' : '';
    throw new Broken(i + 1, `"${shown(char)}" cannot start an element name${comment}${digit}`);
  }
  if (open.length === 0 && rootClosed) {
    throw new Broken(i, `a second root element <${name}>: an XML file has exactly one root element`);
  }
  const seen = new Set<string>();
  let j = i + 1 + name.length;
  for (;;) {
    const spaced = j;
    j = skipSpace(text, j);
    const c = text[j];
    if (c === undefined) throw new Broken(i, `the tag <${name}> is never closed with ">"`);
    if (c === '>') {
      open.push({ name, index: i });
      return j + 1;
    }
    if (c === '/') {
      if (text[j + 1] === '>') return j + 2;
      throw new Broken(j, `"/" in the tag <${name}> must be followed by ">" (an empty element is written <${name}/>)`);
    }
    if (c === '<') throw new Broken(j, `the tag <${name}> (at ${at(i)}) is missing its ">" before this "<"`);
    NAME.lastIndex = j;
    const attr = NAME.exec(text)?.[0];
    if (!attr) {
      const quote = TYPOGRAPHIC_QUOTES.includes(c) ? ' (a typographic quote: XML needs straight quotes " or \')' : '';
      throw new Broken(j, `"${shown(c)}" is not allowed in the tag <${name}>${quote}`);
    }
    if (j === spaced) throw new Broken(j, `attributes must be separated by a space (before ${attr} in <${name}>)`);
    j = skipSpace(text, j + attr.length);
    if (text[j] !== '=') throw new Broken(j, `attribute ${attr} has no value: write ${attr}="…"`);
    j = skipSpace(text, j + 1);
    const q = text[j] ?? '';
    if (q === '"' || q === "'") {
      const close = text.indexOf(q, j + 1);
      const lt = text.indexOf('<', j + 1);
      if (close === -1 || (lt !== -1 && lt < close)) {
        const quote = q === '"' ? 'double quote (")' : "single quote (')";
        throw new Broken(
          j,
          close === -1
            ? `the value of attribute ${attr} is never closed: add the closing ${quote}`
            : `the value of attribute ${attr} runs into a "<": add its closing ${quote}, or write &lt; for a "<" in a value`,
        );
      }
      if (seen.has(attr)) throw new Broken(spaced, `attribute ${attr} is given twice in <${name}>`);
      seen.add(attr);
      j = close + 1;
    } else if (q !== '' && TYPOGRAPHIC_QUOTES.includes(q)) {
      throw new Broken(
        j,
        `the value of attribute ${attr} is in typographic quotes (${q}…): XML needs straight quotes, ${attr}="…"`,
      );
    } else {
      const bare = /^[^\s>/]*/.exec(text.slice(j, Math.min(n, j + 60)))![0];
      throw new Broken(j, `the value of attribute ${attr} must be in quotes: ${attr}="${shown(bare)}"`);
    }
  }
}

function skipSpace(text: string, from: number): number {
  let j = from;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    j++;
  }
  return j;
}

/** A comment that never ends: say which look-alike of "-->" the line ends with, if any. */
function unclosedComment(text: string, start: number): string {
  const lineEnd = text.indexOf('\n', start);
  const line = text.slice(start + 4, lineEnd === -1 ? text.length : lineEnd);
  const lookalike = new RegExp(`[-${DASHES}]{1,2}\\s*[>\u203a]|[${DASHES}]+`).exec(line)?.[0];
  return (
    'the comment that starts here is never closed with "-->"' +
    (lookalike ? `: "${lookalike.trim()}" only looks like it; ${COMMENT}` : '')
  );
}

/** Line and column (1-based; the column counts characters, not UTF-16 units) of `index`. */
function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < index; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: [...text.slice(lineStart, index)].length + 1 };
}

/** Text quoted in a message: control characters (refused earlier anyway) shown as "?". */
function shown(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
