// src/json/json-reader.ts: untrusted JSON read with every problem collected, each with its place.
import {
  type JsonProblem,
  JsonProblems,
  jsonLines,
  jsonPath,
  jsonProblemSentence,
  jsonProblemText,
  parseJson,
  readJsonObject,
} from '../../src/json/json-reader.js';

/** Reads `value` with `read`, returning what it read and every problem as `path: message`. */
function reading<T>(value: unknown, read: (root: ReturnType<typeof readJsonObject>) => T): [T, string[]] {
  const problems = new JsonProblems();
  const result = read(readJsonObject(value, problems));
  return [result, problems.list.map(jsonProblemText)];
}

describe('parsing', () => {
  test('a value is parsed; a byte order mark is allowed', () => {
    expect(parseJson('{"a": [1, "x", null]}')).toEqual({ ok: true, value: { a: [1, 'x', null] } });
    expect(parseJson('\uFEFF{"a": true}')).toEqual({ ok: true, value: { a: true } });
  });

  test.each<[string, string, number, number]>([
    ['{not json', 'expected a property name in double quotes', 1, 2],
    ['{\n  "a": 1,\n  "b": 2,\n}', 'expected a property name in double quotes', 4, 1],
    ['{\n  "a": [1, 2,, 3]\n}', 'unexpected "," where a value belongs', 2, 14],
    ['{"a" 1}', 'expected ":" after a property name', 1, 6],
    ['{"a": 1 "b": 2}', 'expected "," or "}"', 1, 9],
    ['[1, 2', 'unexpected end of the text', 1, 6],
    ['', 'unexpected end of the text', 1, 1],
    ['"abc', 'a string that is not closed', 1, 1],
    ['{"a": "x\ny"}', 'a control character in a string (it must be escaped)', 1, 9],
    ['{"a": "\\q"}', 'an invalid escape in a string', 1, 8],
    ['{"a": "\\u12"}', 'an invalid \\u escape in a string', 1, 8],
    ['[01]', 'expected "," or "]"', 1, 3],
    ['[1.]', 'an invalid number', 1, 4],
    ['[tru]', 'an unexpected character where a value belongs', 1, 2],
    ['{"a": 1} x', 'unexpected text after the JSON value', 1, 10],
  ])('a syntax error is placed: %j', (text, what, line, column) => {
    expect(parseJson(text)).toEqual({
      ok: false,
      problem: { kind: 'syntax', path: '', message: `${what} at line ${line}, column ${column}`, line, column },
    });
  });

  test('a syntax error never quotes the text (it may hold a secret)', () => {
    const parsed = parseJson('{"user": "alice", "password": hunter2}');
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toContain('hunter2');
    expect(JSON.stringify(parseJson('secret-value'))).not.toContain('secret');
  });

  test('nesting however deep is scanned without recursion', () => {
    const deep = `${'['.repeat(200_000)}1${']'.repeat(199_999)}`;
    expect(parseJson(deep)).toMatchObject({ ok: false, problem: { line: 1, column: 400_001 } });
  });

  test('JSON Lines: one value a line, blank lines skipped, CRLF allowed, each placed on its line', () => {
    const lines = [...jsonLines('{"a":1}\r\n\n   \n[2]\n{"b": }\n')];
    expect(lines.map((l) => l.line)).toEqual([1, 4, 5]);
    expect(lines[0]!.parsed).toEqual({ ok: true, value: { a: 1 } });
    expect(lines[1]!.parsed).toEqual({ ok: true, value: [2] });
    expect(lines[2]!.parsed).toEqual({
      ok: false,
      problem: {
        kind: 'syntax',
        path: '',
        message: 'unexpected "}" at line 5, column 7',
        line: 5,
        column: 7,
      },
    });
  });
});

