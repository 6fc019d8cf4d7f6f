// Well-formedness errors point at the place the file breaks (line and column) with a sentence
// a person can act on: the issue "Real BizTalk files", item 9.
import { join } from 'node:path';
import { SsoError } from '../../src/errors.js';
import { readApplicationsXml } from '../../src/xml/applications-xml.js';
import { findWellFormednessError } from '../../src/xml/well-formed.js';
import { parseXml, readXmlFile } from '../../src/xml/xml-document.js';
import { REPO_ROOT } from '../helpers/cli.js';

const broken = (name: string) => readXmlFile(join(REPO_ROOT, 'fixtures/xml/broken', name));

/** The one detail line of a refused file. */
function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SsoError);
    expect((error as SsoError).code).toBe('INVALID_INPUT');
    const { details } = error as SsoError;
    expect(details).toHaveLength(1);
    return details[0]!;
  }
  throw new Error('expected the file to be refused');
}

const inline = (text: string) => refusal(() => parseXml(Buffer.from(text), 'inline.xml'));

describe('pseudo-comments pasted from a web page', () => {
  test('"‹!— … —›" on line 7 is refused at line 7, column 3, not at line 1', () => {
    expect(refusal(() => broken('pseudo-comment.xml'))).toBe(
      'pseudo-comment.xml:7: not well-formed XML: "‹!" is not the start of a comment: "‹" (U+2039) only looks like "<"; ' +
        'a comment is written <!-- … --> (with two ASCII hyphens at each end) (line 7, column 3)',
    );
  });

  test('a real "<!--" closed with typographic "—›" names its line and the look-alike', () => {
    const detail = refusal(() => broken('pseudo-comment-end.xml'));
    expect(detail).toMatch(
      /^pseudo-comment-end\.xml:7: not well-formed XML: the comment that starts here is never closed/,
    );
    expect(detail).toContain('"—›" only looks like it');
    expect(detail).toMatch(/\(line 7, column 3\)$/);
    expect(detail).not.toContain('Invalid');
  });

  test('"<!—" and "<‹!—" are refused where they are, with the way a comment is written', () => {
    expect(inline('<SSO>\n  <!— old —>\n</SSO>')).toBe(
      'inline.xml:2: not well-formed XML: "<!—" does not start a comment: a comment is written <!-- … --> ' +
        '(with two ASCII hyphens at each end) (line 2, column 3)',
    );
    expect(inline('<SSO>\n\n   <‹!— old —›\n</SSO>')).toMatch(
      /^inline\.xml:3: not well-formed XML: "‹" cannot start an element name; a comment is written <!-- … -->.*\(line 3, column 5\)$/,
    );
  });

  test('a real comment is still fine, and "‹" elsewhere in text is kept', () => {
    const doc = parseXml(
      Buffer.from('<SSO>\n  <!-- a note -->\n  <description>‹quoted›</description>\n</SSO>'),
      'ok.xml',
    );
    expect(doc.root.children[0]!.text).toBe('‹quoted›');
  });
});

