import { masterSecretId } from '../../src/crypto/master-secret-id.js';
import { systemRng } from '../../src/crypto/random.js';
import { createBackup, openBackup, parseBackup, renderHeader } from '../../src/crypto/secret-backup-format.js';
import { SsoError } from '../../src/errors.js';

const kdf = { log2N: 10, r: 8, p: 1 };
const now = new Date('2026-11-23T10:00:00.000Z');

async function backup(reminder = 'my hint ünïcode ✓') {
  const current = systemRng(32);
  const previous = systemRng(32);
  const bytes = await createBackup({
    current,
    previous,
    generation: 5,
    reminder,
    password: 'pässword-1',
    kdf,
    rng: systemRng,
    now,
  });
  return { current, previous, bytes: Buffer.from(bytes) };
}

describe('secret backup format v1', () => {
  test('round trip: header readable without the password, secrets with it', async () => {
    const { current, previous, bytes } = await backup();
    const parsed = parseBackup(bytes);
    expect(parsed.header).toMatchObject({
      version: 1,
      generation: 5,
      reminder: 'my hint ünïcode ✓',
      currentId: masterSecretId(current),
      previousId: masterSecretId(previous),
      created: now.toISOString(),
    });
    const secrets = await openBackup(parsed, 'pässword-1');
    expect(Buffer.from(secrets.current)).toEqual(Buffer.from(current));
    expect(Buffer.from(secrets.previous!)).toEqual(Buffer.from(previous));
  });

  test('the password is compared in NFC form', async () => {
    const { bytes } = await backup();
    const decomposed = 'pässword-1'.normalize('NFD');
    expect(decomposed).not.toBe('pässword-1');
    await expect(openBackup(parseBackup(bytes), decomposed)).resolves.toBeDefined();
  });

  test('a reminder with newlines cannot break the line structure', async () => {
    const { bytes } = await backup('line one\npayload: forged');
    expect(parseBackup(bytes).header.reminder).toBe('line one\npayload: forged');
  });

  test('render is canonical: parse then render gives the same header bytes', async () => {
    const { bytes } = await backup();
    const parsed = parseBackup(bytes);
    expect(Buffer.from(renderHeader(parsed.header))).toEqual(Buffer.from(parsed.authenticated));
  });

  // Every single-byte change must be refused with a clear error, never accepted and never a crash.
  test('any single flipped byte is refused', async () => {
    const { bytes } = await backup('r');
    const accepted: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x20;
      try {
        await openBackup(parseBackup(copy), 'pässword-1');
        accepted.push(i);
      } catch (error) {
        expect(error).toBeInstanceOf(SsoError);
        expect(['BAD_FORMAT', 'DAMAGED_FILE', 'WRONG_PASSWORD', 'UNSUPPORTED_VERSION', 'KDF_LIMIT']).toContain(
          (error as SsoError).code,
        );
      }
    }
    expect(accepted).toEqual([]);
  });

  test('every truncation is refused', async () => {
    const { bytes } = await backup('r');
    for (let length = 0; length < bytes.length; length++) {
      expect(() => parseBackup(bytes.subarray(0, length))).toThrow(SsoError);
    }
  });

  test('oversized input is refused before parsing', () => {
    expect(() => parseBackup(Buffer.alloc(65 * 1024, 0x61))).toThrow(/larger than any backup/);
  });
});
