// Property tests (fast-check) of the readers of untrusted files: the XML readers, the secret
// backup and the environment bundle (header, STREAM, frames, manifest). Two properties each:
// what the writer (or a test renderer) makes reads back to the same content, and any mutation
// of a good file is either refused with an SsoError — never a TypeError or RangeError — or
// reads back to the same content. numRuns stays modest so the file runs in a few seconds.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { deterministicRng } from '../../fixtures/vectors/deterministic-rng.js';
import { MANIFEST_FORMAT, parseManifest } from '../../src/core/clone/manifest.js';
import {
  type BundleFacts,
  createBundleHeader,
  parseBundleHeader,
  renderBundleHeader,
  unlockBundle,
} from '../../src/crypto/bundle-format.js';
import { Deframer, framePayload } from '../../src/crypto/bundle-frames.js';
import { CHUNK_BYTES, StreamOpener, StreamSealer } from '../../src/crypto/bundle-stream.js';
import { createBackup, openBackup, parseBackup, renderHeader } from '../../src/crypto/secret-backup-format.js';
import { SsoError } from '../../src/errors.js';
import { type ApplicationXml, type FieldXml, readApplicationsXml } from '../../src/xml/applications-xml.js';
import { readSettingsXml, writeSettingsXml } from '../../src/xml/config-settings-xml.js';
import { readGlobalInfoXml } from '../../src/xml/global-info-xml.js';
import { type MappingXml, readMappingsXml } from '../../src/xml/mappings-xml.js';
import { parseXml } from '../../src/xml/xml-document.js';
import { REPO_ROOT } from '../helpers/cli.js';

const RUNS = { numRuns: 200 };
const KDF = { log2N: 10, r: 8, p: 1 };
const PASSWORD = 'property password';

// ---- mutations -------------------------------------------------------------------------

interface Mutation {
  kind: 'flip' | 'insert' | 'delete' | 'truncate' | 'duplicate';
  at: number;
  bytes: Uint8Array;
}

/** One edit anywhere in `length` bytes: a flipped byte, bytes inserted or deleted, a cut, a span repeated. */
const mutation = (length: number): fc.Arbitrary<Mutation> =>
  fc.record({
    kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'duplicate'),
    at: fc.integer({ min: 0, max: Math.max(0, length - 1) }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  });

function mutate(input: Buffer, m: Mutation): Buffer {
  const head = input.subarray(0, m.at);
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(input);
      out[m.at]! ^= m.bytes[0]! || 0x01;
      return out;
    }
    case 'insert':
      return Buffer.concat([head, m.bytes, input.subarray(m.at)]);
    case 'delete':
      return Buffer.concat([head, input.subarray(m.at + m.bytes.length)]);
    case 'truncate':
      return Buffer.from(head);
    case 'duplicate':
      return Buffer.concat([input.subarray(0, m.at + m.bytes.length), input.subarray(m.at)]);
  }
}

/** Runs `read`: its value, or null when it refused with an SsoError; anything else thrown fails the property. */
async function refusedOr<T>(read: () => T | Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SsoError) return null;
    throw error;
  }
}

const withoutLines = <T extends { line: number }>(items: T[]) => items.map(({ line: _line, ...rest }) => rest);

// ---- XML -------------------------------------------------------------------------------

/** Text as people write it: letters, digits, XML's special characters, non-ASCII; never blank at either end. */
const xmlText = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 -_.\\&<>"\'éß漢😀'.match(/./gu)!), minLength: 1, maxLength: 24 })
  .filter((s) => s.trim() === s && s !== '');
const appName = fc
  .string({ unit: fc.constantFrom(...'abcdefXYZ0129_-.'), minLength: 1, maxLength: 20 })
  .filter((s) => /^[A-Za-z0-9]/.test(s));

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

type AppShape = Omit<ApplicationXml, 'line' | 'fields'> & { fields: Omit<FieldXml, 'line'>[] };

/** The SDK's AffiliateApplication layout, written by the test (ssokit has no writer for it). */
function renderApps(apps: AppShape[]): string {
  const body = apps.map((a) => {
    const text = (['description', 'contact', 'appUserAccount', 'appAdminAccount', 'windowsAccount'] as const)
      .filter((k) => a[k] !== undefined)
      .map((k) => `<${k}>${escapeXml(a[k]!)}</${k}>`)
      .join('');
    const fields = a.fields
      .map((f) => `<field ordinal="${f.ordinal}" label="${escapeXml(f.label)}" masked="${f.masked ? 'yes' : 'no'}" />`)
      .join('');
    const flags = Object.entries(a.flags)
      .map(([k, v]) => `${k}="${v ? 'yes' : 'no'}"`)
      .join(' ');
    return `<application name="${escapeXml(a.name)}">${text}${fields}${flags ? `<flags ${flags} />` : ''}</application>`;
  });
  return `<?xml version="1.0"?>\n<SSO>\n${body.join('\n')}\n</SSO>\n`;
}