describe('the common well-formedness errors, each with its place and a sentence', () => {
  test('an element never closed: the innermost one, where it opens', () => {
    expect(refusal(() => broken('unclosed-element.xml'))).toBe(
      'unclosed-element.xml:3: not well-formed XML: <application> is never closed: the file ends before its ' +
        '</application> (<SSO> is not closed either) (line 3, column 3)',
    );
  });

  test('a mismatched closing tag names the element it should close and where that opened', () => {
    expect(refusal(() => broken('not-well-formed.xml'))).toBe(
      "not-well-formed.xml:4: not well-formed XML: Expected closing tag 'description' (for the <description> at line 3, " +
        'column 5), found </application>: close <description> first, or remove the stray </application> (line 4, column 3)',
    );
    expect(inline('<SSO>\n<application name="a"></Application>\n</SSO>')).toContain('XML names are case-sensitive');
  });

  test('an attribute without quotes, in typographic quotes, without a value, given twice', () => {
    expect(refusal(() => broken('unquoted-attribute.xml'))).toBe(
      'unquoted-attribute.xml:9: not well-formed XML: the value of attribute enableApp must be in quotes: enableApp="yes" (line 9, column 36)',
    );
    expect(inline('<SSO>\n  <flags enableApp=“yes” />\n</SSO>')).toBe(
      'inline.xml:2: not well-formed XML: the value of attribute enableApp is in typographic quotes (“…): XML needs straight quotes, enableApp="…" (line 2, column 20)',
    );
    expect(inline('<SSO><flags enableApp /></SSO>')).toMatch(
      /attribute enableApp has no value: write enableApp="…" \(line 1, column 23\)$/,
    );
    expect(inline('<SSO a="1" a="2"/>')).toMatch(/attribute a is given twice in <SSO> \(line 1, column 11\)$/);
    expect(inline('<SSO>\n<field label="a\n<x y="1"/></SSO>')).toMatch(
      /the value of attribute label runs into a "<": add its closing double quote/,
    );
  });

  test('text before and after the root, a second root, a late XML declaration, an empty file', () => {
    expect(refusal(() => broken('text-before-root.xml'))).toBe(
      'text-before-root.xml:1: not well-formed XML: text before the root element: "Save this as apps.xml and run the comman…"; ' +
        'a file starts with <?xml … ?> or its root element (make a note a comment: <!-- … -->) (line 1, column 1)',
    );
    expect(inline('<SSO/>\n  trailing words')).toMatch(
      /^inline\.xml:2: not well-formed XML: text after the root element: "trailing words"/,
    );
    expect(inline('<SSO/>\n<SSO/>')).toMatch(
      /^inline\.xml:2: .*a second root element <SSO>: an XML file has exactly one root element/,
    );
    expect(inline('\n<?xml version="1.0"?>\n<SSO/>')).toMatch(
      /^inline\.xml:2: .*must be the very first thing in the file/,
    );
    expect(inline('')).toBe(
      'inline.xml:1: not well-formed XML: the file is empty: it needs a root element (line 1, column 1)',
    );
  });

  test('a bare "<" in text, a missing ">", a name that cannot start an element', () => {
    expect(inline('<SSO>a < b</SSO>')).toMatch(
      /"<" must be followed by an element name \(write &lt; for a "<" in text\) \(line 1, column 8\)$/,
    );
    expect(inline('<SSO>\n  <description\n  <contact/>\n</SSO>')).toMatch(
      /^inline\.xml:3: .*the tag <description> \(at line 2, column 3\) is missing its ">" before this "<"/,
    );
    expect(inline('<SSO><1st/></SSO>')).toMatch(/"1" cannot start an element name; a name starts with a letter or "_"/);
  });

  test('the column counts characters, not UTF-16 units', () => {
    expect(findWellFormednessError('<SSO>😀😀 <x a=b/></SSO>')).toEqual({
      line: 1,
      column: 14,
      message: 'the value of attribute a must be in quotes: a="b"',
    });
  });

  test('what fast-xml-parser let through is refused now: "<!—" no longer becomes an element named "!—"', () => {
    const text =
      '<SSO>\n<application name="A"><appUserAccount>D\\U</appUserAccount><appAdminAccount>D\\A</appAdminAccount>\n<!— x —>\n</application>\n</SSO>';
    expect(refusal(() => readApplicationsXml(parseXml(Buffer.from(text), 'let-through.xml')))).toMatch(
      /^let-through\.xml:3: not well-formed XML: "<!—" does not start a comment/,
    );
  });

  test('well-formed files are untouched: every SDK sample still reads', () => {
    for (const name of [
      'AffiliateApplication.xml',
      'GlobalInfo.xml',
      'UserMapping.xml',
      'UpdateInfo.xml',
      'SampleSettings.xml',
    ]) {
      expect(() => readXmlFile(join(REPO_ROOT, 'fixtures/xml', name))).not.toThrow();
    }
    expect(
      findWellFormednessError(
        '<?xml version="1.0"?>\n<!-- c -->\n<a x=\'1\' y="2"><![CDATA[<not a tag>]]><?pi x?><b/></a>\n<!-- after -->\n',
      ),
    ).toBeNull();
  });
});
