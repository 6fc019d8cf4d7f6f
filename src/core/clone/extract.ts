/**
 * Opens a bundle's payload into a staging folder, trusting nothing in it: every chunk is
 * authenticated (STREAM), every tar entry must be a regular file at a safe path under
 * bizsys/ or secret/, and once the manifest that ends the payload has arrived, every file
 * must match it (size, SHA-256) and it must list nothing missing. Files are created new
 * (O_EXCL) in 0700 folders; no link, device or owner is ever made.
 */

import { once } from 'node:events';
import { createReadStream, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Deframer } from '../../crypto/bundle-frames.js';
import { StreamOpener } from '../../crypto/bundle-stream.js';
import { SsoError } from '../../errors.js';
import { type FileDigest, FileHasher } from '../../node/file-hasher.js';
import { fileHandleSink, ioError } from '../../node/private-files.js';
import { type Manifest, parseManifest, SECRET_DIR, unsafePathProblem } from './manifest.js';
import { ByteCounter, type ProgressListener } from './progress.js';

export interface ExtractOptions {
  /** Where the payload starts in the bundle file, and the file's size. */
  offset: number;
  size: number;
  key: Uint8Array;
  /** From the authenticated header: secret/ entries are refused unless it says yes. */
  includesSecret: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

const unsafe = (path: string, what: string) =>
  new SsoError('UNSAFE_ARCHIVE', `the bundle holds ${JSON.stringify(path)}: ${what}; nothing was written`);

/** gzip and zstd magic: the tar reader would inflate them, and a bundle holds a plain archive. */
const COMPRESSED = [Buffer.from([0x1f, 0x8b]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];

export async function extractPayload(bundle: string, staging: string, options: ExtractOptions): Promise<Manifest> {
  const { Parser } = await import('tar');
  const deframer = new Deframer();
  // Every warning of the tar reader is a failure, but one: an environment without files is
  // an archive of zero blocks only, which the reader calls "unrecognized".
  let entries = 0;
  let onlyZeros = true;
  const parser = new Parser({
    strict: false,
    onwarn: (code: string, message: string) => {
      if (code === 'TAR_BAD_ARCHIVE' && entries === 0 && onlyZeros) return;
      fail(new SsoError('DAMAGED_FILE', `the bundle's archive is not readable: ${code}: ${message}`));
    },
  });
  const hasher = new FileHasher();
  const digests = new Map<string, Promise<FileDigest>>();
  /** Entries being written: ended by force on a failure, so no write waits forever. */
  const writing = new Set<NodeJS.ReadableStream & { destroy(error?: Error): void }>();
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    parser.abort(error);
  };
  parser.on('entry', (entry) => {
    entries++;
    const refuse = (error: SsoError) => {
      entry.resume();
      fail(error);
    };
    const path = entry.path;
    if (entry.type !== 'File') return refuse(unsafe(path, `a ${entry.type} entry (a bundle holds regular files only)`));
    const problem = unsafePathProblem(path);
    if (problem) return refuse(unsafe(path, problem));
    if (path.startsWith(`${SECRET_DIR}/`) && !options.includesSecret)
      return refuse(unsafe(path, 'a master secret file in a bundle whose header says it holds none'));
    if (digests.has(path)) return refuse(unsafe(path, 'a second entry with the same path'));
    const file = join(staging, path);
    writing.add(entry);
    const written = writeEntry(entry, file, path, dirname(staging)).finally(() => writing.delete(entry));
    const digest = written.then(() => hasher.digest(file));
    digest.catch((error: Error) => fail(error));
    digests.set(path, digest);
  });
  parser.on('error', (error: Error) => (failure ??= error));
  const parserEnd = once(parser, 'end');
  parserEnd.catch(() => undefined); // an abort rejects it; the failure is reported from `failure`
  let first = true;
  try {
    try {
      // pipeline, so a fault in any stage (a chunk that does not open) ends them all.
      await pipeline(
        createReadStream(bundle, { start: options.offset, highWaterMark: 1 << 20 }),
        new ByteCounter(options.size - options.offset, options.onProgress),
        new StreamOpener(options.key),
        deframer,
        async (archive: AsyncIterable<Buffer>) => {
          for await (const chunk of archive) {
            if (failure) return;
            if (first && COMPRESSED.some((magic) => chunk.subarray(0, magic.length).equals(magic))) {
              throw new SsoError(
                'UNSAFE_ARCHIVE',
                'the bundle holds a compressed archive (a bundle holds a plain tar); nothing was written',
              );
            }
            first = false;
            if (onlyZeros && entries === 0) onlyZeros = chunk.equals(Buffer.alloc(chunk.length));
            if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), parserEnd]);
          }
        },
        options.signal ? { signal: options.signal } : {},
      );
      if (!failure) {
        parser.end();
        await parserEnd;
      }
    } catch (error) {
      failure ??= error as Error;
    }
    if (failure) for (const entry of writing) entry.destroy(failure);
    const settled = new Map<string, PromiseSettledResult<FileDigest>>();
    for (const [path, digest] of digests) settled.set(path, (await Promise.allSettled([digest]))[0]!);
    if (failure) throw translate(failure);
    const manifest = parseManifest(deframer.manifest());
    checkAgainstManifest(manifest, settled);
    await restoreModes(staging, manifest);
    return manifest;
  } finally {
    await hasher.close();
  }
}

