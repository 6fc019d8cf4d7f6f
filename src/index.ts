/**
 * What the ssokit package gives applications: a typed client of the local SSO service, and
 * single sign-on middleware for Node's HTTP servers (Express, Connect).
 * The tools themselves are the package's bins.
 */

export type { LookupResult } from './core/manage/index.js';
export type { Resolution, SessionView } from './core/sso/index.js';
export { type ErrorCode, SsoError } from './errors.js';
export { type ConfigBag, SsoClient, type SsoClientOptions } from './service/client.js';
export type { ServiceStatus } from './service/operations.js';
export {
  DEFAULT_COOKIE,
  type RequestSso,
  type SsoIncomingMessage,
  type SsoMiddlewareOptions,
  ssoMiddleware,
} from './web/sso-middleware.js';