function renderMappings(mappings: Omit<MappingXml, 'line'>[]): string {
  const body = mappings.map(
    (m) =>
      `<mapping><windowsDomain>${escapeXml(m.windowsDomain)}</windowsDomain><windowsUserId>${escapeXml(m.windowsUserId)}</windowsUserId>` +
      `<externalApplication>${escapeXml(m.externalApplication)}</externalApplication><externalUserId>${escapeXml(m.externalUserId)}</externalUserId></mapping>`,
  );
  return `<?xml version="1.0"?>\n<SSO>\n${body.join('\n')}\n</SSO>\n`;
}

const readApps = (bytes: Buffer) =>
  withoutLines(readApplicationsXml(parseXml(bytes, 'a.xml'))).map((a) => ({ ...a, fields: withoutLines(a.fields) }));
const readMappings = (bytes: Buffer) => withoutLines(readMappingsXml(parseXml(bytes, 'm.xml')));
const readSettings = (bytes: Buffer) => withoutLines(readSettingsXml(parseXml(bytes, 's.xml')));

const application = fc.record({
  name: appName,
  description: xmlText,
  contact: xmlText,
  appUserAccount: xmlText,
  appAdminAccount: xmlText,
  // Labels are unique within an application (the reader refuses a repeated one).
  fields: fc.uniqueArray(fc.record({ label: xmlText, masked: fc.boolean() }), {
    minLength: 1,
    maxLength: 4,
    selector: (f) => f.label.toLowerCase(),
  }),
  flags: fc.record({ allowTickets: fc.boolean(), validateTickets: fc.boolean() }, { requiredKeys: [] }),
});

describe('XML readers', () => {
  test('applications written out read back the same', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(application, { minLength: 1, maxLength: 4, selector: (a) => a.name.toLowerCase() }),
        (apps) => {
          const shaped = apps.map((a) => ({
            ...a,
            fields: a.fields.map((f, i) => ({ ordinal: i, label: f.label, masked: i === 0 ? false : f.masked })),
          }));
          expect(readApps(Buffer.from(renderApps(shaped)))).toEqual(shaped);
        },
      ),
      RUNS,
    );
  });

  test('mappings and settings written out read back the same', () => {
    const mapping = fc.record({
      windowsDomain: xmlText,
      windowsUserId: xmlText,
      externalApplication: xmlText,
      externalUserId: xmlText,
    });
    const setting = fc.record({ name: appName, value: xmlText });
    fc.assert(
      fc.property(
        fc.array(mapping, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(setting, { maxLength: 4, selector: (s) => s.name.toLowerCase() }),
        (mappings, settings) => {
          expect(readMappings(Buffer.from(renderMappings(mappings)))).toEqual(mappings);
          expect(readSettings(Buffer.from(writeSettingsXml(settings)))).toEqual(settings);
        },
      ),
      RUNS,
    );
  });

  // A mutated file that is accepted must mean what its content says: what was read,
  // written out again, reads back the same (nothing half-read, nothing dropped silently).
  const samples = [
    'AffiliateApplication.xml',
    'HostGroupApplication.xml',
    'UserMapping.xml',
    'GlobalInfo.xml',
    'SampleSettings.xml',
  ].map((name) => ({
    name,
    bytes: readFileSync(join(REPO_ROOT, 'fixtures/xml', name)),
  }));

  test.each(samples)('a mutated $name is refused with an SsoError, or reads back the same', async ({ name, bytes }) => {
    await fc.assert(
      fc.asyncProperty(mutation(bytes.length), async (m) => {
        const mutated = mutate(bytes, m);
        if (name.includes('Application')) {
          const apps = await refusedOr(() => readApps(mutated));
          if (apps) expect(readApps(Buffer.from(renderApps(apps)))).toEqual(apps);
        } else if (name.includes('Mapping')) {
          const mappings = await refusedOr(() => readMappings(mutated));
          if (mappings) expect(readMappings(Buffer.from(renderMappings(mappings)))).toEqual(mappings);
        } else if (name.includes('Settings')) {
          const settings = await refusedOr(() => readSettings(mutated));
          if (settings) expect(readSettings(Buffer.from(writeSettingsXml(settings)))).toEqual(settings);
        } else {
          await refusedOr(() => readGlobalInfoXml(parseXml(mutated, name)));
        }
      }),
      RUNS,
    );
  });

  test('arbitrary bytes are refused with an SsoError or read, never a crash', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('<SSO>', '<sso><globalInfo>', '<settings>', ''),
        (bytes, prefix) => {
          const input = Buffer.concat([Buffer.from(prefix), bytes]);
          for (const read of [
            readApps,
            readMappings,
            readSettings,
            (b: Buffer) => readGlobalInfoXml(parseXml(b, 'g.xml')),
          ]) {
            try {
              read(input);
            } catch (error) {
              if (!(error instanceof SsoError)) throw error;
            }
          }
        },
      ),
      RUNS,
    );
  });
});

