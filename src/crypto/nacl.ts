/**
 * tweetnacl, required rather than imported: it is one large CommonJS file, and importing
 * it from ES modules scans its exports on every start (measured here: ~10 ms).
 */

import { createRequire } from 'node:module';
import type naclModule from 'tweetnacl';

export const nacl = createRequire(import.meta.url)('tweetnacl') as typeof naclModule;
