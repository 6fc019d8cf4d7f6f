/**
 * Files that carry secrets: created 0600 whatever the umask, written to a temporary name
 * in the same folder, flushed and renamed into place, so a crash leaves the old file or
 * the new one and never half of one. Folders that hold them are 0700.
 */

import { randomBytes } from 'node:crypto';
import { closeSync, constants, promises as fs, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SsoError } from '../errors.js';
import { option, remedy } from '../remedy.js';

export interface WriteOptions {
  /** Replace an existing file (otherwise FILE_EXISTS). */
  overwrite: boolean;
  mode?: number;
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, options: WriteOptions): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await openTemp(temp, options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw ioError(`cannot write ${path}`, error);
  }
  await handle.close();
  await commitTemp(temp, path, options.overwrite);
}

/** A temporary sibling name: hidden, unique, recognisable by `ssokit check` (isTempName). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
}

/** Whether a file name is one tempPathFor makes: left by a write that did not finish. */
export function isTempName(name: string): boolean {
  return /^\..+\.tmp-[0-9a-f]{12}$/.test(name);
}

export async function openTemp(temp: string, mode: number): Promise<fs.FileHandle> {
  try {
    const handle = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    await handle.chmod(mode); // the umask may have removed bits we asked for; never added any
    return handle;
  } catch (error) {
    throw ioError(`cannot create ${temp}`, error);
  }
}

/**
 * Moves a finished temporary file into place. Without `overwrite` it links instead of
 * renaming, which fails atomically when the target exists (no check-then-act race).
 */
export async function commitTemp(temp: string, path: string, overwrite: boolean): Promise<void> {
  try {
    if (overwrite) {
      await fs.rename(temp, path);
    } else {
      await fs.link(temp, path);
      await fs.rm(temp, { force: true });
    }
  } catch (error) {
    await fs.rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SsoError('FILE_EXISTS', `${path} already exists`, {
        hint: remedy`choose another file name, or add ${option('force')} to replace it`,
      });
    }
    throw ioError(`cannot write ${path}`, error);
  }
  await syncDirectory(dirname(path));
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY).catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/** Creates the folder (and parents) if missing and makes sure it is 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
  } catch (error) {
    throw ioError(`cannot create the folder ${dir}`, error);
  }
}

/**
 * Refuses a secret-bearing file that group or others can read or write, as ssh refuses
 * a private key with open permissions.
 */
export function assertPrivateFile(path: string): void {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    throw ioError(`cannot read ${path}`, error);
  }
  const loose = stat.mode & 0o077;
  if (loose !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new SsoError(
      'FILE_PERMISSIONS',
      `permissions ${mode} for ${path} are too open: group or others can access it`,
      {
        hint: `only its owner may read a secret file: chmod 600 ${path}`,
      },
    );
  }
}

/** Reads a small file whole (synchronously: these are a few kilobytes at most). */
export function readFileChecked(path: string, maxBytes: number): Buffer {
  const fd = openRegularFile(path);
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      throw new SsoError('BAD_FORMAT', `${path} is ${size} bytes, larger than this kind of file can be`);
    }
    return readUpTo(
      fd,
      maxBytes,
      () => new SsoError('BAD_FORMAT', `${path} grew past ${maxBytes} bytes while it was read`),
    );
  } catch (error) {
    throw ioError(`cannot read ${path}`, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens an input file that must be a regular file. O_NONBLOCK, so a FIFO given as the
 * file cannot stall the open until a writer appears; a FIFO, device or socket is then
 * refused (reading /dev/zero or /dev/urandom would never end).
 */
export function openRegularFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw ioError(`cannot open ${path}`, error);
  }
  const stat = fstatSync(fd);
  if (stat.isFile()) return fd;
  closeSync(fd);
  if (stat.isDirectory()) throw new SsoError('IO_ERROR', `cannot read ${path}: it is a folder`);
  throw new SsoError('INVALID_INPUT', `${path} is not a regular file (a device, pipe or socket cannot be read as one)`);
}

/** Reads from the start to the end of a file, refusing (with `tooLong`) more than `maxBytes`. */
export function readUpTo(fd: number, maxBytes: number, tooLong: () => SsoError): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const part = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
    const n = readSync(fd, part, 0, part.length, total);
    if (n === 0) return Buffer.concat(parts, total);
    parts.push(part.subarray(0, n));
    total += n;
    if (total > maxBytes) throw tooLong();
  }
}

export function ioError(what: string, error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SsoError('FILE_NOT_FOUND', `${what}: no such file or folder`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new SsoError('FILE_PERMISSIONS', `${what}: permission denied`, {
      hint: 'run as the OS user that owns the ssokit home',
    });
  }
  if (code === 'EISDIR') return new SsoError('IO_ERROR', `${what}: it is a folder`);
  return new SsoError('IO_ERROR', `${what}: ${(error as Error).message ?? String(error)}`);
}
