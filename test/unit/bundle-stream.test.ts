import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CHUNK_BYTES, StreamOpener, StreamSealer, TAG_BYTES } from '../../src/crypto/bundle-stream.js';
import { ByteQueue } from '../../src/crypto/byte-queue.js';
import { SsoError } from '../../src/errors.js';

const key = randomBytes(32);

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Feeds in uneven pieces, as a file read or a pipe would. */
function pieces(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0, step = 1; at < data.length; at += step, step = ((step * 7 + 3) % 40_000) + 1)
    parts.push(data.subarray(at, at + step));
  return Readable.from(parts);
}

const seal = (plain: Buffer) => collect(pieces(plain).pipe(new StreamSealer(key)));
const open = (sealed: Buffer) => collect(pieces(sealed).pipe(new StreamOpener(key)));

describe('STREAM sealing', () => {
  test.each([0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 17])(
    'round trip of %i bytes',
    async (size) => {
      const plain = randomBytes(size);
      const sealed = await seal(plain);
      const chunks = Math.max(1, Math.ceil(size / CHUNK_BYTES));
      expect(sealed.length).toBe(size + chunks * TAG_BYTES);
      expect((await open(sealed)).equals(plain)).toBe(true);
    },
  );

  test('truncation at a chunk boundary is detected (the last-chunk flag)', async () => {
    const sealed = await seal(randomBytes(2 * CHUNK_BYTES + 100));
    await expect(open(sealed.subarray(0, 2 * (CHUNK_BYTES + TAG_BYTES)))).rejects.toMatchObject({
      code: 'DAMAGED_FILE',
      message: expect.stringMatching(/truncated/),
    });
    await expect(open(sealed.subarray(0, sealed.length - 1))).rejects.toBeInstanceOf(SsoError);
  });

  test('reordered, dropped and repeated chunks are detected', async () => {
    const sealed = await seal(randomBytes(3 * CHUNK_BYTES + 5));
    const size = CHUNK_BYTES + TAG_BYTES;
    const chunk = (i: number) => sealed.subarray(i * size, (i + 1) * size);
    const rest = sealed.subarray(3 * size);
    await expect(open(Buffer.concat([chunk(1), chunk(0), chunk(2), rest]))).rejects.toMatchObject({
      code: 'DAMAGED_FILE',
    });
    await expect(open(Buffer.concat([chunk(0), chunk(2), rest]))).rejects.toMatchObject({ code: 'DAMAGED_FILE' });
    await expect(open(Buffer.concat([chunk(0), chunk(0), chunk(1), chunk(2), rest]))).rejects.toMatchObject({
      code: 'DAMAGED_FILE',
    });
  });

  test('a flipped byte anywhere is detected', async () => {
    const sealed = await seal(randomBytes(CHUNK_BYTES + 300));
    for (let i = 0; i < sealed.length; i += 997) {
      const copy = Buffer.from(sealed);
      copy[i]! ^= 0x40;
      await expect(open(copy)).rejects.toMatchObject({ code: 'DAMAGED_FILE' });
    }
  });

  test('another key does not open it', async () => {
    const sealed = await seal(randomBytes(100));
    await expect(collect(Readable.from([sealed]).pipe(new StreamOpener(randomBytes(32))))).rejects.toMatchObject({
      code: 'DAMAGED_FILE',
    });
  });
});

test('ByteQueue takes exact blocks across pieces', () => {
  const q = new ByteQueue();
  q.push(Buffer.from('abc'));
  q.push(Buffer.from(''));
  q.push(Buffer.from('defgh'));
  expect(q.take(2).toString()).toBe('ab');
  expect(q.take(4).toString()).toBe('cdef');
  expect(q.length).toBe(2);
  expect(q.take(10).toString()).toBe('gh');
  expect(q.length).toBe(0);
});
