/**
 * Files that carry secrets: created 0600 whatever the umask, written to a temporary name
 * in the same folder, flushed and renamed into place, so a crash leaves the old file or
 * the new one and never half of one. Folders that hold them are 0700.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  promises as fs,
  fstatSync,
  openSync,
  readSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { SsoError } from '../errors.js';
import { option, remedy } from '../remedy.js';
import { type CallerFiles, callerFiles } from './caller-files.js';
import { makeParents } from './home.js';

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
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw ioError(`cannot write ${path}`, error, path);
  }
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
  const files = callerFiles();
  if (files?.owns(temp)) {
    // A file written for the caller: kept by the service, handed to the CLI at commit.
    const staged = join(files.stagingDir, `out-${randomBytes(8).toString('hex')}`);
    files.staged.set(temp, staged);
    return fs.open(staged, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600);
  }
  if (files?.foreign(temp)) throw notSent(dirname(temp));
  try {
    const handle = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    await handle.chmod(mode); // the umask may have removed bits we asked for; never added any
    return handle;
  } catch (error) {
    throw ioError(`cannot create ${temp}`, error, dirname(temp));
  }
}

/**
 * Moves a finished temporary file into place. Without `overwrite` it links instead of
 * renaming, which fails atomically when the target exists (no check-then-act race).
 */
export async function commitTemp(temp: string, path: string, overwrite: boolean): Promise<void> {
  const files = callerFiles();
  const staged = files?.staged.get(temp);
  if (files && staged) {
    files.staged.delete(temp);
    const sent = files.sent.get(path);
    try {
      if (!overwrite && sent?.kind !== 'missing') {
        throw new SsoError('FILE_EXISTS', `${path} already exists`, {
          hint: remedy`choose another file name, or add ${option('force')} to replace it`,
        });
      }
      const mode = (await fs.stat(staged)).mode & 0o777;
      files.writes.push({ path, data: await fs.readFile(staged), mode, overwrite });
    } finally {
      await fs.rm(staged, { force: true });
    }
    return;
  }
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
    throw ioError(`cannot write ${path}`, error, path);
  }
  await syncDirectory(dirname(path));
}

export async function syncDirectory(dir: string): Promise<void> {
  if (callerFiles()?.foreign(join(dir, '.'))) return; // the caller's folder: the CLI syncs it
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

/**
 * Creates the folder if missing (its missing parents 0755, whatever the umask) and makes
 * sure it is 0700. A symbolic link in its place is refused: following it would chmod and
 * write secrets wherever it points.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const found = await fs.lstat(dir).catch(() => null);
  if (found?.isSymbolicLink()) {
    throw new SsoError(
      'FILE_PERMISSIONS',
      `${dir} is a symbolic link, not a folder: secrets are not written through one`,
      {
        hint: `remove the link, or point the home at the real folder`,
      },
    );
  }
  if (found && !found.isDirectory()) throw new SsoError('IO_ERROR', `${dir} is not a folder`);
  try {
    if (!found) {
      await makeParents(dirname(dir));
      await fs.mkdir(dir, { mode: 0o700 });
    }
    // Search-only bits are kept: the SSO service makes its home 0711 so every local user
    // can reach its socket, while no one else can list or open what the home holds.
    await fs.chmod(dir, found ? found.mode & 0o711 : 0o700);
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
  return readInputFile(path, {
    maxBytes,
    tooLarge: (size) => new SsoError('BAD_FORMAT', `${path} is ${size} bytes, larger than this kind of file can be`),
    grew: () => new SsoError('BAD_FORMAT', `${path} grew past ${maxBytes} bytes while it was read`),
  }).bytes;
}

export interface InputFileOptions {
  maxBytes: number;
  /** What the file is, for messages ("the fields file"): they then read "the fields file /x/y …". */
  what?: string;
  /** The refusal of a file over maxBytes (by default INVALID_INPUT naming the path and the cap). */
  tooLarge?: (size: number) => SsoError;
  /** The refusal of a file that grew past maxBytes while it was read (by default tooLarge's). */
  grew?: () => SsoError;
}

export interface InputFile {
  bytes: Buffer;
  /** The file's permission bits, from the descriptor that was read. */
  mode: number;
}

const mib = (bytes: number) =>
  bytes >= 2 ** 20 ? `${+(bytes / 2 ** 20).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`;