describe('typed fields', () => {
  test('strings, required and optional; null counts as absent', () => {
    expect(
      reading({ a: 'x', b: 7, n: null, o: 'y', p: false }, (r) => [
        r.string('a'),
        r.string('b'),
        r.string('missing'),
        r.string('n'),
        r.optionalString('o'),
        r.optionalString('absent'),
        r.optionalString('n'),
        r.optionalString('p'),
      ]),
    ).toEqual([
      ['x', '', '', '', 'y', undefined, undefined, undefined],
      ['b: must be a string', 'missing: missing', 'n: missing', 'p: must be a string'],
    ]);
  });

  test('booleans', () => {
    expect(
      reading({ t: true, f: false, s: 'yes' }, (r) => [
        r.boolean('t'),
        r.boolean('f'),
        r.boolean('s'),
        r.optionalBoolean('none'),
        r.optionalBoolean('s'),
      ]),
    ).toEqual([
      [true, false, false, undefined, undefined],
      ['s: must be true or false', 's: must be true or false'],
    ]);
  });

  test('numbers and whole numbers, with bounds', () => {
    expect(
      reading({ a: 1.5, b: 7, c: -1, d: 2 ** 53, e: '3', f: Number.POSITIVE_INFINITY, g: 420 }, (r) => [
        r.number('a'),
        r.number('a', { min: 2 }),
        r.integer('b', { min: 1, max: 9 }),
        r.integer('a'),
        r.integer('c', { min: 0 }),
        r.integer('d'),
        r.number('e'),
        r.number('f'),
        r.integer('g', { max: 0o777 }),
        r.integer('g', { max: 99 }),
      ]),
    ).toEqual([
      [1.5, 0, 7, 0, 0, 0, 0, 0, 420, 0],
      [
        'a: must be a number of at least 2',
        'a: must be a whole number',
        'c: must be a whole number of at least 0',
        'd: must be a whole number',
        'e: must be a number',
        'f: must be a number',
        'g: must be a whole number of at most 99',
      ],
    ]);
  });

  test('one of a set of strings', () => {
    expect(
      reading({ mode: 'join', bad: 'start', format: 'v2', n: 3 }, (r) => [
        r.enumOf('mode', ['create', 'join']),
        r.enumOf('bad', ['create', 'join']),
        r.enumOf('format', ['v1']),
        r.enumOf('n', ['a', 'b', 'c']),
        r.enumOf('none', ['a']),
      ]),
    ).toEqual([
      ['join', undefined, undefined, undefined, undefined],
      ['bad: must be "create" or "join"', 'format: must be "v1"', 'n: must be "a", "b", or "c"', 'none: missing'],
    ]);
  });

  test('lists of strings: each element that is not one is its own problem', () => {
    expect(
      reading({ ok: ['a', 'b'], mixed: ['a', 1, 'c', null], no: 'a' }, (r) => [
        r.stringList('ok'),
        r.stringList('mixed'),
        r.stringList('no'),
        r.stringList('none'),
        r.optionalStringList('none'),
      ]),
    ).toEqual([
      [['a', 'b'], ['a', 'c'], [], [], undefined],
      ['mixed[1]: must be a string', 'mixed[3]: must be a string', 'no: must be a list of strings', 'none: missing'],
    ]);
  });

  test('objects: nested paths; a wrong one reads as empty without further problems', () => {
    expect(
      reading({ session: { ssl: 'on', inner: { x: 1 } }, list: [1] }, (r) => {
        const session = r.object('session');
        const missing = r.object('absent');
        const wrong = r.object('list');
        return [
          session.boolean('ssl'),
          session.object('inner').string('x'),
          missing.string('anything'),
          missing.valid,
          wrong.valid,
          r.optionalObject('none'),
        ];
      }),
    ).toEqual([
      [false, '', '', false, false, undefined],
      [
        'absent: missing',
        'list: must be an object',
        'session.ssl: must be true or false',
        'session.inner.x: must be a string',
      ],
    ]);
  });

  test('lists of objects', () => {
    const [files, problems] = reading({ files: [{ name: 'a' }, 'b', { name: 2 }] }, (r) =>
      r.objectList('files', 'a list of {name}').map((f) => f.string('name')),
    );
    expect([files, problems]).toEqual([
      ['a', '', ''],
      ['files[1]: must be an object', 'files[2].name: must be a string'],
    ]);
    expect(reading({}, (r) => r.objectList('files', 'a list of {name}'))[1]).toEqual(['files: missing']);
  });

  test('records of strings (an object used as a map), odd keys quoted in paths', () => {
    const [fields, problems] = reading({ fields: { 'User ID': 'A1', Password: 5, ok: 'x' } }, (r) =>
      r.stringRecord('fields'),
    );
    expect([fields, problems]).toEqual([{ 'User ID': 'A1', ok: 'x' }, ['fields.Password: must be a string']]);
    expect(reading({ f: { 'a b': 1 } }, (r) => r.stringRecord('f'))[1]).toEqual(['f["a b"]: must be a string']);
    expect(reading({ f: [] }, (r) => r.stringRecord('f'))).toEqual([{}, ['f: must be an object']]);
  });

  test('a __proto__ key is only a key', () => {
    const parsed = parseJson('{"fields": {"__proto__": "x", "a": 1}}');
    if (!parsed.ok) throw new Error('parsed');
    const [fields] = reading(parsed.value, (r) => r.stringRecord('fields'));
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.entries(fields)).toEqual([['__proto__', 'x']]);
  });

  test('unknown keys, and problems the caller finds itself', () => {
    expect(
      reading({ a: 1, extra: 2, 'odd key': 3, store: 'relative' }, (r) => {
        r.rejectUnknownKeys(new Set(['a', 'store']));
        r.problem('store', 'the store is not an absolute path');
        r.reject('a', 'an account name');
      })[1],
    ).toEqual([
      'extra: unknown key',
      '["odd key"]: unknown key',
      'store: the store is not an absolute path',
      'a: must be an account name',
    ]);
  });

  test('the value as a whole must be an object', () => {
    for (const value of [null, [1], 'x', 3]) {
      const [valid, problems] = reading(value, (r) => [r.valid, r.string('a')]);
      expect([valid, problems]).toEqual([[false, ''], ['must be a JSON object']]);
    }
  });
});

