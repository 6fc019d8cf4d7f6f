/**
 * The files of a command run through the SSO service on its caller's behalf. The CLI reads
 * the files its caller names, with the caller's own permissions, and sends what it found;
 * the service runs the command with those contents, and hands back the files the command
 * writes, which the CLI writes as the caller. So a file belongs to whoever ran the command,
 * and nobody reads or writes through the service a file they could not reach themselves.
 *
 * The service runs each such command inside `withCallerFiles`; the file functions of
 * private-files.ts and the password reader ask `callerFileFor` first. Outside a command
 * run for a caller, nothing changes.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';

/** What the CLI found at a path its caller named. */
export type CallerFileState =
  | { kind: 'file'; data: Buffer; mode: number }
  | { kind: 'missing' }
  | { kind: 'denied' }
  | { kind: 'not-regular'; what: 'folder' | 'other' };

export interface CallerFileWrite {
  path: string;
  data: Buffer;
  mode: number;
  overwrite: boolean;
}

export class CallerFiles {
  readonly writes: CallerFileWrite[] = [];
  /** Temporary names of files being written for the caller → where the service keeps them. */
  readonly staged = new Map<string, string>();

  constructor(
    /** By absolute path, as the CLI resolved it in its caller's working folder. */
    readonly sent: ReadonlyMap<string, CallerFileState>,
    /** The service's own folder for staged files (0700). */
    readonly stagingDir: string,
    /** The service's home: paths in it are the service's own files, unless the caller named them. */
    readonly serviceRoot: string,
  ) {}

  /** The path is the caller's: named by them, or the temporary sibling of one written for them. */
  owns(path: string): boolean {
    if (this.sent.has(path)) return true;
    const name = basename(path);
    const match = /^\.(.+)\.tmp-[0-9a-f]{12}$/.exec(name);
    return match !== null && this.sent.has(join(dirname(path), match[1]!));
  }

  /** A path neither the caller named nor the service's own: the service does not touch it. */
  foreign(path: string): boolean {
    if (this.owns(path)) return false;
    const inside = relative(this.serviceRoot, path);
    return inside.startsWith('..') || isAbsolute(inside);
  }
}

const current = new AsyncLocalStorage<CallerFiles>();

export function withCallerFiles<T>(files: CallerFiles, work: () => Promise<T>): Promise<T> {
  return current.run(files, work);
}

/** The caller's files of the command running now, when it runs for a caller through the service. */
export function callerFiles(): CallerFiles | undefined {
  return current.getStore();
}