/**
 * Reads a file a user named, whole: opened O_NONBLOCK and refused unless it is a regular
 * file (openRegularFile), its size checked before reading and its reading stopped at the
 * cap. Every refusal is an SsoError naming the path: FILE_NOT_FOUND, FILE_PERMISSIONS,
 * INVALID_INPUT (a FIFO, a device, a socket, too large), IO_ERROR (a folder, a read error).
 */
export function readInputFile(path: string, options: InputFileOptions): InputFile {
  const { maxBytes } = options;
  const shown = options.what ? `${options.what} ${path}` : path;
  const tooLarge =
    options.tooLarge ??
    ((size: number) =>
      new SsoError(
        'INVALID_INPUT',
        `${shown} is ${size > maxBytes + 1 ? size : `over ${maxBytes}`} bytes; it may be at most ${mib(maxBytes)}`,
      ));
  const fd = openRegularFile(path, options.what);
  try {
    const { size, mode } = fstatSync(fd);
    if (size > maxBytes) throw tooLarge(size);
    const bytes = readUpTo(fd, maxBytes, options.grew ?? (() => tooLarge(maxBytes + 1)));
    return { bytes, mode: mode & 0o7777 };
  } catch (error) {
    throw ioError(`cannot read ${shown}`, error, path);
  } finally {
    closeSync(fd);
  }
}

/** readInputFile, decoded as UTF-8 (a BOM is dropped); bytes that are not UTF-8 are INVALID_INPUT. */
export function readInputText(path: string, options: InputFileOptions): { text: string; mode: number } {
  const { bytes, mode } = readInputFile(path, options);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), mode };
  } catch {
    throw new SsoError('INVALID_INPUT', `${options.what ? `${options.what} ` : ''}${path} is not valid UTF-8 text`);
  }
}

/**
 * Opens an input file that must be a regular file. O_NONBLOCK, so a FIFO given as the
 * file cannot stall the open until a writer appears; a FIFO, device or socket is then
 * refused (reading /dev/zero or /dev/urandom would never end).
 */
export function openRegularFile(path: string, what?: string): number {
  const shown = what ? `${what} ${path}` : path;
  const files = callerFiles();
  if (files) {
    if (files.owns(path)) return openSentFile(files, path, shown);
    if (files.foreign(path)) throw notSent(shown);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    // A socket cannot be opened at all (ENXIO): it is refused as what it is.
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw notRegular(shown);
    throw ioError(`cannot open ${shown}`, error, path);
  }
  const stat = fstatSync(fd);
  if (stat.isFile()) return fd;
  closeSync(fd);
  throw notRegularStat(shown, stat);
}

/** A file the caller sent, staged where the service can open it (and unlinked at once). */
function openSentFile(files: CallerFiles, path: string, shown: string): number {
  const sent = files.sent.get(path);
  if (!sent || sent.kind === 'missing') throw ioError(`cannot open ${shown}`, errno('ENOENT'), path);
  if (sent.kind === 'denied') throw ioError(`cannot open ${shown}`, errno('EACCES'), path);
  if (sent.kind === 'not-regular') {
    if (sent.what === 'folder') throw new SsoError('IO_ERROR', `cannot read ${shown}: it is a folder`);
    throw notRegular(shown);
  }
  const staged = join(files.stagingDir, `in-${randomBytes(8).toString('hex')}`);
  const fd = openSync(staged, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, sent.data, 0, sent.data.length, 0);
    fchmodSync(fd, sent.mode & 0o777);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw ioError(`cannot stage ${shown}`, error);
  } finally {
    rmSync(staged, { force: true });
  }
}

/** What the caller's own read of a path would have said, for a file the service does not read for them. */
function notSent(shown: string): SsoError {
  return new SsoError('FILE_PERMISSIONS', `${shown} is not a file the command's caller sent to the SSO service`, {
    hint: 'the SSO service reads only the files named on the command line and in SSOKIT_*_FILE',
  });
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

const notRegular = (path: string) =>
  new SsoError('INVALID_INPUT', `${path} is not a regular file (a device, pipe or socket cannot be read as one)`);

function notRegularStat(path: string, stat: Stats): SsoError {
  if (stat.isDirectory()) return new SsoError('IO_ERROR', `cannot read ${path}: it is a folder`);
  return notRegular(path);
}

/** An input file opened for streaming: the same checks as openRegularFile, asynchronously. */
export interface OpenedInput {
  path: string;
  handle: fs.FileHandle;
  size: number;
}

/**
 * Opens a file a user named for a streamed copy: O_NONBLOCK (a FIFO cannot stall the open),
 * then fstat on the descriptor: anything but a regular file is refused, and so is one
 * larger than `maxBytes` (`tooLarge`). The caller closes the handle.
 */
export async function openInputFile(
  path: string,
  maxBytes: number,
  tooLarge: (size: number) => SsoError,
): Promise<OpenedInput> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw notRegular(path);
    throw ioError(`cannot open ${path}`, error, path);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegularStat(path, stat);
    if (stat.size > maxBytes) throw tooLarge(stat.size);
    return { path, handle, size: stat.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw ioError(`cannot read ${path}`, error, path);
  }
}

