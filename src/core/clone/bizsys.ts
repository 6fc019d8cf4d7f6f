/** `ssokit bizsys add|list|show|update|remove`: the business systems of this node. */

import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { SsoError } from '../../errors.js';
import {
  bizsysDefinitionPath,
  bizsysDir,
  bizsysFilePath,
  clearBizsysLeftovers,
  commitBizsysFiles,
  commitBizsysStaging,
  createBizsysStaging,
  discardBizsysStaging,
  discardStagedFiles,
  isInterruptedAdd,
  listBizsysLeftovers,
  listBizsysNames,
  openBizsysSource,
  readBizsysJson,
  removeBizsysDir,
  removeBizsysFile,
  type StagedFile,
  stageBizsysFile,
  stageDefinition,
  stageNewFile,
  writeBizsysJson,
} from '../../node/bizsys-files.js';
import type { HomePaths } from '../../node/home.js';
import type { OpenedInput } from '../../node/private-files.js';
import { command, remedy } from '../../remedy.js';
import type { NodeContext } from '../shared/index.js';
import {
  applyBizsysChange,
  type BizsysChange,
  type BusinessSystem,
  bizsysFromJson,
  bizsysNameProblem,
  bizsysProblems,
  bizsysToJson,
  canonicalPublicUrl,
  FILE_ROLES,
  type FileRole,
  fileNameProblem,
  publicUrlProblem,
  SESSION_DEFAULTS,
  type SessionSettings,
} from './bizsys-model.js';

/** Where business systems are read from: a node's home, or an import's staging folder. */
export interface BizsysHome {
  paths: HomePaths;
}

export async function readBizsys(home: BizsysHome, name: string): Promise<BusinessSystem | null> {
  const json = await readBizsysJson(home.paths, name);
  return json === null ? null : bizsysFromJson(name, json, bizsysDefinitionPath(home.paths, name));
}

export async function requireBizsys(home: BizsysHome, name: string): Promise<BusinessSystem> {
  const system = bizsysNameProblem(name) ? null : await readBizsys(home, name);
  if (!system) {
    throw new SsoError(
      'NOT_FOUND',
      `there is no business system "${name.replace(/[^\x20-\x7e]/g, '?')}" on this node`,
      { hint: remedy`list them with ${command('bizsys list')}` },
    );
  }
  return system;
}

export async function listBizsys(home: BizsysHome): Promise<BusinessSystem[]> {
  const systems: BusinessSystem[] = [];
  for (const name of listBizsysNames(home.paths)) {
    const system = await readBizsys(home, name);
    if (system) systems.push(system);
  }
  return systems;
}

export interface FileToAdd {
  role: FileRole;
  /** The file to copy in; it keeps its base name. */
  source: string;
}

/** "role=path" as given on a command line. */
export function parseFileArgument(text: string): FileToAdd {
  const at = text.indexOf('=');
  const role = text.slice(0, at) as FileRole;
  if (at <= 0 || !FILE_ROLES.includes(role) || at === text.length - 1) {
    throw new SsoError('USAGE', `--file takes ROLE=PATH with ROLE one of ${FILE_ROLES.join(', ')}, not "${text}"`);
  }
  return { role, source: text.slice(at + 1) };
}

export interface AddBizsysOptions {
  name: string;
  publicUrl: string;
  protectedPaths: string[];
  authServerUrl: string;
  ssl: boolean;
  session?: Partial<SessionSettings>;
  files: FileToAdd[];
}

/**
 * Adds a business system. Every file is opened (and refused unless it is a regular file)
 * before anything is made; the system is then built whole in a hidden staging folder and
 * moved into place by one rename, so a kill at any moment leaves it absent or complete.
 */
