// Property tests (fast-check): any mutation of a secret backup, a bundle header or an XML
// input is either refused with an SsoError or reads back to the same content — never a
// TypeError, a RangeError or a silent change.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBundleHeader, unlockBundle } from '../../src/crypto/bundle-format.js';
import { openBackup, parseBackup } from '../../src/crypto/secret-backup-format.js';
import { SsoError } from '../../src/errors.js';
import { readApplicationsXml } from '../../src/xml/applications-xml.js';
import { readMappingsXml } from '../../src/xml/mappings-xml.js';
import { parseXml } from '../../src/xml/xml-document.js';
import { parseVector } from '../../fixtures/vectors/secret-backup-vectors.js';
import { REPO_ROOT } from '../helpers/cli.js';

const vector = (kind: string, name: string) => parseVector(readFileSync(join(REPO_ROOT, 'fixtures/vectors', kind, `${name}.vector`)));

/** Replaces, inserts or deletes bytes at one place. */
const mutation = (length: number) =>
  fc.record({
    at: fc.integer({ min: 0, max: length - 1 }),
    kind: fc.constantFrom('flip', 'insert', 'delete'),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  });

function mutate(input: Buffer, m: { at: number; kind: string; bytes: Uint8Array }): Buffer {
  if (m.kind === 'flip') {
    const out = Buffer.from(input);
    out[m.at]! ^= m.bytes[0]! || 1;
    return out;
  }
  if (m.kind === 'insert') return Buffer.concat([input.subarray(0, m.at), m.bytes, input.subarray(m.at)]);
  return Buffer.concat([input.subarray(0, m.at), input.subarray(m.at + m.bytes.length)]);
}

/** Runs `read`; any failure must be an SsoError. Returns the result, or null when refused. */
async function refusedOr<T>(read: () => T | Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof SsoError)) throw error;
    return null;
  }
}

test('secret backup: a mutated file is refused, or opens to the same secrets', async () => {
  const { fields, body } = vector('secret-backup', 'good');
  const original = await openBackup(parseBackup(body), fields.password!);
  await fc.assert(
    fc.asyncProperty(mutation(body.length), async (m) => {
      const opened = await refusedOr(async () => openBackup(parseBackup(mutate(body, m)), fields.password!));
      if (opened) {
        expect(Buffer.from(opened.current)).toEqual(Buffer.from(original.current));
        expect(opened.previous ? Buffer.from(opened.previous) : null).toEqual(original.previous ? Buffer.from(original.previous) : null);
      }
    }),
    { numRuns: 200 },
  );
});

test('bundle header: a mutated header is refused (by the reader or its mac), or unlocks as the same header', async () => {
  const { fields, body } = vector('bundle', 'good');
  const original = parseBundleHeader(body);
  await fc.assert(
    fc.asyncProperty(mutation(original.payloadOffset), async (m) => {
      const unlocked = await refusedOr(async () => {
        const parsed = parseBundleHeader(mutate(body, m));
        await unlockBundle(parsed, fields.password!);
        return parsed;
      });
      if (unlocked) expect(unlocked.header).toEqual(original.header);
    }),
    { numRuns: 200 },
  );
});

test('XML readers: mutated application and mapping files are refused with an SsoError, never a crash', async () => {
  const apps = readFileSync(join(REPO_ROOT, 'fixtures/xml/AffiliateApplication.xml'));
  const mappings = readFileSync(join(REPO_ROOT, 'fixtures/xml/UserMapping.xml'));
  await fc.assert(
    fc.asyncProperty(mutation(apps.length), mutation(mappings.length), async (ma, mm) => {
      await refusedOr(() => readApplicationsXml(parseXml(mutate(apps, ma), 'a.xml')));
      await refusedOr(() => readMappingsXml(parseXml(mutate(mappings, mm), 'm.xml')));
    }),
    { numRuns: 500 },
  );
});