describe('collecting', () => {
  test('every problem of a document in one pass, each with its path', () => {
    const parsed = parseJson(
      JSON.stringify({
        format: 'other',
        publicUrl: 7,
        protectedPaths: ['/', 3],
        session: { ssoEnabled: 'yes', maxInactiveSeconds: '300' },
        files: [{ role: 'key' }],
      }),
    );
    if (!parsed.ok) throw new Error('parsed');
    const problems = new JsonProblems();
    const root = readJsonObject(parsed.value, problems);
    root.enumOf('format', ['ssokit-bizsys/v1']);
    root.string('publicUrl');
    root.stringList('protectedPaths');
    const session = root.object('session');
    session.boolean('ssoEnabled');
    session.integer('maxInactiveSeconds', { min: 1, max: 999_999_999 });
    session.boolean('failoverEnabled');
    for (const file of root.objectList('files', 'a list of {role, name}')) file.string('name');
    root.string('createdAt');
    expect(problems.any).toBe(true);
    expect(problems.list.map((p) => [p.kind, p.path])).toEqual([
      ['wrong', 'format'],
      ['wrong', 'publicUrl'],
      ['wrong', 'protectedPaths[1]'],
      ['wrong', 'session.ssoEnabled'],
      ['wrong', 'session.maxInactiveSeconds'],
      ['missing', 'session.failoverEnabled'],
      ['missing', 'files[0].name'],
      ['missing', 'createdAt'],
    ]);
    expect(problems.list.map((p) => jsonProblemSentence(p, 'the file'))).toEqual([
      'format is not "ssokit-bizsys/v1"',
      'publicUrl is not a string',
      'protectedPaths[1] is not a string',
      'session.ssoEnabled is not true or false',
      'session.maxInactiveSeconds is not a whole number from 1 to 999999999',
      'session.failoverEnabled is not true or false',
      'files[0].name is not a string',
      'createdAt is not a string',
    ]);
  });

  test('JSON Lines: each entry problem carries its line', () => {
    const text = ['{"user": "a", "app": "x"}', '', '{"user": 1, "app": "x", "more": true}', 'nope'].join('\n');
    const problems: JsonProblem[] = [];
    for (const { line, parsed } of jsonLines(text)) {
      if (!parsed.ok) {
        problems.push(parsed.problem);
        continue;
      }
      const entry = new JsonProblems(line);
      const root = readJsonObject(parsed.value, entry);
      root.rejectUnknownKeys(new Set(['user', 'app']));
      root.string('user');
      root.string('app');
      problems.push(...entry.list);
    }
    expect(problems.map((p) => [p.line, jsonProblemText(p)])).toEqual([
      [3, 'more: unknown key'],
      [3, 'user: must be a string'],
      [4, 'an unexpected character where a value belongs at line 4, column 1'],
    ]);
  });

  test('paths', () => {
    expect([jsonPath('', 'a'), jsonPath('a', 'b'), jsonPath('a', 0), jsonPath('', 'x y'), jsonPath('a', '1')]).toEqual([
      'a',
      'a.b',
      'a[0]',
      '["x y"]',
      'a["1"]',
    ]);
    expect(jsonPath('', 'k'.repeat(100))).toBe(`["${'k'.repeat(64)}…"]`);
  });
});