export async function addBizsys(ctx: NodeContext, options: AddBizsysOptions): Promise<BusinessSystem> {
  const nameProblem = bizsysNameProblem(options.name);
  if (nameProblem) throw new SsoError('INVALID_INPUT', nameProblem);
  const urlProblem = publicUrlProblem(options.publicUrl);
  if (urlProblem) throw new SsoError('INVALID_INPUT', urlProblem);
  const publicUrl = canonicalPublicUrl(options.publicUrl);
  const existing = await listBizsys(ctx);
  // Folder names are case-sensitive here but not on every server of a group. A folder that
  // only an interrupted add left is no business system: this add replaces it.
  if (
    existing.some((s) => s.name.toLowerCase() === options.name.toLowerCase()) ||
    (listBizsysNames(ctx.paths).includes(options.name) && !isInterruptedAdd(ctx.paths, options.name))
  ) {
    throw new SsoError('ALREADY_EXISTS', `business system "${options.name}" already exists on this node`);
  }
  const sameUrl = existing.find((s) => s.publicUrl === publicUrl);
  if (sameUrl)
    throw new SsoError('ALREADY_EXISTS', `business system "${sameUrl.name}" already has the public URL ${publicUrl}`);
  const system: BusinessSystem = {
    name: options.name,
    publicUrl,
    protectedPaths: [...new Set(options.protectedPaths)],
    authServerUrl: options.authServerUrl,
    ssl: options.ssl,
    session: { ...SESSION_DEFAULTS, ...options.session },
    files: filesFor(options.files),
    createdAt: ctx.deps.now().toISOString(),
  };
  const problems = bizsysProblems(system);
  if (problems.length)
    throw new SsoError('INVALID_INPUT', `business system "${options.name}" is not valid`, { details: problems });
  await withSources(options.files, async (sources) => {
    const staging = await createBizsysStaging(ctx.paths, system.name);
    try {
      for (const [i, file] of system.files.entries()) await stageNewFile(ctx.paths, staging, file.name, sources[i]!);
      await stageDefinition(ctx.paths, staging, bizsysToJson(system));
      await commitBizsysStaging(ctx.paths, staging);
    } catch (error) {
      await discardBizsysStaging(staging).catch(() => undefined);
      throw error;
    }
  });
  // What earlier adds of this name left when they were killed is of no use now.
  await clearBizsysLeftovers(ctx.paths, system.name).catch(() => undefined);
  return system;
}

/** The files as the definition names them; a missing source is an error before anything is copied. */
function filesFor(toAdd: FileToAdd[]) {
  return toAdd.map((file) => {
    if (!existsSync(file.source)) throw new SsoError('FILE_NOT_FOUND', `there is no file ${file.source}`);
    const name = basename(file.source);
    const problem = fileNameProblem(name);
    if (problem) throw new SsoError('INVALID_INPUT', problem, { hint: 'copy the file to a plain name first' });
    return { role: file.role, name };
  });
}

/**
 * Opens every source (O_NONBLOCK, regular files only: a FIFO or a device is refused at
 * once, before anything is written), runs `use`, and closes them.
 */
async function withSources<T>(files: FileToAdd[], use: (sources: OpenedInput[]) => Promise<T>): Promise<T> {
  const sources: OpenedInput[] = [];
  try {
    for (const file of files) sources.push(await openBizsysSource(file.source));
    return await use(sources);
  } finally {
    await Promise.all(sources.map((source) => source.handle.close().catch(() => undefined)));
  }
}

async function stageFiles(paths: HomePaths, name: string, files: FileToAdd[]): Promise<StagedFile[]> {
  return withSources(files, async (sources) => {
    const staged: StagedFile[] = [];
    try {
      for (const [i, file] of files.entries())
        staged.push(await stageBizsysFile(paths, name, basename(file.source), sources[i]!));
    } catch (error) {
      await discardStagedFiles(staged);
      throw error;
    }
    return staged;
  });
}

export interface UpdateBizsysOptions extends Omit<BizsysChange, 'addFiles'> {
  /** Copied in; a file with the same name as one already there replaces it. */
  addFiles?: FileToAdd[];
}

/**
 * Changes a business system. The new files are copied under temporary names first, so a
 * file that cannot be read changes nothing.
 */
export async function updateBizsys(
  ctx: NodeContext,
  name: string,
  options: UpdateBizsysOptions,
): Promise<BusinessSystem> {
  const system = await requireBizsys(ctx, name);
  const { addFiles = [], ...change } = options;
  const updated = applyBizsysChange(system, { ...change, addFiles: filesFor(addFiles) });
  const problems = bizsysProblems(updated);
  if (problems.length)
    throw new SsoError('INVALID_INPUT', `business system "${name}" would not be valid`, { details: problems });
  await saveBizsys(ctx, updated, addFiles);
  for (const removed of options.removeFiles ?? []) {
    if (!updated.files.some((f) => f.name === removed)) await removeBizsysFile(ctx.paths, name, removed);
  }
  return updated;
}

