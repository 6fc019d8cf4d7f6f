import type { ScryptParams } from '../../crypto/kdf.js';
import { type Rng, systemRng } from '../../crypto/random.js';
import { BACKUP_KDF, BUNDLE_KDF, STORE_BUSY_TIMEOUT_MS } from '../../defaults.js';

/**
 * The slow and random parts of ssokit, passed in so tests and the bench can make them
 * fast or deterministic. `productionDeps()` is what the commands use.
 */
export interface Deps {
  rng: Rng;
  now: () => Date;
  /** scrypt cost for new secret backups. */
  backupKdf: ScryptParams;
  /** scrypt cost for new environment bundles. */
  bundleKdf: ScryptParams;
  busyTimeoutMs: number;
  /** A PostgreSQL store's password (--db-password-file); else PGPASSWORD or ~/.pgpass apply. */
  storePassword?: string | undefined;
  /** Told of every file written with scrypt below the production cost (test suites only). */
  onWeakFile?: ((path: string, kdf: ScryptParams) => void) | undefined;
  /**
   * Where data operations get the master secret when not from this node's secret files:
   * the SSO service of a node that is not the master secret server holds a cached copy.
   */
  masterSecrets?: MasterSecretSource | undefined;
}

/** What data keys are opened or made with: decrypting reads, or encrypting new data. */
export type SecretUse = 'decrypt' | 'encrypt';

export interface HeldSecret {
  id: string;
  generation: number;
  secret: Uint8Array;
}

/** A master secret held in memory (the SSO service's cache), for the store's records. */
export interface MasterSecretSource {
  /**
   * The current and previous secret for `use`, given the store's current record, or
   * NO_SECRET, in Enterprise SSO's sentence, when the copy cannot serve it.
   */
  keyring(currentId: string, use: SecretUse, action: string): { current: HeldSecret; previous: HeldSecret | null };
}

/** Whether a cost is below what new files get in production. */
export function belowProductionCost(kdf: ScryptParams, production: ScryptParams): boolean {
  return kdf.log2N < production.log2N || kdf.r < production.r;
}

export function productionDeps(overrides: Partial<Deps> = {}): Deps {
  return {
    rng: systemRng,
    now: () => new Date(),
    backupKdf: BACKUP_KDF,
    bundleKdf: BUNDLE_KDF,
    busyTimeoutMs: STORE_BUSY_TIMEOUT_MS,
    ...overrides,
  };
}