// ---- secret backup ---------------------------------------------------------------------

const secret = fc.uint8Array({ minLength: 32, maxLength: 32 });
const reminder = fc.string({ unit: 'grapheme', maxLength: 40 });
const created = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2999-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('secret backup', () => {
  test('any backup written reads back: the same header, rendered to the same bytes, and the same secrets', async () => {
    await fc.assert(
      fc.asyncProperty(
        secret,
        fc.option(secret, { nil: null }),
        fc.integer({ min: 1, max: 999_999_999 }),
        reminder,
        created,
        async (current, previous, generation, text, now) => {
          const bytes = await createBackup({
            current,
            previous,
            generation,
            reminder: text,
            password: PASSWORD,
            kdf: KDF,
            rng: deterministicRng(String(generation)),
            now,
          });
          const parsed = parseBackup(bytes);
          expect(parsed.header).toMatchObject({
            generation,
            reminder: text,
            created: now.toISOString(),
            previousId: previous ? expect.any(String) : null,
          });
          expect(Buffer.from(renderHeader(parsed.header))).toEqual(Buffer.from(parsed.authenticated));
          const opened = await openBackup(parsed, PASSWORD);
          expect([Buffer.from(opened.current), opened.previous && Buffer.from(opened.previous)]).toEqual([
            Buffer.from(current),
            previous && Buffer.from(previous),
          ]);
        },
      ),
      { numRuns: 50 },
    );
  });

  test('a mutated backup is refused with an SsoError, or opens to the same header and secrets', async () => {
    const rng = deterministicRng('property backup');
    const current = rng(32);
    const previous = rng(32);
    const good = Buffer.from(
      await createBackup({
        current,
        previous,
        generation: 7,
        reminder: 'a reminder',
        password: PASSWORD,
        kdf: KDF,
        rng,
        now: new Date('2026-11-01T00:00:00Z'),
      }),
    );
    const original = parseBackup(good).header;
    await fc.assert(
      fc.asyncProperty(mutation(good.length), async (m) => {
        const opened = await refusedOr(async () => {
          const parsed = parseBackup(mutate(good, m));
          return { header: parsed.header, secrets: await openBackup(parsed, PASSWORD) };
        });
        if (opened) {
          expect(opened.header).toEqual(original);
          expect([Buffer.from(opened.secrets.current), Buffer.from(opened.secrets.previous!)]).toEqual([
            Buffer.from(current),
            Buffer.from(previous),
          ]);
        }
      }),
      RUNS,
    );
  });
});

// ---- bundle ----------------------------------------------------------------------------

