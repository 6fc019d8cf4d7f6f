/**
 * `ssocloneaz -p FILE` / `ssokit clone export FILE`: this business server's environment,
 * encrypted, into one file for a new server behind the same load balancer.
 *
 * In two steps, so a broken source or an unusable file name is refused before the password
 * is asked for: planExport runs the preflight and lists the files; writeBundle streams them
 * — files → tar → frames → sealed chunks → a 0600 temporary file renamed into place — so
 * memory stays flat whatever the environment's size.
 */

import { existsSync, promises as fs, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BundleFacts, createBundleHeader } from '../../crypto/bundle-format.js';
import { Framer } from '../../crypto/bundle-frames.js';
import { StreamSealer } from '../../crypto/bundle-stream.js';
import { BUNDLE_KDF, PASSWORD_MAX, PASSWORD_MIN } from '../../defaults.js';
import { SsoError } from '../../errors.js';
import { FileHasher } from '../../node/file-hasher.js';
import { currentInstallFacts } from '../../node/install-facts.js';
import { commitTemp, fileHandleSink, ioError, openTemp, tempPathFor, writeFully } from '../../node/private-files.js';
import { option, remedy } from '../../remedy.js';
import type { StoreContext } from '../shared/index.js';
import { belowProductionCost, recordAudit, requireRole, roleCheck } from '../shared/index.js';
import { listBizsys } from './bizsys.js';
import {
  BUNDLE_ROOTS,
  type EnvironmentFile,
  environmentOf,
  listEnvironmentFiles,
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestFile,
  SECRET_DIR,
} from './manifest.js';
import { preflightFailed, preflightProblems } from './preflight.js';
import { ByteCounter, interruptedOr, type ProgressListener } from './progress.js';

export interface ExportOptions {
  path: string;
  includeSecret: boolean;
  /** Replace an existing file (otherwise FILE_EXISTS). */
  overwrite: boolean;
}

export interface ExportPlan extends ExportOptions {
  files: EnvironmentFile[];
  /** The archive's expected size, for progress. */
  totalBytes: number;
  businessSystems: { name: string; publicUrl: string }[];
}

export interface WriteOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Install facts to write instead of this installation's (tests craft mismatched bundles). */
  facts?: Partial<BundleFacts>;
}

export interface ExportResult {
  path: string;
  bytes: number;
  files: number;
  businessSystems: { name: string; publicUrl: string }[];
  includesSecret: boolean;
  created: string;
}

/** Bundle passwords follow the secret backup's rules (7 to 256 characters). */
export function checkBundlePassword(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new SsoError(
      'PASSWORD_POLICY',
      `the bundle password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long, not ${length}`,
    );
  }
}

/** The preflight and the file list; nothing is written. PREFLIGHT_FAILED, FILE_EXISTS, INVALID_INPUT. */
export async function planExport(ctx: StoreContext, options: ExportOptions): Promise<ExportPlan> {
  // The master secret leaves this node only for an SSO administrator, as with -backupSecret.
  if (options.includeSecret) requireRole(await roleCheck(ctx), 'sso-admin', 'exporting the master secret in a bundle');
  const path = resolve(options.path);
  checkOutputPath(ctx, path, options.overwrite);
  const problems = await preflightProblems(ctx, options.includeSecret);
  const files: EnvironmentFile[] = [];
  for (const root of BUNDLE_ROOTS) {
    if (root !== SECRET_DIR || options.includeSecret) files.push(...listEnvironmentFiles(ctx.paths, root, problems));
  }
  if (problems.length) throw preflightFailed(problems);
  return {
    ...options,
    path,
    files,
    // What the archive will weigh: a header block per file, contents padded to blocks, the end.
    totalBytes: files.reduce((sum, f) => sum + 512 + Math.ceil(f.size / 512) * 512, 1024),
    businessSystems: (await listBizsys(ctx)).map((s) => ({ name: s.name, publicUrl: s.publicUrl })),
  };
}

