/**
 * Hand-made bundles for tests: a real header and real sealing, around a payload the test
 * chooses — so a bundle's only fault is the one under test (a hostile tar entry, say).
 */

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { type TarEntry, tarOf } from '../../fixtures/vectors/tar-blocks.js';
import { bizsysToJson, SESSION_DEFAULTS } from '../../src/core/clone/bizsys-model.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestFile } from '../../src/core/clone/manifest.js';
import { type BundleFacts, createBundleHeader } from '../../src/crypto/bundle-format.js';
import { framePayload } from '../../src/crypto/bundle-frames.js';
import { StreamSealer } from '../../src/crypto/bundle-stream.js';
import { systemRng } from '../../src/crypto/random.js';
import { currentInstallFacts } from '../../src/node/install-facts.js';

export { type TarEntry, tarOf };

export interface CraftedFile {
  path: string;
  body: Buffer;
  mode?: number;
}

export function manifestFor(files: CraftedFile[], overrides: Partial<Manifest> = {}): Manifest {
  return {
    format: MANIFEST_FORMAT,
    environment: { clusterNames: [], store: '/nowhere/ssodb.sqlite' },
    businessSystems: [],
    includesSecret: false,
    files: files.map(
      (f): ManifestFile => ({
        path: f.path,
        mode: f.mode ?? 0o600,
        size: f.body.length,
        sha256: createHash('sha256').update(f.body).digest('hex'),
      }),
    ),
    ...overrides,
  };
}

/** A valid definition file for a business system with no referenced files. */
export function bizsysFile(name: string, publicUrl: string): CraftedFile {
  const body = bizsysToJson({
    name,
    publicUrl,
    protectedPaths: ['/'],
    authServerUrl: '',
    ssl: true,
    session: SESSION_DEFAULTS,
    files: [],
    createdAt: '2026-11-01T00:00:00.000Z',
  });
  return { path: `bizsys/${name}/bizsys.json`, body: Buffer.from(body) };
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
  for await (const chunk of Readable.from([payload]).pipe(new StreamSealer(header.payloadKey)))
    sealed.push(chunk as Buffer);
  writeFileSync(path, Buffer.concat([header.bytes, ...sealed]), { mode: 0o600 });
}

/** A bundle of exactly these files, its manifest telling the truth unless overridden. */
export async function writeBundleOf(
  path: string,
  password: string,
  files: CraftedFile[],
  overrides: Partial<Manifest> = {},
  facts: Partial<BundleFacts> = {},
): Promise<void> {
  await writeCraftedBundle(path, password, manifestFor(files, overrides), tarOf(files), facts);
}
