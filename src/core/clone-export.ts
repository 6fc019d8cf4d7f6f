/**
 * `ssocloneaz -p FILE` / `ssokit clone export FILE`: this business server's environment,
 * encrypted, into one file for a new server behind the same load balancer.
 *
 * A preflight refuses a broken source before anything is written (Interstage's warning: a
 * broken setup copied to every new server). The bundle streams — files → tar → sealed
 * chunks → a 0600 temporary file renamed into place — so memory stays flat.
 */

import { createWriteStream, lstatSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBundleHeader, type BundleFacts } from '../crypto/bundle-format.js';
import { Framer } from '../crypto/bundle-frames.js';
import { StreamSealer } from '../crypto/bundle-stream.js';
import { FileHasher } from '../node/file-hasher.js';
import { SsoError } from '../errors.js';
import { currentInstallFacts } from '../node/install-facts.js';
import { listLocalSecretIds } from '../node/local-secrets.js';
import { answersTo } from '../node/node-config.js';
import { commitTemp, openTemp, tempPathFor } from '../node/private-files.js';
import { recordAudit } from './audit.js';
import { bizsysHealth, listBizsys } from './bizsys.js';
import { BUNDLE_ROOTS, environmentOf, listEnvironmentFiles, MANIFEST_FORMAT, type Manifest, type ManifestFile } from './clone-manifest.js';
import type { StoreContext } from './context.js';
import { credentialOwner, openValues } from './credential-codec.js';
import { DataKeyRing } from './data-keys.js';
import { readGlobalInfo } from './global-info.js';
import { currentMasterSecret } from './key-registry.js';
import { loadMasterKeyring } from './master-keyring.js';
import { checkBackupPassword } from './password-policy.js';

export interface ExportOptions {
  path: string;
  password: string;
  includeSecret: boolean;
  overwrite: boolean;
}

export interface ExportResult {
  path: string;
  bytes: number;
  files: number;
  businessSystems: { name: string; publicUrl: string }[];
  includesSecret: boolean;
  created: string;
}

/** Every reason this node would make a broken clone (empty when it is sound). */
export async function preflightProblems(ctx: StoreContext, includeSecret: boolean): Promise<string[]> {
  const problems: string[] = [];
  try {
    await readGlobalInfo(ctx.store);
  } catch (error) {
    problems.push((error as Error).message);
    return problems;
  }
  problems.push(...(await bizsysHealth(ctx)));
  const info = await readGlobalInfo(ctx.store);
  const current = await currentMasterSecret(ctx.store);
  const holdsSecret = answersTo(ctx.node, info.secretServer) && (await listLocalSecretIds(ctx.paths)).includes(current.id);
  if (includeSecret && !holdsSecret) problems.push('--include-secret: this node holds no copy of the current master secret');
  if (holdsSecret) {
    // Proves the secret this node holds still opens what the store keeps.
    try {
      const ring = new DataKeyRing(await loadMasterKeyring(ctx, 'checking the master secret'));
      const row = await ctx.store.get<{ mapping_id: number; data_key_id: number; ciphertext: Uint8Array }>(
        'SELECT mapping_id, data_key_id, ciphertext FROM credentials ORDER BY mapping_id LIMIT 1',
      );
      if (row) openValues((await ring.byId(ctx.store, row.data_key_id)).key, credentialOwner(row.mapping_id), row.ciphertext);
      else {
        const key = await ctx.store.get<{ app_id: number }>("SELECT app_id FROM data_keys WHERE state = 'active' LIMIT 1");
        if (key) await ring.activeFor(ctx.store, key.app_id);
      }
    } catch (error) {
      problems.push(`the master secret on this node does not open the store's credentials: ${(error as Error).message}`);
    }
  }
  return problems;
}

export async function exportEnvironment(ctx: StoreContext, options: ExportOptions, facts: Partial<BundleFacts> = {}): Promise<ExportResult> {
  checkBackupPassword(options.password, '');
  const problems = await preflightProblems(ctx, options.includeSecret);
  const files: string[] = [];
  for (const root of BUNDLE_ROOTS) {
    if (root === 'secret' && !options.includeSecret) continue;
    files.push(...listEnvironmentFiles(ctx.paths, root, problems));
  }
  if (problems.length) {
    throw new SsoError('PREFLIGHT_FAILED', 'this node is not a sound source for a clone; no bundle was written', {
      details: problems,
      hint: 'fix these first: every new server would get the same faults',
    });
  }
  const businessSystems = (await listBizsys(ctx)).map((s) => ({ name: s.name, publicUrl: s.publicUrl }));
  // Files are hashed on a worker thread while this one archives, seals and writes; the
  // manifest, which lists the hashes, closes the payload.
  const hasher = new FileHasher();
  const described = files.map(async (path): Promise<ManifestFile> => {
    const { sha256, size } = await hasher.digest(join(ctx.paths.root, path));
    return { path, mode: lstatSync(join(ctx.paths.root, path)).mode & 0o777, size, sha256 };
  });
  const manifest = async (): Promise<Buffer> => {
    const body: Manifest = {
      format: MANIFEST_FORMAT,
      environment: environmentOf(ctx.node),
      businessSystems,
      includesSecret: options.includeSecret,
      files: await Promise.all(described),
    };
    return Buffer.from(JSON.stringify(body), 'utf8');
  };

  const created = ctx.deps.now().toISOString();
  const install = currentInstallFacts();
  const sealed = await createBundleHeader(
    {
      sourceNode: ctx.node.nodeName,
      platform: install.platform,
      arch: install.arch,
      version: install.version,
      edition: install.edition,
      installDir: install.installDir,
      created,
      includesSecret: options.includeSecret,
      ...facts,
    },
    options.password,
    ctx.deps.bundleKdf,
    ctx.deps.rng,
  );

  const temp = tempPathFor(options.path);
  const handle = await openTemp(temp, 0o600);
  try {
    await handle.write(sealed.bytes);
    const { create } = await import('tar');
    // An environment without files is an empty archive: just tar's two zero end blocks.
    const archive = files.length
      ? (create({ cwd: ctx.paths.root, portable: true, follow: false, maxReadSize: 1 << 20, jobs: 1 }, files) as unknown as NodeJS.ReadableStream)
      : Readable.from([Buffer.alloc(1024)]);
    // A stream on the bare descriptor: a FileHandle's own stream with autoClose off keeps the
    // handle referenced and its close() never returns.
    // Deep enough that sealing goes on while earlier chunks are written.
    const out = createWriteStream('', { fd: handle.fd, autoClose: false, highWaterMark: 4 << 20 });
    await pipeline(archive, new Framer(manifest), new StreamSealer(sealed.payloadKey), out);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  } finally {
    await Promise.allSettled(described);
    await hasher.close();
  }
  const { size } = await handle.stat();
  await handle.close();
  await commitTemp(temp, options.path, options.overwrite);
  await ctx.store.transaction((tx) =>
    recordAudit(tx, ctx, {
      operation: 'clone-export',
      target: options.path,
      result: `success: ${files.length} files${options.includeSecret ? ', with the master secret' : ''}`,
    }),
  );
  return { path: options.path, bytes: size, files: files.length, businessSystems, includesSecret: options.includeSecret, created };
}

