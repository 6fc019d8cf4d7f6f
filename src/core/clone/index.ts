/**
 * Replicating a business server (Interstage's ssocloneaz): the business systems this node
 * protects, its settings by dotted name, and environment bundles — exported after a
 * preflight, imported into a staging folder and moved into place whole.
 */

export {
  addBizsys,
  bizsysHealth,
  listBizsys,
  parseFileArgument,
  planBizsysRemoval,
  removeBizsys,
  removeBizsysFound,
  requireBizsys,
  updateBizsys,
} from './bizsys.js';
export { type BusinessSystem, parseBoolean, parseSeconds, type SessionSettings } from './bizsys-model.js';
export { exportEnvironment, planExport, writeBundle } from './export.js';
export { compatibilityProblems, type ImportResult, importEnvironment, planImport, readBundleHeader } from './import.js';
export { getSettings, setSettings } from './node-settings.js';
export { isReadyStaging, isStagingName } from './place.js';
export { storeUnavailable } from './preflight.js';
export type { ProgressListener } from './progress.js';