const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019._-'), minLength: 1, maxLength: 30 });
const installDir = fc
  .array(fc.string({ unit: fc.constantFrom(...'abc xyz-_é漢😀.'), minLength: 1, maxLength: 12 }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => `/${parts.join('/')}`);
const facts: fc.Arbitrary<BundleFacts> = fc.record({
  sourceNode: token,
  platform: token,
  arch: token,
  version: token,
  edition: token,
  installDir,
  created: created.map((d) => d.toISOString()),
  includesSecret: fc.boolean(),
});

/** Pipes `input` through a stream transform; resolves with its output, or rejects with its error. */
async function through(input: Buffer, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(input.length ? [input] : []).pipe(transform)) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

/** Payload bytes of a given size, cheap to make (fast-check draws the size and a seed, not each byte). */
function payloadOf(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}
const payloadSize = fc.oneof(
  fc.integer({ min: 1, max: 300 }),
  fc.integer({ min: CHUNK_BYTES - 2, max: CHUNK_BYTES + 2 }),
  fc.integer({ min: 1, max: 3 * CHUNK_BYTES }),
);

describe('environment bundle', () => {
  test('any header written parses back to the same facts and renders to the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(facts, async (f) => {
        const { bytes } = await createBundleHeader(f, PASSWORD, KDF, deterministicRng(f.sourceNode));
        const parsed = parseBundleHeader(Buffer.concat([bytes, Buffer.from('payload')]));
        expect(parsed.header).toMatchObject(f);
        expect(parsed.payloadOffset).toBe(bytes.length);
        expect(Buffer.from(renderBundleHeader(parsed.header))).toEqual(parsed.authenticated);
        await unlockBundle(parsed, PASSWORD);
      }),
      { numRuns: 50 },
    );
  });

  test('a mutated header is refused with an SsoError, or unlocks as the same header', async () => {
    const f: BundleFacts = {
      sourceNode: 'web1',
      platform: 'linux',
      arch: 'x64',
      version: '0.1.0',
      edition: 'community',
      installDir: '/opt/ssokit',
      created: '2026-11-01T00:00:00.000Z',
      includesSecret: false,
    };
    const { bytes } = await createBundleHeader(f, PASSWORD, KDF, deterministicRng('property bundle'));
    const original = parseBundleHeader(bytes).header;
    await fc.assert(
      fc.asyncProperty(mutation(bytes.length), async (m) => {
        const header = await refusedOr(async () => {
          const parsed = parseBundleHeader(mutate(bytes, m));
          await unlockBundle(parsed, PASSWORD);
          return parsed.header;
        });
        if (header) expect(header).toEqual(original);
      }),
      RUNS,
    );
  });

  test('STREAM: any payload sealed opens to itself; any mutation of the sealed stream is DAMAGED_FILE or opens to the same', async () => {
    const key = deterministicRng('stream key')(32);
    await fc.assert(
      fc.asyncProperty(
        payloadSize,
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        mutation(1),
        async (size, seed, where, m) => {
          const plain = payloadOf(size, seed);
          const sealed = await through(plain, new StreamSealer(key));
          // Buffer.equals: jest's deep equality walks large buffers byte by byte, slowly.
          expect((await through(sealed, new StreamOpener(key))).equals(plain)).toBe(true);
          const at = Math.min(sealed.length - 1, Math.floor(where * sealed.length));
          const opened = await through(mutate(sealed, { ...m, at }), new StreamOpener(key)).catch((error: unknown) => {
            if (error instanceof SsoError && error.code === 'DAMAGED_FILE') return null;
            throw error;
          });
          if (opened) expect(opened.equals(plain)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('frames: any archive and manifest framed are read back; mutated frames are refused with an SsoError or read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5000 }),
        fc.nat(),
        fc.integer({ min: 1, max: 4096 }),
        mutation(1),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (size, seed, frameBytes, m, where) => {
          const archive = payloadOf(size, seed);
          const manifest = Buffer.from(JSON.stringify({ seed }));
          const framed = framePayload(archive, manifest, frameBytes);
          const deframer = new Deframer();
          expect((await through(framed, deframer)).equals(archive)).toBe(true);
          expect(deframer.manifest().equals(manifest)).toBe(true);
          const at = Math.min(framed.length - 1, Math.floor(where * framed.length));
          await refusedOr(async () => {
            const again = new Deframer();
            await through(mutate(framed, { ...m, at }), again);
            return again.manifest();
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  test('a manifest of any JSON is refused with an SsoError or accepted as listed', () => {
    const good = {
      format: MANIFEST_FORMAT,
      environment: { clusterNames: ['ssocluster'], store: '/srv/sso/ssodb.sqlite' },
      businessSystems: [{ name: 'shop', publicUrl: 'https://shop.example.com:443' }],
      includesSecret: false,
      files: [{ path: 'bizsys/shop/bizsys.json', mode: 384, size: 10, sha256: 'a'.repeat(64) }],
    };
    // Any value in place of any one part of a good manifest, or a whole value of any shape.
    const part = fc.constantFrom(
      'format',
      'environment',
      'businessSystems',
      'includesSecret',
      'files',
      'files.0',
      'environment.clusterNames',
      'environment.store',
    );
    fc.assert(
      fc.property(part, fc.jsonValue(), fc.boolean(), (where, value, whole) => {
        const manifest = structuredClone(good) as Record<string, unknown>;
        const [top, inner] = where.split('.') as [string, string | undefined];
        if (inner === undefined) manifest[top] = value;
        else (manifest[top] as Record<string, unknown>)[inner] = value;
        const text = JSON.stringify(whole ? value : manifest) ?? 'undefined';
        try {
          expect(parseManifest(Buffer.from(text))).toEqual(JSON.parse(text));
        } catch (error) {
          if (!(error instanceof SsoError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });
});
