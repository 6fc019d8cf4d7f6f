/** `ssokit bizsys add|list|show|update|remove`: the business systems of this node. */

import { existsSync } from 'node:fs';
import { SsoError } from '../errors.js';
import {
  bizsysFilePath,
  copyBizsysFile,
  listBizsysNames,
  readBizsysJson,
  removeBizsysDir,
  removeBizsysFile,
  writeBizsysJson,
} from '../node/bizsys-files.js';
import { basename } from 'node:path';
import {
  bizsysNameProblem,
  bizsysProblems,
  canonicalPublicUrl,
  FILE_ROLES,
  publicUrlProblem,
  SESSION_DEFAULTS,
  type BizsysFile,
  type BusinessSystem,
  type FileRole,
  type SessionSettings,
} from './bizsys-model.js';
import type { NodeContext } from './context.js';

const FORMAT = 'ssokit-bizsys/v1';

function fromJson(name: string, value: unknown): BusinessSystem {
  const v = value as Partial<BusinessSystem> & { format?: string };
  if (!v || v.format !== FORMAT || v.name !== name || typeof v.publicUrl !== 'string' || !v.session) {
    throw new SsoError('BAD_FORMAT', `the definition of business system "${name}" is not a readable ${FORMAT} file`);
  }
  return {
    name: v.name,
    publicUrl: v.publicUrl,
    protectedPaths: [...(v.protectedPaths ?? [])],
    authServerUrl: String(v.authServerUrl ?? ''),
    ssl: Boolean(v.ssl),
    session: { ...SESSION_DEFAULTS, ...v.session },
    files: [...(v.files ?? [])],
    createdAt: String(v.createdAt ?? ''),
  };
}

async function save(ctx: NodeContext, system: BusinessSystem): Promise<void> {
  await writeBizsysJson(ctx.paths, system.name, { format: FORMAT, ...system });
}

export async function readBizsys(ctx: NodeContext, name: string): Promise<BusinessSystem | null> {
  const json = await readBizsysJson(ctx.paths, name);
  return json === null ? null : fromJson(name, json);
}

export async function requireBizsys(ctx: NodeContext, name: string): Promise<BusinessSystem> {
  const system = await readBizsys(ctx, name);
  if (!system) {
    throw new SsoError('NOT_FOUND', `there is no business system "${name}" on this node`, { hint: 'list them with ssokit bizsys list' });
  }
  return system;
}

export async function listBizsys(ctx: NodeContext): Promise<BusinessSystem[]> {
  const systems: BusinessSystem[] = [];
  for (const name of listBizsysNames(ctx.paths)) {
    const system = await readBizsys(ctx, name);
    if (system) systems.push(system);
  }
  return systems;
}

export interface FileToAdd {
  role: FileRole;
  source: string;
}

