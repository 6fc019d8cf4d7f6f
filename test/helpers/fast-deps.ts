import { type Deps, productionDeps } from '../../src/core/shared/deps.js';

/** Production deps with scrypt at its floor (2^10): the same code, a thousandth of the cost. */
export function fastDeps(overrides: Partial<Deps> = {}): Deps {
  const kdf = { log2N: 10, r: 8, p: 1 };
  return productionDeps({ backupKdf: kdf, bundleKdf: kdf, ...overrides });
}

/** Environment for e2e runs: same cheap scrypt, no colour, no inherited ssokit settings. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SSOKIT_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  // Both switches: the cost alone is ignored (a user cannot weaken their files by accident).
  return {
    ...env,
    SSOKIT_KDF_LOG2N: '10',
    SSOKIT_TEST_WEAK_KDF: 'files-written-now-are-weak',
    NO_COLOR: '1',
    ...extra,
  };
}
