/**
 * The master secret and the keys under it: its lifecycle (backup, restore, rotation,
 * re-encryption, status, verification), the keyring of local copies, the store's records
 * of each secret, the data keys it wraps and how credentials are sealed under them, the
 * backup file, and the password policy.
 */

export { backupSecret } from './backup.js';
export {
  type BackupTarget,
  defaultBackupPath,
  openSecretBackup,
  readSecretBackup,
  writeSecretBackup,
} from './backup-file.js';
export { configOwner, credentialOwner, decodeValues, openValues, sealValues } from './credential-codec.js';
export { createDataKey, DataKeyRing, openDataKeyRing, unwrapDataKey } from './data-keys.js';
export { assertSecretAvailable, loadDataKeyring, loadMasterKeyring } from './keyring.js';
export { checkBackupPassword, reminderProblem } from './password-policy.js';
export { reencryptStore } from './reencrypt.js';
export { completeRestore, planRestore } from './restore.js';
export { rotateSecret } from './rotate.js';
export {
  currentMasterSecret,
  insertMasterSecret,
  listMasterSecrets,
  type MasterSecretRecord,
} from './secret-records.js';
export { secretStatus, secretWarnings } from './status.js';
export { verifyBackup } from './verify.js';