/** "role=path" as given on a command line. */
export function parseFileArgument(text: string): FileToAdd {
  const at = text.indexOf('=');
  const role = text.slice(0, at) as FileRole;
  if (at <= 0 || !FILE_ROLES.includes(role)) {
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

export async function addBizsys(ctx: NodeContext, options: AddBizsysOptions): Promise<BusinessSystem> {
  const nameProblem = bizsysNameProblem(options.name);
  if (nameProblem) throw new SsoError('INVALID_INPUT', nameProblem);
  const urlProblem = publicUrlProblem(options.publicUrl);
  if (urlProblem) throw new SsoError('INVALID_INPUT', urlProblem);
  const publicUrl = canonicalPublicUrl(options.publicUrl);
  const existing = await listBizsys(ctx);
  if (existing.some((s) => s.name.toLowerCase() === options.name.toLowerCase())) {
    throw new SsoError('ALREADY_EXISTS', `business system "${options.name}" already exists on this node`);
  }
  const sameUrl = existing.find((s) => s.publicUrl === publicUrl);
  if (sameUrl) throw new SsoError('ALREADY_EXISTS', `business system "${sameUrl.name}" already has the public URL ${publicUrl}`);
  const files = filesFor(options.files);
  const system: BusinessSystem = {
    name: options.name,
    publicUrl,
    protectedPaths: options.protectedPaths,
    authServerUrl: options.authServerUrl,
    ssl: options.ssl,
    session: { ...SESSION_DEFAULTS, ...options.session },
    files,
    createdAt: ctx.deps.now().toISOString(),
  };
  const problems = bizsysProblems(system);
  if (problems.length) throw new SsoError('INVALID_INPUT', `business system "${options.name}" is not valid`, { details: problems });
  try {
    for (const [i, file] of files.entries()) await copyBizsysFile(ctx.paths, system.name, file.name, options.files[i]!.source);
    await save(ctx, system);
  } catch (error) {
    await removeBizsysDir(ctx.paths, system.name).catch(() => undefined);
    throw error;
  }
  return system;
}

function filesFor(toAdd: FileToAdd[]): BizsysFile[] {
  return toAdd.map((file) => {
    if (!existsSync(file.source)) throw new SsoError('FILE_NOT_FOUND', `there is no file ${file.source}`);
    return { role: file.role, name: basename(file.source) };
  });
}

export interface UpdateBizsysOptions {
  publicUrl?: string;
  protectedPaths?: string[];
  addPaths?: string[];
  removePaths?: string[];
  authServerUrl?: string;
  ssl?: boolean;
  session?: Partial<SessionSettings>;
  addFiles?: FileToAdd[];
  removeFiles?: string[];
}

/** Interstage's rule: the public URL is the system's identity. */
export function publicUrlIsFixed(name: string, current: string): SsoError {
  return new SsoError('CONFLICT', `the public URL of "${name}" (${current}) cannot be changed while it is in operation`, {
    hint: `remove the business system and add it again with the new URL (ssokit bizsys remove ${name}; ssokit bizsys add ${name} --public-url …)`,
  });
}

export async function updateBizsys(ctx: NodeContext, name: string, options: UpdateBizsysOptions): Promise<BusinessSystem> {
  const system = await requireBizsys(ctx, name);
  if (options.publicUrl !== undefined && canonicalOrRaw(options.publicUrl) !== system.publicUrl) throw publicUrlIsFixed(name, system.publicUrl);
  const paths = options.protectedPaths ?? system.protectedPaths;
  const updated: BusinessSystem = {
    ...system,
    protectedPaths: [...new Set([...paths, ...(options.addPaths ?? [])])].filter((p) => !(options.removePaths ?? []).includes(p)),
    authServerUrl: options.authServerUrl ?? system.authServerUrl,
    ssl: options.ssl ?? system.ssl,
    session: { ...system.session, ...options.session },
    files: [
      ...system.files.filter((f) => !(options.removeFiles ?? []).includes(f.name)),
      ...filesFor(options.addFiles ?? []),
    ],
  };
  for (const removed of options.removeFiles ?? []) {
    if (!system.files.some((f) => f.name === removed)) throw new SsoError('NOT_FOUND', `"${name}" references no file named "${removed}"`);
  }
  const problems = bizsysProblems(updated);
  if (problems.length) throw new SsoError('INVALID_INPUT', `business system "${name}" would not be valid`, { details: problems });
  for (const file of options.addFiles ?? []) await copyBizsysFile(ctx.paths, name, basename(file.source), file.source);
  await save(ctx, updated);
  for (const removed of options.removeFiles ?? []) await removeBizsysFile(ctx.paths, name, removed);
  return updated;
}

function canonicalOrRaw(url: string): string {
  return publicUrlProblem(url) ? url : canonicalPublicUrl(url);
}

export async function removeBizsys(ctx: NodeContext, name: string): Promise<void> {
  await requireBizsys(ctx, name);
  await removeBizsysDir(ctx.paths, name);
}

/** The problems that would make this node a broken source for a clone (empty when fine). */
export async function bizsysHealth(ctx: NodeContext): Promise<string[]> {
  const problems: string[] = [];
  for (const name of listBizsysNames(ctx.paths)) {
    let system: BusinessSystem | null;
    try {
      system = await readBizsys(ctx, name);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    if (!system) {
      problems.push(`bizsys/${name} has no bizsys.json`);
      continue;
    }
    for (const problem of bizsysProblems(system)) problems.push(`business system "${name}": ${problem}`);
    for (const file of system.files) {
      if (!existsSync(bizsysFilePath(ctx.paths, name, file.name))) problems.push(`business system "${name}": its ${file.role} file ${file.name} is missing`);
    }
  }
  return problems;
}
