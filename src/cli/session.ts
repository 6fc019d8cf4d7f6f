/**
 * One command invocation: the global options resolved against the environment, the output,
 * the prompter, and the node and store contexts (opened on first use, closed at the end).
 */

import { hostname } from 'node:os';
import {
  type Deps,
  type HomeContext,
  loadNode,
  type MasterSecretSource,
  type NodeContext,
  openNodeStore,
  productionDeps,
  type StoreContext,
} from '../core/shared/index.js';
import type { SsoRuntime } from '../core/sso/index.js';
import { checkWriterParams, type ScryptParams } from '../crypto/kdf.js';
import { SsoError } from '../errors.js';
import { type HomePaths, homePaths, resolveHomeDir } from '../node/home.js';
import { type Caller, currentCaller } from '../node/os-identity.js';
import { readInputText } from '../node/private-files.js';
import type { RemedySpeller } from '../remedy.js';
import { parseStoreLocation } from '../store/location.js';
import type { AnswerContext } from './answers.js';
import type { CliIo } from './io.js';
import { Output, type Painter, type Style } from './output.js';
import { type Prompter, terminalPrompter } from './prompts.js';
import type { GlobalOptions } from './table/parse.js';

/** Environment variables the CLI reads (each also documented in docs/commands.md). */
export const ENV_VARS = {
  home: 'SSOKIT_HOME',
  db: 'SSOKIT_DB',
  nodeName: 'SSOKIT_NODE_NAME',
  noColor: 'NO_COLOR',
  /**
   * Lowers scrypt's cost for new files, for test suites only (never below 2^10). Honoured
   * only together with `weakKdf` set to WEAK_KDF_CONSENT, and every file written with it is
   * named on stderr.
   */
  kdfLog2N: 'SSOKIT_KDF_LOG2N',
  weakKdf: 'SSOKIT_TEST_WEAK_KDF',
} as const;

/** The one value of SSOKIT_TEST_WEAK_KDF that lets SSOKIT_KDF_LOG2N lower the cost. */
export const WEAK_KDF_CONSENT = 'files-written-now-are-weak';

/** A command the SSO service runs for a caller: who the kernel says it is, and the service's copy of the secret. */
export interface ForCaller {
  caller: Caller;
  masterSecrets?: MasterSecretSource | undefined;
  /** The service's single sign-on runtime: its memory entries as well as the store's. */
  sso?: SsoRuntime | undefined;
}

export class Session implements AnswerContext {
  readonly out: Output;
  readonly prompter: Prompter;
  readonly paths: HomePaths;
  readonly deps: Deps;
  readonly caller: Caller;
  stdinCache?: { text?: string };
  /** Files written below the production scrypt cost (only with the test switch). */
  readonly weakFiles: { path: string; kdf: ScryptParams }[] = [];
  /** Said on stderr after the command: settings that were not honoured. */
  readonly notices: string[] = [];
  #node?: NodeContext;
  #store: StoreContext | undefined;

  constructor(
    readonly io: CliIo,
    readonly tool: string,
    readonly style: Style,
    readonly globals: GlobalOptions,
    paint: Painter,
    speller: RemedySpeller,
    prompter?: Prompter,
    forCaller?: ForCaller,
  ) {
    this.out = new Output(io, { tool, style, json: Boolean(globals.json), speller }, paint);
    this.prompter = prompter ?? terminalPrompter(io);
    this.paths = homePaths(resolveHomeDir(globals.home, io.env[ENV_VARS.home]));
    this.deps = {
      ...depsFromEnv(io.env, this.notices),
      onWeakFile: (path, kdf) => this.weakFiles.push({ path, kdf }),
      ...(globals.dbPasswordFile === undefined
        ? {}
        : { storePassword: readStorePassword(globals.dbPasswordFile, this.notices) }),
    };
    if (forCaller?.masterSecrets) this.deps.masterSecrets = forCaller.masterSecrets;
    this.caller = forCaller?.caller ?? currentCaller();
    this.serviceSso = forCaller?.sso;
  }

  /** Through the service, its single sign-on runtime; without it, undefined (the store's entries only). */
  readonly serviceSso: SsoRuntime | undefined;

  /** A PostgreSQL password from a file this user names (--db-password-file, --to-password-file). */
  storePasswordFrom(file: string): string {
    return readStorePassword(file, this.notices);
  }

  get passwordFile(): string | undefined {
    return this.globals.passwordFile;
  }

  get home(): HomeContext {
    return { paths: this.paths, deps: this.deps, caller: this.caller };
  }

  /** The store path given for this invocation (--db, SSOKIT_DB), if any. */
  get storeOverride(): string | undefined {
    return this.globals.db ?? (this.io.env[ENV_VARS.db] || undefined);
  }

  /** --db / SSOKIT_DB as a store location in its display form (a path made absolute). */
  get storeLocation(): string | undefined {
    const override = this.storeOverride;
    return override === undefined ? undefined : parseStoreLocation(override).display;
  }

  /** --node-name, else SSOKIT_NODE_NAME, else the host name. */
  get requestedNodeName(): string | undefined {
    return this.globals.nodeName ?? (this.io.env[ENV_VARS.nodeName] || undefined);
  }

  get defaultNodeName(): string {
    return this.requestedNodeName ?? hostname();
  }

  async node(): Promise<NodeContext> {
    this.#node ??= await loadNode(this.home);
    return this.#node;
  }

  async store(): Promise<StoreContext> {
    if (!this.#store) {
      const node = await this.node();
      this.#store = await openNodeStore(node, this.storeLocation);
    }
    return this.#store;
  }

  /** The store context when a command already opened it (for closing remarks). */
  get openedStore(): StoreContext | undefined {
    return this.#store;
  }

  async close(): Promise<void> {
    await this.#store?.store.close();
    this.#store = undefined;
  }
}

/** Colour only on a terminal, and never with --no-color or NO_COLOR. */
export function wantsColor(io: CliIo, colorFlag: boolean | undefined): boolean {
  return colorFlag !== false && !io.env[ENV_VARS.noColor] && Boolean(io.stdout.isTTY);
}

/** The first line of --db-password-file: a file this user names, read with the capped open. */
function readStorePassword(file: string, notices: string[]): string {
  const { text, mode } = readInputText(file, { maxBytes: 64 * 1024, what: 'the store password file' });
  if ((mode & 0o077) !== 0) {
    notices.push(`${file} holds the store's password and group or others can read it: chmod 600 ${file}`);
  }
  const password = text.split(/\r?\n/)[0] ?? '';
  if (password === '') throw new SsoError('INVALID_INPUT', `the store password file ${file} is empty`);
  return password;
}

function depsFromEnv(env: NodeJS.ProcessEnv, notices: string[]): Deps {
  const log2NText = env[ENV_VARS.kdfLog2N];
  if (log2NText === undefined || log2NText === '') return productionDeps();
  if (env[ENV_VARS.weakKdf] !== WEAK_KDF_CONSENT) {
    notices.push(
      `${ENV_VARS.kdfLog2N} is ignored: new files are written at the production cost (it is for test suites, with ${ENV_VARS.weakKdf})`,
    );
    return productionDeps();
  }
  const log2N = Number(log2NText);
  const backupKdf = { log2N, r: 8, p: 1 };
  try {
    checkWriterParams(backupKdf);
  } catch (error) {
    throw new SsoError('USAGE', `${ENV_VARS.kdfLog2N}=${log2NText} is not allowed: ${(error as Error).message}`);
  }
  return productionDeps({ backupKdf, bundleKdf: backupKdf });
}
