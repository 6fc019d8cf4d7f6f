/**
 * Hand-made bundles for tests: a real header and real sealing, around a payload the test
 * chooses — so a bundle's only fault is the one under test (a hostile tar entry, say).
 * Tar blocks are made with the tar package's own Header class.
 */

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Header, Pax } from 'tar';
import { createBundleHeader, type BundleFacts } from '../../src/crypto/bundle-format.js';
import { StreamSealer } from '../../src/crypto/bundle-stream.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestFile } from '../../src/core/clone-manifest.js';
import { currentInstallFacts } from '../../src/node/install-facts.js';
import { systemRng } from '../../src/crypto/random.js';

export interface TarEntry {
  path: string;
  type?: 'File' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO' | 'Directory';
  body?: Buffer;
  linkpath?: string;
}

/** A tar archive of these entries, ended by the two zero blocks. */
export function tarOf(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body ?? Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      mode: 0o600,
      size: entry.type && entry.type !== 'File' ? 0 : body.length,
      mtime: new Date('2026-11-01T00:00:00Z'),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    // Names over 100 bytes travel in a pax extended header, as real archivers write them.
    if (Buffer.byteLength(entry.path) > 100) blocks.push(new Pax({ path: entry.path }).encode());
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (body.length && (entry.type ?? 'File') === 'File') {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function manifestFor(files: { path: string; body: Buffer }[], store = '/nowhere/ssodb.sqlite'): Manifest {
  return {
    format: MANIFEST_FORMAT,
    environment: { clusterNames: [], store },
    businessSystems: [],
    includesSecret: false,
    files: files.map(
      (f): ManifestFile => ({ path: f.path, mode: 0o600, size: f.body.length, sha256: createHash('sha256').update(f.body).digest('hex') }),
    ),
  };
}

/** Writes a bundle with a real header (this installation's facts unless overridden) around `payloadTar`. */
export async function writeCraftedBundle(
  path: string,
  password: string,
  manifest: Manifest,
  payloadTar: Buffer,
  facts: Partial<BundleFacts> = {},
): Promise<void> {
  const install = currentInstallFacts();
  const header = await createBundleHeader(
    { sourceNode: 'crafted', ...install, created: '2026-11-01T00:00:00.000Z', includesSecret: false, ...facts },
    password,
    { log2N: 10, r: 8, p: 1 },
    systemRng,
  );
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(manifestBytes.length);
  const sealed: Buffer[] = [];
  const sealer = Readable.from([Buffer.concat([prefix, manifestBytes, payloadTar])]).pipe(new StreamSealer(header.payloadKey));
  for await (const chunk of sealer) sealed.push(chunk as Buffer);
  writeFileSync(path, Buffer.concat([header.bytes, ...sealed]), { mode: 0o600 });
}

