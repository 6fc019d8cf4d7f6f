/**
 * fast-xml-parser, required on first use as its one-file CommonJS build. Imported as an
 * ES module it is some forty files, and every command paid to load them at start-up,
 * whether it read XML or not.
 */

import { createRequire } from 'node:module';
import type * as FastXml from 'fast-xml-parser';

let loaded: typeof FastXml | undefined;

export function fastXml(): typeof FastXml {
  loaded ??= createRequire(import.meta.url)('fast-xml-parser') as typeof FastXml;
  return loaded;
}
