// The documented exit-status table is the code's table: docs/commands.md may not drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';

test('docs/commands.md lists every error code with its exit status', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/commands.md'), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| (\d+) \| ([A-Z_]+) \|/gm)].map((m) => [m[2], Number(m[1])]));
  const actual = new Map(Object.entries(ERROR_CODES).map(([code, info]) => [code, info.exit]));
  expect(documented).toEqual(actual);
});

test('exit statuses are unique', () => {
  const statuses = Object.values(ERROR_CODES).map((info) => info.exit);
  expect(new Set(statuses).size).toBe(statuses.length);
});
