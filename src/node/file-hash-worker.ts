/**
 * The worker thread behind FileHasher: hashes files it is sent by path, so hashing runs on
 * the second core while the main thread archives, seals and writes.
 */

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const buffer = Buffer.allocUnsafe(1 << 20);

parentPort!.on('message', ({ id, path }: { id: number; path: string }) => {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    let size = 0;
    for (
      let n = readSync(fd, buffer, 0, buffer.length, null);
      n > 0;
      n = readSync(fd, buffer, 0, buffer.length, null)
    ) {
      hash.update(buffer.subarray(0, n));
      size += n;
    }
    parentPort!.postMessage({ id, sha256: hash.digest('hex'), size });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
