// Environment bundle v1 vectors: each decrypts, or fails, exactly as it says.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeBundleVectors } from '../../fixtures/vectors/bundle-vectors.js';
import { parseVector, renderVector } from '../../fixtures/vectors/secret-backup-vectors.js';
import { parseBundleHeader, renderBundleHeader, unlockBundle } from '../../src/crypto/bundle-format.js';
import { StreamOpener } from '../../src/crypto/bundle-stream.js';
import { type ErrorCode, SsoError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';

const dir = join(REPO_ROOT, 'fixtures/vectors/bundle');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.vector'))
  .sort();

const CODE_FOR: Record<string, ErrorCode> = {
  'wrong password': 'WRONG_PASSWORD',
  damaged: 'DAMAGED_FILE',
  'bad format': 'BAD_FORMAT',
  'unsupported version': 'UNSUPPORTED_VERSION',
  'kdf limit': 'KDF_LIMIT',
};

async function openBundle(bytes: Buffer, password: string): Promise<Buffer> {
  const parsed = parseBundleHeader(bytes.subarray(0, 8192));
  const key = await unlockBundle(parsed, password);
  const parts: Buffer[] = [];
  for await (const chunk of Readable.from([bytes.subarray(parsed.payloadOffset)]).pipe(new StreamOpener(key)))
    parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('bundle v1 vectors', () => {
  test.each(files)('%s', async (file) => {
    const { fields, body } = parseVector(readFileSync(join(dir, file)));
    const attempt = openBundle(body, fields.password!);
    if (fields.expect === 'success') {
      expect(
        createHash('sha256')
          .update(await attempt)
          .digest('hex'),
      ).toBe(fields['payload sha256']);
    } else {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SsoError);
      expect((error as SsoError).code).toBe(CODE_FOR[fields.expect!]);
    }
  });

  test('every header that parses renders back to the same bytes (no second spelling is accepted)', () => {
    let parsedCount = 0;
    for (const file of files) {
      const { body } = parseVector(readFileSync(join(dir, file)));
      let parsed: ReturnType<typeof parseBundleHeader>;
      try {
        parsed = parseBundleHeader(body.subarray(0, 8192));
      } catch {
        continue;
      }
      parsedCount++;
      expect(renderBundleHeader(parsed.header)).toBe(parsed.authenticated.toString('utf8'));
    }
    expect(parsedCount).toBeGreaterThanOrEqual(10);
  });

  test('the generator reproduces the committed vectors byte for byte', async () => {
    const vectors = await makeBundleVectors();
    expect(vectors.map((v) => `${v.name}.vector`).sort()).toEqual(files);
    for (const vector of vectors)
      expect(renderVector(vector).equals(readFileSync(join(dir, `${vector.name}.vector`)))).toBe(true);
  });
});
