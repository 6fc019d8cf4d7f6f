/**
 * Hand-made bundles for tests: a real header and real sealing, around a payload the test
 * chooses — so a bundle's only fault is the one under test (a hostile tar entry, say).
 */

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createBundleHeader, type BundleFacts } from '../../src/crypto/bundle-format.js';
import { framePayload } from '../../src/crypto/bundle-frames.js';
import { StreamSealer } from '../../src/crypto/bundle-stream.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestFile } from '../../src/core/clone-manifest.js';
import { currentInstallFacts } from '../../src/node/install-facts.js';
import { systemRng } from '../../src/crypto/random.js';

export { tarOf, type TarEntry } from '../../fixtures/vectors/tar-blocks.js';

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
  const sealed: Buffer[] = [];
  const payload = framePayload(payloadTar, Buffer.from(JSON.stringify(manifest)));
  const sealer = Readable.from([payload]).pipe(new StreamSealer(header.payloadKey));
  for await (const chunk of sealer) sealed.push(chunk as Buffer);
  writeFileSync(path, Buffer.concat([header.bytes, ...sealed]), { mode: 0o600 });
}

