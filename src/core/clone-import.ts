/**
 * `ssocloneaz -c FILE` / `ssokit clone import FILE`: replays a business server's
 * environment on a new server.
 *
 * In two steps, so every refusal that needs no password comes before the password is
 * asked for: planImport checks the header against this installation and that this node is
 * as freshly installed as Interstage requires; importEnvironment decrypts and checks every
 * chunk and every file into a staging folder beside the home, then moves it into place in
 * one rename. A failed or interrupted import leaves the destination as it was.
 */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, promises as fs, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_HEADER_MAX, parseBundleHeader, unlockBundle, type ParsedBundleHeader } from '../crypto/bundle-format.js';
import { Deframer } from '../crypto/bundle-frames.js';
import { StreamOpener } from '../crypto/bundle-stream.js';
import { FileHasher, type FileDigest } from '../node/file-hasher.js';
import { SsoError, type ErrorCode } from '../errors.js';
import { homePaths } from '../node/home.js';
import { currentInstallFacts } from '../node/install-facts.js';
import { validateNodeName, writeNodeConfig } from '../node/node-config.js';
import { ioError } from '../node/private-files.js';
import { openStore } from '../store/open-store.js';
import { parseManifest, unsafePathProblem, type Manifest } from './clone-manifest.js';
import { recordAudit } from './audit.js';
import type { HomeContext } from './context.js';

export interface ImportPlan {
  path: string;
  parsed: ParsedBundleHeader;
  warnings: string[];
}

export function readBundleHeader(path: string): ParsedBundleHeader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw ioError(`cannot open ${path}`, error);
  }
  try {
    const start = Buffer.alloc(BUNDLE_HEADER_MAX);
    const n = readSync(fd, start, 0, start.length, 0);
    return parseBundleHeader(start.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** What makes this node not "right after installation": configured, business systems, a secret. */
export function freshnessProblems(home: HomeContext): string[] {
  const { paths } = home;
  const problems: string[] = [];
  if (existsSync(paths.nodeFile)) problems.push(`it is already set up (${paths.nodeFile})`);
  const nonEmpty = (dir: string) => existsSync(dir) && readdirSync(dir).some((n) => !n.startsWith('.'));
  if (nonEmpty(join(paths.root, 'bizsys'))) problems.push('it has business systems');
  if (nonEmpty(paths.secretDir)) problems.push('it holds a master secret');
  return problems;
}

export function planImport(home: HomeContext, path: string, options: { force: boolean }): ImportPlan {
  const parsed = readBundleHeader(path);
  const { header } = parsed;
  const here = currentInstallFacts();
  const mismatch = (code: ErrorCode, what: string, bundle: string, local: string) =>
    new SsoError(code, `the bundle was made on ${what} ${bundle}, but this node runs ${what} ${local}`, {
      hint: 'Interstage requires the same platform, version, edition and install folder on both servers; --force does not change that',
    });
  if (header.platform !== here.platform || header.arch !== here.arch) {
    throw mismatch('PLATFORM_MISMATCH', 'platform', `${header.platform}/${header.arch}`, `${here.platform}/${here.arch}`);
  }
  if (header.version !== here.version) throw mismatch('VERSION_MISMATCH', 'ssokit version', header.version, here.version);
  if (header.edition !== here.edition) throw mismatch('EDITION_MISMATCH', 'edition', header.edition, here.edition);
  if (header.installDir !== here.installDir) throw mismatch('INSTALL_DIR_MISMATCH', 'the install folder', header.installDir, here.installDir);
  const problems = freshnessProblems(home);
  if (problems.length && !options.force) {
    throw new SsoError('NODE_NOT_FRESH', `this node is not in the state right after installation: ${problems.join('; ')}`, {
      hint: 'replicate onto a freshly installed server, or add --force to replace this node\'s environment',
    });
  }
  const warnings: string[] = [];
  if (statSync(path).mode & 0o077) {
    warnings.push(`${path} can be read by group or others: keep bundles private while they travel (chmod 600), and delete them after use`);
  }
  if (problems.length) warnings.push(`replacing this node's environment (--force): ${problems.join('; ')}`);
  return { path, parsed, warnings };
}

export interface ImportResult {
  nodeName: string;
  store: string;
  businessSystems: { name: string; publicUrl: string }[];
  files: number;
  includesSecret: boolean;
  warnings: string[];
}

export async function importEnvironment(home: HomeContext, plan: ImportPlan, password: string, options: { nodeName: string }): Promise<ImportResult> {
  const nodeName = validateNodeName(options.nodeName);
  const payloadKey = await unlockBundle(plan.parsed, password);
  const target = home.paths.root;
  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.import-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    const manifest = await extract(plan.path, plan.parsed.payloadOffset, payloadKey, staging);
    const env = manifest.environment;
    await writeNodeConfig(homePaths(staging), {
      nodeName,
      clusterNames: env.clusterNames,
      ...(env.domain ? { domain: env.domain } : {}),
      ...(env.serviceAccount ? { serviceAccount: env.serviceAccount } : {}),
      store: env.store,
      install: currentInstallFacts(),
      createdAt: home.deps.now().toISOString(),
    });
    await moveIntoPlace(staging, target);
    const warnings = [...plan.warnings];
    await recordImport(home, env.store, nodeName, plan, manifest).catch((error: Error) =>
      warnings.push(`the store ${env.store} could not be reached from this node (${error.message}): check that the path is shared`),
    );
    return {
      nodeName,
      store: env.store,
      businessSystems: manifest.businessSystems,
      files: manifest.files.length,
      includesSecret: manifest.includesSecret,
      warnings,
    };
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Decrypts and writes every file under `staging`; each is hashed on a worker thread once
 * written, and checked against the manifest that ends the payload.
 */
async function extract(path: string, offset: number, key: Uint8Array, staging: string): Promise<Manifest> {
  const { Parser } = await import('tar');
  const deframer = new Deframer();
  const parser = new Parser({ strict: true });
  const hasher = new FileHasher();
  let failure: Error | null = null;
  const digests = new Map<string, Promise<FileDigest>>();
  const fail = (error: Error) => {
    failure ??= error;
    parser.abort(error);
  };
  parser.on('entry', (entry) => {
    const refuse = (what: string) => {
      entry.resume();
      fail(new SsoError('UNSAFE_ARCHIVE', `the bundle holds ${JSON.stringify(entry.path)}: ${what}; nothing was written`));
    };
    if (entry.type !== 'File') return refuse(`a ${entry.type} entry (a bundle holds regular files only)`);
    const problem = unsafePathProblem(entry.path);
    if (problem) return refuse(problem);
    if (digests.has(entry.path)) return refuse('a second entry with the same path');
    const file = join(staging, entry.path);
    const digest = writeEntry(entry, file).then(() => hasher.digest(file));
    digest.catch((error: Error) => fail(error));
    digests.set(entry.path, digest);
  });
  parser.on('error', (error: Error) => (failure ??= error));
  const parserEnd = once(parser, 'end');
  parserEnd.catch(() => undefined); // an abort rejects it; the failure is reported from `failure`
  try {
    try {
      // pipeline, so a fault in any stage (a chunk that does not open) ends them all.
      await pipeline(createReadStream(path, { start: offset, highWaterMark: 1 << 20 }), new StreamOpener(key), deframer, async (archive: AsyncIterable<Buffer>) => {
        for await (const chunk of archive) {
          if (failure) return;
          if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), parserEnd]);
        }
      });
      if (!failure) {
        parser.end();
        await parserEnd;
      }
    } catch (error) {
      failure ??= error as Error;
    }
    const settled = await Promise.allSettled(digests.values());
    if (failure) throw translate(failure);
    const manifest = parseManifest(deframer.manifest());
    const listed = new Map(manifest.files.map((f) => [f.path, f]));
    const results = [...digests.keys()].map((p, i) => [p, settled[i]!] as const);
    for (const [written, result] of results) {
      const entry = listed.get(written);
      if (!entry) throw new SsoError('UNSAFE_ARCHIVE', `the bundle holds ${JSON.stringify(written)}: a file its manifest does not list; nothing was written`);
      if (result.status === 'rejected') throw result.reason as Error;
      if (result.value.size !== entry.size || result.value.sha256 !== entry.sha256) {
        throw new SsoError('DAMAGED_FILE', `${written} in the bundle does not match its manifest (size or SHA-256)`);
      }
      listed.delete(written);
    }
    if (listed.size) throw new SsoError('DAMAGED_FILE', `the bundle lacks files its manifest lists: ${[...listed.keys()].slice(0, 5).join(', ')}`);
    return manifest;
  } finally {
    await hasher.close();
  }
}

