/**
 * Setting a node up: a new SSO system (init), joining an existing store (join), the
 * setup wizard's answers applied through the same two, and the store's own backup and
 * restore.
 */

export { initSystem } from './init.js';
export { joinStore } from './join.js';
export {
  type AnswerProblem,
  answerProblems,
  answersError,
  applySetup,
  checks,
  type SetupAnswers,
  type SetupMode,
  type SetupResult,
  storeSecretServer,
} from './setup.js';
export { backupStore, restoreStore, type StoreBackupResult, type StoreRestoreResult } from './store-backup.js';
export {
  type CopyProgress,
  copyRows,
  copyStore,
  STORE_TABLES,
  type StoreCopyResult,
} from './store-copy.js';
export { setStoreSsl, sslModeOf } from './store-ssl.js';
