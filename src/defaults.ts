/**
 * Production defaults, in one place. Tests and the bench replace the slow or random ones
 * through `Deps` (see core/shared/deps.ts); nothing else reads these values directly.
 */

import type { ScryptParams } from './crypto/kdf.js';

/** scrypt cost for secret backups: 2^17 × 8 × 128 B = 128 MiB, about 0.3 s here. */
export const BACKUP_KDF: ScryptParams = { log2N: 17, r: 8, p: 1 };

/**
 * scrypt cost for environment bundles: 64 MiB, so an export or import stays well under
 * the 150 MB peak-memory budget while the payload streams.
 */
export const BUNDLE_KDF: ScryptParams = { log2N: 16, r: 8, p: 1 };

/** Highest cost a reader accepts from a file (an attacker chooses it): 256 MiB, ~2 s. */
export const KDF_CAP = { maxLog2N: 18, maxR: 16, maxP: 4, maxMemoryBytes: 256 * 1024 * 1024 };

/** Lowest cost a writer may be configured with (tests use it; never weaker). */
export const KDF_FLOOR_LOG2N = 10;

/** Backup-file password rules, as Enterprise SSO enforces them. */
export const PASSWORD_MIN = 7;
export const PASSWORD_MAX = 256;
export const REMINDER_MAX = 512;

/** SQLite waits this long for another writer before reporting the store busy. */
export const STORE_BUSY_TIMEOUT_MS = 30_000;

/**
 * Rows handled per transaction by bulk work (re-encryption). Each batch commits with an
 * fsync, so larger batches are faster; a crash loses at most one batch of progress.
 */
export const BATCH_SIZE = 10_000;

/** Global info a new store starts with (Enterprise SSO's defaults). */
export const GLOBAL_INFO_DEFAULTS = {
  auditDeletedApps: 1000,
  auditDeletedMappings: 1000,
  auditCredentialLookups: 1000,
  ticketTimeout: 2,
  credCacheTimeout: 60,
};

/** The edition this build of ssokit reports in its install facts. */
export const EDITION = 'community';