function checkOutputPath(ctx: StoreContext, path: string, overwrite: boolean): void {
  for (const root of BUNDLE_ROOTS) {
    const inside = relative(join(ctx.paths.root, root), path);
    if (!inside.startsWith('..') && !inside.startsWith(sep) && inside !== '') {
      throw new SsoError('INVALID_INPUT', `${path} is inside the environment the bundle carries (${root}/)`, {
        hint: 'write the bundle outside the node home',
      });
    }
  }
  if (!existsSync(dirname(path))) throw new SsoError('FILE_NOT_FOUND', `the folder ${dirname(path)} does not exist`);
  if (!existsSync(path)) return;
  if (!statSync(path).isFile()) throw new SsoError('INVALID_INPUT', `${path} exists and is not a file`);
  if (!overwrite)
    throw new SsoError('FILE_EXISTS', `${path} already exists`, {
      hint: remedy`choose another file name, or add ${option('force')} to replace it`,
    });
}

/** Plan and write in one call (the bench and tests; the CLI asks for the password between). */
export async function exportEnvironment(
  ctx: StoreContext,
  options: ExportOptions & { password: string },
  write: WriteOptions = {},
): Promise<ExportResult> {
  checkBundlePassword(options.password);
  return writeBundle(ctx, await planExport(ctx, options), options.password, write);
}

export async function writeBundle(
  ctx: StoreContext,
  plan: ExportPlan,
  password: string,
  options: WriteOptions = {},
): Promise<ExportResult> {
  checkBundlePassword(password);
  if (belowProductionCost(ctx.deps.bundleKdf, BUNDLE_KDF)) ctx.deps.onWeakFile?.(plan.path, ctx.deps.bundleKdf);
  const created = ctx.deps.now().toISOString();
  const install = currentInstallFacts();
  const sealed = await createBundleHeader(
    { sourceNode: ctx.node.nodeName, ...install, created, includesSecret: plan.includeSecret, ...options.facts },
    password,
    ctx.deps.bundleKdf,
    ctx.deps.rng,
  );
  // Files are hashed on a worker thread while this one archives, seals and writes; the
  // manifest, which lists the hashes, closes the payload.
  const hasher = new FileHasher();
  const described = plan.files.map(async (file): Promise<ManifestFile> => {
    const { sha256, size } = await hasher.digest(join(ctx.paths.root, file.path));
    return { path: file.path, mode: file.mode, size, sha256 };
  });
  for (const d of described) d.catch(() => undefined); // reported through the manifest
  const manifest = async (): Promise<Buffer> => {
    const body: Manifest = {
      format: MANIFEST_FORMAT,
      environment: environmentOf(ctx.node),
      businessSystems: plan.businessSystems,
      includesSecret: plan.includeSecret,
      files: await Promise.all(described),
    };
    return Buffer.from(JSON.stringify(body), 'utf8');
  };

  const temp = tempPathFor(plan.path);
  const handle = await openTemp(temp, 0o600);
  try {
    await writeFully(handle, sealed.bytes, plan.path);
    const { create } = await import('tar');
    // An environment without files is an empty archive: tar's two zero end blocks.
    const archive = plan.files.length
      ? (create(
          { cwd: ctx.paths.root, portable: true, follow: false, noDirRecurse: true, maxReadSize: 1 << 20, jobs: 1 },
          plan.files.map((f) => f.path),
        ) as unknown as NodeJS.ReadableStream)
      : Readable.from([Buffer.alloc(1024)]);
    // A sink that writes through the handle and never closes it (a stream on the bare
    // descriptor closes it when the pipeline fails, and the close below would close it
    // again). Deep enough that sealing goes on while earlier chunks are written.
    const out = fileHandleSink(handle, plan.path, 4 << 20);
    await pipeline(
      archive,
      new ByteCounter(plan.totalBytes, options.onProgress),
      new Framer(manifest),
      new StreamSealer(sealed.payloadKey),
      out,
      {
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    const reading = (error as { path?: string }).path;
    const failure =
      error instanceof SsoError
        ? error
        : ioError(`cannot write ${plan.path}${reading ? ` (reading ${reading})` : ''}`, error, reading ?? plan.path);
    throw interruptedOr(failure, options.signal, 'the export');
  } finally {
    await Promise.allSettled(described);
    await hasher.close();
  }
  const { size } = statSync(temp);
  await commitTemp(temp, plan.path, plan.overwrite);
  await ctx.store.transaction((tx) =>
    recordAudit(tx, ctx, {
      operation: 'clone-export',
      target: plan.path,
      result: `success: ${plan.files.length} files${plan.includeSecret ? ', with the master secret' : ''}`,
    }),
  );
  return {
    path: plan.path,
    bytes: size,
    files: plan.files.length,
    businessSystems: plan.businessSystems,
    includesSecret: plan.includeSecret,
    created,
  };
}
