/**
 * Reading an XML input file safely, with fast-xml-parser doing the parsing:
 * - a size cap, checked before reading;
 * - UTF-8 (a BOM is allowed) or UTF-16 with a BOM; invalid bytes are refused, not replaced;
 * - no DOCTYPE and so no entities beyond XML's five and character references: nothing is
 *   expanded and nothing is fetched;
 * - well-formedness checked first (well-formed.ts), so a broken file is refused at its line
 *   and column with a sentence, not at line 1 with the parser's internals;
 * - a nesting cap;
 * - every element knows its line, so every problem can be reported with one.
 */

import { closeSync, fstatSync } from 'node:fs';
import { basename } from 'node:path';
import { fileProblems, type LineProblem, SsoError } from '../errors.js';
import { ioError, openRegularFile, readUpTo } from '../node/private-files.js';
import { fastXml } from './fast-xml.js';
import { findWellFormednessError } from './well-formed.js';

/** 64 MiB: a file of 100,000 mappings is about 21 MiB. */
export const XML_MAX_BYTES = 64 * 1024 * 1024;
export const XML_MAX_DEPTH = 32;

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, trimmed (text of children not included). */
  text: string;
  line: number;
}

export interface XmlDocument {
  /** The file's name, for messages. */
  file: string;
  root: XmlElement;
}

export type XmlProblem = LineProblem;

/** One error for all the problems found in a file; nothing is applied. */
export const xmlProblems = fileProblems;

export function readXmlFile(path: string, maxBytes = XML_MAX_BYTES): XmlDocument {
  const fd = openRegularFile(path);
  let bytes: Buffer;
  try {
    const tooLarge = (size: string) =>
      new SsoError('INVALID_INPUT', `${path} is ${size} bytes; XML input is limited to ${maxBytes / 2 ** 20} MiB`);
    const { size } = fstatSync(fd);
    if (size > maxBytes) throw tooLarge(String(size));
    bytes = readUpTo(fd, maxBytes, () => tooLarge(`over ${maxBytes}`));
  } catch (error) {
    throw ioError(`cannot read ${path}`, error);
  } finally {
    closeSync(fd);
  }
  return parseXml(bytes, basename(path));
}

export function parseXml(bytes: Uint8Array, file: string): XmlDocument {
  const text = decode(bytes, file);
  const fail = (line: number, message: string) => xmlProblems(file, [{ line, message }]);
  const doctype = /<!DOCTYPE|<!ENTITY/i.exec(text);
  if (doctype) {
    throw fail(
      lineAt(text, doctype.index),
      'a DOCTYPE or ENTITY declaration is not allowed (no entities are expanded or fetched)',
    );
  }
  // XML 1.0's Char production: a control character, raw or as a reference, makes the file
  // not XML. The parser would pass a raw one through and silently drop a referenced one.
  const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.exec(text);
  if (raw)
    throw fail(lineAt(text, raw.index), `the character ${codePointName(raw[0].codePointAt(0)!)} is not allowed in XML`);
  for (const reference of text.matchAll(/&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g)) {
    const code = reference[1] !== undefined ? parseInt(reference[1], 16) : Number(reference[2]);
    if (!isXmlChar(code))
      throw fail(
        lineAt(text, reference.index),
        `the character reference "${reference[0]}" (${codePointName(code)}) is not allowed in XML`,
      );
  }
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)[^;\s<&]{0,40};?/.exec(text);
  if (entity) throw fail(lineAt(text, entity.index), `undefined entity reference "${printable(entity[0])}"`);
  const broken = findWellFormednessError(text);
  if (broken)
    throw fail(broken.line, `not well-formed XML: ${broken.message} (line ${broken.line}, column ${broken.column})`);
  // fast-xml-parser's validator stays as a second opinion; the scanner above should leave it nothing.
  const valid = fastXml().XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { line, col } = valid.err;
    throw fail(
      line,
      `not well-formed XML: ${valid.err.msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`,
    );
  }

  const parser = new (fastXml().XMLParser)({
    preserveOrder: true,
    captureMetaData: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: true, // for character references: named HTML entities never get here (refused above)
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: false,
    maxNestedTags: XML_MAX_DEPTH,
  });
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (error) {
    throw fail(1, `cannot be read: ${(error as Error).message} (elements may nest at most ${XML_MAX_DEPTH} deep)`);
  }
  const lines = lineStarts(text);
  const elements = nodes.map((node) => toElement(node, lines)).filter((e): e is XmlElement => e !== null);
  if (elements.length !== 1) throw fail(1, `expected one root element, found ${elements.length}`);
  return { file, root: elements[0]! };
}

/** fast-xml-parser's preserveOrder shape: `{ [tag]: children, ':@'?: attributes }`. */
type OrderedNode = Record<string, unknown>;
/** Where fast-xml-parser keeps an element's metadata (its line): asked for once, when first needed. */
let metaSymbol: symbol | undefined;
const meta = (): symbol => {
  metaSymbol ??= fastXml().XMLParser.getMetaDataSymbol() as unknown as symbol;
  return metaSymbol;
};

function toElement(node: OrderedNode, lines: number[]): XmlElement | null {
  const name = Object.keys(node).find((key) => key !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?')) return null;
  const attrs = (node[':@'] as Record<string, string> | undefined) ?? {};
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[name] as OrderedNode[]) ?? []) {
    if ('#text' in child) text += String(child['#text']);
    else {
      const element = toElement(child, lines);
      if (element) children.push(element);
    }
  }
  const start = (node as Record<symbol, { startIndex?: number }>)[meta()]?.startIndex ?? 0;
  return { name, attrs: { ...attrs }, children, text: text.trim(), line: lineOf(lines, start) };
}

function decode(bytes: Uint8Array, file: string): string {
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, start] = ['utf-16le', 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, start] = ['utf-16be', 2];
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(start));
  } catch {
    const line = encoding === 'utf-8' ? firstBadUtf8Line(bytes.subarray(start)) : 1;
    throw xmlProblems(file, [{ line, message: `the file is not valid ${encoding.toUpperCase()} text` }]);
  }
}

function firstBadUtf8Line(bytes: Uint8Array): number {
  // Decode growing prefixes at line boundaries to find the first line that fails.
  let line = 1;
  let from = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(from, i));
      } catch {
        return line;
      }
      line++;
      from = i + 1;
    }
  }
  return line;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], index: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= index) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

function lineAt(text: string, index: number): number {
  return lineOf(lineStarts(text), index);
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function codePointName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