/** Writes one entry to a new file (0600, in folders 0700). */
async function writeEntry(entry: NodeJS.ReadableStream, file: string): Promise<void> {
  await fs.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const handle = await fs.open(file, 'wx', 0o600);
  try {
    const out = createWriteStream('', { fd: handle.fd, autoClose: false, highWaterMark: 1 << 20 });
    await pipeline(entry, out);
  } finally {
    await handle.close();
  }
}

function translate(error: Error): Error {
  if (error instanceof SsoError) return error;
  const code = (error as { code?: string }).code;
  if (code?.startsWith('TAR_')) return new SsoError('DAMAGED_FILE', `the bundle's archive is not readable: ${error.message}`);
  return error;
}

/** One rename for a new home; a replaced home is set aside first and removed last. */
async function moveIntoPlace(staging: string, target: string): Promise<void> {
  if (!existsSync(target)) return fs.rename(staging, target);
  if (readdirSync(target).length === 0) {
    await fs.rmdir(target);
    return fs.rename(staging, target);
  }
  const aside = `${target}.replaced-${randomBytes(4).toString('hex')}`;
  await fs.rename(target, aside);
  await fs.rename(staging, target);
  await fs.rm(aside, { recursive: true, force: true });
}

async function recordImport(home: HomeContext, storePath: string, nodeName: string, plan: ImportPlan, manifest: Manifest): Promise<void> {
  const store = await openStore(storePath, { busyTimeoutMs: home.deps.busyTimeoutMs });
  try {
    await store.transaction((tx) =>
      recordAudit(tx, { ...home, node: { nodeName } }, {
        operation: 'clone-import',
        target: `${plan.path} from ${plan.parsed.header.sourceNode}`,
        result: `success: ${manifest.files.length} files${manifest.includesSecret ? ', with the master secret' : ''}`,
      }),
    );
  } finally {
    await store.close();
  }
}
