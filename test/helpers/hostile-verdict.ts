/**
 * How a refusal must look (docs/commands.md): one error — `ssokit: error: …` in the modern
 * syntax, `ERROR: 0x<HRESULT>: <sentence>` and ssokit's sentence in the original — then only
 * details and a hint; no stack trace, no raw control character (a name from a hostile file
 * must not drive the terminal), and the status of the error's code.
 */

import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import type { CliResult } from './cli.js';

const STACK_LINE = /^\s+at /;
const JS_ERROR = /\b(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError)\b|\bnode:internal\b/;
/** C0 controls but tab and newline, DEL, and the C1 CSI. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u009b]/;

/** Lines a command may print before its error (notes, warnings, the backup's reminder). */
const BEFORE_ERROR = /^(Password reminder : |WARNING: |ssokit: warning: |bundle from '[^']*', made )/;

export interface Verdict {
  /** The exit status is the code's. */
  status: string[];
  /** The error's form and words. */
  stderr: string[];
}

export function judgeRefusal(tool: string, result: CliResult, code: ErrorCode, says: string): Verdict {
  const verdict: Verdict = { status: [], stderr: [] };
  const expected = ERROR_CODES[code].exit;
  if (result.status !== expected) verdict.status.push(`exit status ${result.status}, expected ${expected} (${code})`);
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  const legacy = tool !== 'ssokit';
  const head = legacy ? /^ERROR: 0x[0-9A-F]{8}: \S/ : /^ssokit: error: \S/;
  const heads = lines.flatMap((line, i) => (head.test(line) ? [i] : []));
  if (heads.length !== 1) verdict.stderr.push(`${heads.length} error lines (${head.source}), expected one`);
  const at = heads[0] ?? lines.length;
  for (const line of lines.slice(0, at)) {
    if (!BEFORE_ERROR.test(line)) verdict.stderr.push(`unexpected line before the error: ${JSON.stringify(line)}`);
  }
  // The original syntax adds ssokit's own sentence under Enterprise SSO's.
  const bodyStart = at + (legacy ? 2 : 1);
  if (legacy && (lines[at + 1] === undefined || /^\s/.test(lines[at + 1]!)))
    verdict.stderr.push('no sentence under the ERROR line');
  const hint = legacy ? /^hint: \S/ : /^ssokit: hint: \S/;
  lines.slice(bodyStart).forEach((line, i) => {
    const isHint = hint.test(line);
    if (isHint && i !== lines.length - bodyStart - 1) verdict.stderr.push('the hint is not the last line');
    if (!isHint && !/^ {2}\S/.test(line))
      verdict.stderr.push(`unexpected line after the error: ${JSON.stringify(line)}`);
  });
  const errorBlock = lines
    .slice(at)
    .filter((line) => !hint.test(line))
    .join('\n');
  if (!errorBlock.includes(says)) verdict.stderr.push(`the error does not say ${JSON.stringify(says)}`);
  if (lines.some((line) => STACK_LINE.test(line))) verdict.stderr.push('a stack trace');
  if (JS_ERROR.test(result.stderr)) verdict.stderr.push('a JavaScript error name');
  if (CONTROL.test(result.stderr) || CONTROL.test(result.stdout))
    verdict.stderr.push('a raw control character in the output');
  if (/completed successfully|✓/.test(result.stdout)) verdict.stderr.push('stdout reports success');
  return verdict;
}