/** Writes a valid definition, with the files to copy in for it. */
export async function saveBizsys(ctx: BizsysHome, system: BusinessSystem, addFiles: FileToAdd[] = []): Promise<void> {
  const staged = await stageFiles(ctx.paths, system.name, addFiles);
  try {
    await commitBizsysFiles(staged);
  } catch (error) {
    await discardStagedFiles(staged);
    throw error;
  }
  await writeBizsysJson(ctx.paths, system.name, bizsysToJson(system));
}

export async function removeBizsys(ctx: NodeContext, name: string): Promise<void> {
  await requireBizsys(ctx, name);
  await removeBizsysDir(ctx.paths, name);
  await clearBizsysLeftovers(ctx.paths, name).catch(() => undefined);
}

/** What `bizsys remove NAME` would remove: the business system, or only what interrupted commands left of it. */
export interface BizsysRemoval {
  name: string;
  /** The business system's definition, or null when its folder holds none that reads. */
  system: BusinessSystem | null;
  /** The folder bizsys/NAME exists (with a definition or not). */
  folder: boolean;
  /** Staging and set-aside folders that interrupted adds and removes of NAME left. */
  leftovers: string[];
}

/**
 * Finds what there is to remove under a name: a business system (readable or not — a
 * damaged definition is removed too, as its hint says), a folder without a definition, or
 * only what interrupted commands left. NOT_FOUND when there is none of these.
 */
export async function planBizsysRemoval(ctx: BizsysHome, name: string): Promise<BizsysRemoval> {
  if (bizsysNameProblem(name)) await requireBizsys(ctx, name); // NOT_FOUND, the name shown safely
  const folder = existsSync(bizsysDir(ctx.paths, name));
  const system = folder ? await readBizsys(ctx, name).catch(() => null) : null;
  const leftovers = listBizsysLeftovers(ctx.paths)
    .filter((l) => l.name === name && l.what !== 'an interrupted change' && l.path !== bizsysDir(ctx.paths, name))
    .map((l) => l.path);
  if (!folder && leftovers.length === 0) await requireBizsys(ctx, name);
  return { name, system, folder, leftovers };
}

/** Removes what planBizsysRemoval found: the folder (set aside first), then the leftovers. */
export async function removeBizsysFound(ctx: BizsysHome, removal: BizsysRemoval): Promise<void> {
  await removeBizsysDir(ctx.paths, removal.name);
  await clearBizsysLeftovers(ctx.paths, removal.name);
}

/**
 * Every reason the business systems in this home are not sound (empty when they are):
 * unreadable or invalid definitions, folders without one (except what an interrupted add
 * left), referenced files missing.
 */
export async function bizsysHealth(home: BizsysHome): Promise<string[]> {
  const problems: string[] = [];
  const urls = new Map<string, string>();
  for (const name of listBizsysNames(home.paths)) {
    // What an interrupted add left is no business system and carries nothing: `ssokit
    // check` names it as harmless (listBizsysLeftovers), and an export leaves it out.
    if (isInterruptedAdd(home.paths, name)) continue;
    let system: BusinessSystem | null;
    try {
      system = bizsysNameProblem(name) ? null : await readBizsys(home, name);
    } catch (error) {
      const { message, details } = error as SsoError;
      problems.push(details?.length ? `${message}: ${details.join('; ')}` : message);
      continue;
    }
    if (!system) {
      problems.push(
        `bizsys/${name.replace(/[^\x20-\x7e]/g, '?')} is not a business system (no ${bizsysDefinitionPath(home.paths, name)})`,
      );
      continue;
    }
    for (const problem of bizsysProblems(system)) problems.push(`business system "${name}": ${problem}`);
    const other = urls.get(system.publicUrl);
    if (other) problems.push(`business systems "${other}" and "${name}" have the same public URL ${system.publicUrl}`);
    urls.set(system.publicUrl, name);
    for (const file of system.files) {
      if (!existsSync(bizsysFilePath(home.paths, name, file.name)))
        problems.push(`business system "${name}": its ${file.role} file ${file.name} is missing`);
    }
  }
  return problems;
}