/** Every file written matches its manifest entry, and every entry was written. */
function checkAgainstManifest(manifest: Manifest, written: Map<string, PromiseSettledResult<FileDigest>>): void {
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const [path, result] of written) {
    const entry = listed.get(path);
    if (!entry) throw unsafe(path, 'a file its manifest does not list');
    if (result.status === 'rejected') throw result.reason as Error;
    if (result.value.size !== entry.size || result.value.sha256 !== entry.sha256) {
      throw new SsoError('DAMAGED_FILE', `${path} in the bundle does not match its manifest (size or SHA-256)`);
    }
    listed.delete(path);
  }
  if (listed.size)
    throw new SsoError(
      'DAMAGED_FILE',
      `the bundle lacks files its manifest lists: ${[...listed.keys()].slice(0, 5).join(', ')}`,
    );
}

/** Owner-only, whatever the manifest says: 0600, or 0700 when the owner could execute it. */
async function restoreModes(staging: string, manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    if (file.mode & 0o100) await fs.chmod(join(staging, file.path), 0o700);
  }
}

/** Writes one entry to a new file (0600, in folders 0700); `device` names where it is, for a full disk. */
async function writeEntry(entry: NodeJS.ReadableStream, file: string, path: string, device: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    await fs.mkdir(dirname(file), { recursive: true, mode: 0o700 });
    handle = await fs.open(file, 'wx', 0o600);
  } catch (error) {
    entry.resume();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR')
      throw unsafe(path, 'a path that is both a file and a folder');
    throw ioError(`cannot write ${file}`, error, device);
  }
  // The sink writes through the handle and never closes it, so the handle is closed here
  // once, whatever failed (a stream on its bare descriptor would close it on a failure, and
  // this close then fail with EBADF — or close another file that took the number). A write
  // that fails (a full disk) is an IO_ERROR naming the file.
  try {
    await pipeline(entry, fileHandleSink(handle, file, 1 << 20, device));
  } finally {
    await handle.close().catch((error: unknown) => {
      throw ioError(`cannot write ${file}`, error, device);
    });
  }
}

function translate(error: Error): Error {
  if (error instanceof SsoError) return error;
  const code = (error as { code?: string }).code;
  if (code?.startsWith('TAR_'))
    return new SsoError('DAMAGED_FILE', `the bundle's archive is not readable: ${error.message}`);
  return error;
}
