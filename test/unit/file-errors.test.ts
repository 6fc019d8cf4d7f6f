// The errors of files on a device that cannot take them, and the writing that must not close
// a descriptor twice (src/node/private-files.ts). /dev/full fails every write with ENOSPC,
// so a full disk is tested here without root; test/e2e/full-disk.e2e.test.ts does it on a
// real tmpfs.
import { constants, existsSync, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SsoError } from '../../src/errors.js';
import { fileHandleSink, ioError, writeFully } from '../../src/node/private-files.js';

const errno = (code: string, message: string, path?: string) =>
  Object.assign(new Error(`${code}: ${message}`), { code, ...(path ? { path } : {}) });

describe('ioError: a device that cannot take a write is IO_ERROR (exit 13), naming the place', () => {
  test.each([
    [
      'ENOSPC',
      'no space left on device',
      'no space left on the device holding /srv/h/bizsys: cannot write /srv/h/x (ENOSPC)',
    ],
    [
      'EDQUOT',
      'disk quota exceeded',
      'the disk quota is used up on the device holding /srv/h/bizsys: cannot write /srv/h/x (EDQUOT)',
    ],
    ['EROFS', 'read-only file system', 'the device holding /srv/h/bizsys is read-only: cannot write /srv/h/x (EROFS)'],
  ])('%s', (code, message, sentence) => {
    const error = ioError('cannot write /srv/h/x', errno(code, message), '/srv/h/bizsys');
    expect([error.code, error.exitStatus, error.message]).toEqual(['IO_ERROR', 13, sentence]);
    expect(error.hint).toMatch(/and run the command again$/);
  });

  test("without a place given, the error's own path is named", () => {
    expect(ioError('cannot create the folder /a/b', errno('ENOSPC', 'no space left on device', '/a/b')).message).toBe(
      'no space left on the device holding /a/b: cannot create the folder /a/b (ENOSPC)',
    );
  });

  test('the other codes keep their meaning', () => {
    expect(ioError('cannot read /x', errno('ENOENT', 'no such file')).code).toBe('FILE_NOT_FOUND');
    expect(ioError('cannot read /x', errno('EACCES', 'permission denied')).code).toBe('FILE_PERMISSIONS');
    expect(ioError('cannot read /x', errno('EIO', 'i/o error')).message).toBe('cannot read /x: EIO: i/o error');
  });
});

const devFull = existsSync('/dev/full') ? test : test.skip;

describe('writing through a FileHandle on a full device', () => {
  devFull('a pipeline into fileHandleSink fails with IO_ERROR, and the handle closes once, cleanly', async () => {
    const handle = await fs.open('/dev/full', constants.O_WRONLY);
    const failure = await pipeline(
      Readable.from([Buffer.alloc(1 << 16), Buffer.alloc(1 << 16)]),
      fileHandleSink(handle, '/dev/full', 1 << 20, '/dev'),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SsoError);
    expect((failure as SsoError).message).toBe(
      'no space left on the device holding /dev: cannot write /dev/full (ENOSPC)',
    );
    // The sink never closed the descriptor: the owner's close is the only one (no EBADF).
    await expect(handle.close()).resolves.toBeUndefined();
  });

  devFull('writeFully reports ENOSPC as IO_ERROR naming the target', async () => {
    const handle = await fs.open('/dev/full', constants.O_WRONLY);
    try {
      await expect(writeFully(handle, Buffer.from('x'), '/srv/out.bundle')).rejects.toMatchObject({
        code: 'IO_ERROR',
        message: 'no space left on the device holding /srv/out.bundle: cannot write /srv/out.bundle (ENOSPC)',
      });
    } finally {
      await handle.close();
    }
  });
});
