import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EDITION } from '../defaults.js';

/** What an installation is: a clone may only move between identical ones. */
export interface InstallFacts {
  platform: string;
  arch: string;
  version: string;
  edition: string;
  installDir: string;
}

/** The package root: this file is dist/src/node/install-facts.js in it. */
export const INSTALL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

let version: string | undefined;

export function ssokitVersion(): string {
  version ??= (JSON.parse(readFileSync(resolve(INSTALL_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

export function currentInstallFacts(): InstallFacts {
  return {
    platform: process.platform,
    arch: process.arch,
    version: ssokitVersion(),
    edition: EDITION,
    installDir: INSTALL_DIR,
  };
}
