/**
 * Which values of a command name files: its file arguments, its options spelled with a
 * `<file>` value, and the password file. Through the SSO service the CLI reads these as
 * its caller and sends them, and the service writes nothing else for the caller.
 */

import type { CommandDef, ParsedValues } from './define.js';
import type { GlobalOptions } from './parse.js';

const FILE_ARGS = new Set(['file', 'backup', 'bundle', 'store']);

export function fileValueKeys(def: CommandDef): string[] {
  return [
    ...def.args.filter((a) => FILE_ARGS.has(a.key)).map((a) => a.key),
    ...def.options.filter((o) => /[<[][a-z ]*file[\]>]/.test(o.flags)).map((o) => o.key),
  ];
}

/** Every file path the command line names (`-` is standard input, not a file). */
export function namedFiles(def: CommandDef, values: ParsedValues, globals: GlobalOptions): string[] {
  const paths: string[] = [];
  for (const key of fileValueKeys(def)) {
    const value = values[key];
    if (typeof value === 'string') paths.push(value);
    if (Array.isArray(value)) paths.push(...value);
  }
  if (globals.passwordFile !== undefined) paths.push(globals.passwordFile);
  return paths;
}