/**
 * Copies an opened input to the end of `output`, 1 MiB at a time, refusing (`tooLarge`) an
 * input that grows past `maxBytes` while it is read. `target` names the file being written
 * in errors, `device` the place a full disk is on (by default the target). Returns the bytes
 * copied.
 */
export async function copyInput(
  input: OpenedInput,
  output: fs.FileHandle,
  target: string,
  maxBytes: number,
  tooLarge: (size: number) => SsoError,
  device = target,
): Promise<number> {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      ({ bytesRead: n } = await input.handle.read(buffer, 0, buffer.length, total));
    } catch (error) {
      throw ioError(`cannot read ${input.path}`, error, input.path);
    }
    if (n === 0) return total;
    total += n;
    if (total > maxBytes) throw tooLarge(total);
    await writeFully(output, buffer.subarray(0, n), target, device);
  }
}

/**
 * Writes all of `data` at the handle's position. write(2) may write less than asked (a disk
 * filling up does that first, and fails only on the next call), so this loops until done.
 */
export async function writeFully(
  handle: fs.FileHandle,
  data: Uint8Array,
  target: string,
  device = target,
): Promise<void> {
  let offset = 0;
  try {
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      if (bytesWritten <= 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
      offset += bytesWritten;
    }
  } catch (error) {
    throw ioError(`cannot write ${target}`, error, device);
  }
}

/**
 * A stream that writes to a FileHandle and never closes it: the handle's owner closes it,
 * once. (A stream opened on the handle's bare descriptor closes that descriptor when a
 * pipeline destroys it on a failure, and the owner's close then closes it a second time —
 * EBADF, or worse, another file that took the number.) Errors name `target`, and `device`
 * as the place a full disk is on.
 */
export function fileHandleSink(
  handle: fs.FileHandle,
  target: string,
  highWaterMark = 1 << 20,
  device = target,
): Writable {
  return new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      writeFully(handle, chunk, target, device).then(() => done(), done);
    },
    writev(chunks, done) {
      const data = chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk as Buffer));
      writeFully(handle, data, target, device).then(() => done(), done);
    },
  });
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

/** The errors that mean the device cannot take what is written, whatever the file. */
const DEVICE_FULL: Record<string, { says: (holding: string) => string; hint: string }> = {
  ENOSPC: {
    says: (holding) => `no space left on the device${holding}`,
    hint: 'free some space there (or use another place) and run the command again',
  },
  EDQUOT: {
    says: (holding) => `the disk quota is used up on the device${holding}`,
    hint: "free some of the quota's space (or use another place) and run the command again",
  },
  EROFS: {
    says: (holding) => `the device${holding} is read-only`,
    hint: 'make it writable (or use another place) and run the command again',
  },
};

/**
 * An SsoError for a failed file operation: `what` says what was being done ("cannot write
 * /x/y"); `path` names the file or folder the user would recognise, for the errors that are
 * about its device (a full disk, a quota, a read-only mount: IO_ERROR, naming it).
 */
export function ioError(what: string, error: unknown, path?: string): SsoError {
  if (error instanceof SsoError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SsoError('FILE_NOT_FOUND', `${what}: no such file or folder`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new SsoError('FILE_PERMISSIONS', `${what}: permission denied`, {
      hint: 'run as the OS user that owns the ssokit home',
    });
  }
  if (code === 'EISDIR') return new SsoError('IO_ERROR', `${what}: it is a folder`);
  const device = code === undefined ? undefined : DEVICE_FULL[code];
  if (device) {
    const where = path ?? (error as NodeJS.ErrnoException).path;
    return new SsoError('IO_ERROR', `${device.says(where ? ` holding ${where}` : '')}: ${what} (${code})`, {
      hint: device.hint,
      cause: error,
    });
  }
  return new SsoError('IO_ERROR', `${what}: ${(error as Error).message ?? String(error)}`);
}
