/**
 * What the ssokit package gives applications: a typed client of the local SSO service.
 * The tools themselves are the package's bins.
 */

export type { LookupResult } from './core/manage/index.js';
export { type ErrorCode, SsoError } from './errors.js';
export { type ConfigBag, SsoClient, type SsoClientOptions } from './service/client.js';
export type { ServiceStatus } from './service/operations.js';
