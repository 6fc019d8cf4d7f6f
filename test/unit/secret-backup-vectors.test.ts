// Requirement (foundation issue §5): every vector decrypts, or fails, exactly as it says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Expectation,
  makeVectors,
  parseVector,
  renderVector,
} from '../../fixtures/vectors/secret-backup-vectors.js';
import { masterSecretId } from '../../src/crypto/master-secret-id.js';
import { openBackup, parseBackup } from '../../src/crypto/secret-backup-format.js';
import { type ErrorCode, SsoError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';

const dir = join(REPO_ROOT, 'fixtures/vectors/secret-backup');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.vector'))
  .sort();

const CODE_FOR: Record<Exclude<Expectation, 'success'>, ErrorCode> = {
  'wrong password': 'WRONG_PASSWORD',
  damaged: 'DAMAGED_FILE',
  'bad format': 'BAD_FORMAT',
  'unsupported version': 'UNSUPPORTED_VERSION',
  'kdf limit': 'KDF_LIMIT',
};

describe('secret-backup v1 vectors', () => {
  test('there are vectors for every outcome', () => {
    const outcomes = new Set(files.map((f) => parseVector(readFileSync(join(dir, f))).fields.expect));
    expect([...outcomes].sort()).toEqual([
      'bad format',
      'damaged',
      'kdf limit',
      'success',
      'unsupported version',
      'wrong password',
    ]);
  });

  test.each(files)('%s', async (file) => {
    const { fields, body } = parseVector(readFileSync(join(dir, file)));
    const attempt = async () => openBackup(parseBackup(body), fields.password!);
    if (fields.expect === 'success') {
      const secrets = await attempt();
      expect(masterSecretId(secrets.current)).toBe(fields.current);
      expect(secrets.previous ? masterSecretId(secrets.previous) : undefined).toBe(fields.previous);
    } else {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SsoError);
      expect((error as SsoError).code).toBe(CODE_FOR[fields.expect as keyof typeof CODE_FOR]);
    }
  });

  test('the generator reproduces the committed vectors byte for byte', async () => {
    const vectors = await makeVectors();
    expect(vectors.map((v) => `${v.name}.vector`).sort()).toEqual(files);
    for (const vector of vectors) {
      expect(renderVector(vector).equals(readFileSync(join(dir, `${vector.name}.vector`)))).toBe(true);
    }
  });
});
