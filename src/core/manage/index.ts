/**
 * What ssomanage and ssoclient administer: the database's global info, affiliate
 * applications, user mappings, credentials (set, looked up, imported in bulk) and the
 * config store's property bags.
 */

export { type FieldDef, findApp, TYPE_LABELS } from './app-model.js';
export {
  createApplications,
  createApplicationsFromFile,
  deleteApplication,
  displayApplication,
  listApplications,
  purgeApplicationCache,
  setApplicationEnabled,
  updateApplicationsFromFile,
} from './apps.js';
export {
  BTDF,
  type BtdfWriteResult,
  type ConfigLayout,
  configLayoutOf,
  readBtdfSetting,
  readBtdfSettings,
  readSettingsFile,
  type Setting,
  writeBtdfSettings,
} from './btdf-settings.js';
export { DEFAULT_IDENTIFIER, deleteConfig, getConfig, listConfig, setConfig } from './config-store.js';
export { applicationsForCaller, planSetCredentials, setCredentials } from './credentials.js';
export { importCredentials, importCredentialsFromFile } from './credentials-import.js';
export {
  displayGlobalInfo,
  parseSwitch,
  setHostInitiatedSso,
  setSsoEnabled,
  setTickets,
  updateGlobalInfoFromFile,
} from './database.js';
export {
  type LookupAuditRow,
  type LookupAuditSink,
  type LookupItem,
  type LookupOutcome,
  type LookupRequest,
  type LookupResult,
  lookupCredentials,
  lookupEach,
  writeLookupAudit,
} from './lookup.js';
export {
  createMappingsFromFile,
  deleteMapping,
  deleteMappingsFromFile,
  listMappings,
  type MappingRecord,
  setMappingEnabled,
} from './mappings.js';
