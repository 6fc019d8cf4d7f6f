/**
 * Running the system's small lookup programs (getent, id). They get a minimal environment:
 * a command's environment may hold a secret (SSOKIT_PASSWORD), and a child's environment
 * is readable in /proc/PID/environ by anyone who may read the child's.
 */

import { createRequire } from 'node:module';

/** Only what finding and running the program needs. */
export function minimalEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
}

/** The program's standard output, or null when it fails. child_process loads on first use. */
export function runLookup(program: string, args: readonly string[]): string | null {
  const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  try {
    return execFileSync(program, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: minimalEnvironment(),
    });
  } catch {
    return null;
  }
}
