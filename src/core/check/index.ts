/**
 * `ssokit check`: the read-only health check of a node — its files, its store, its key
 * hierarchy — reported as findings, in the manner of fsck.
 */

export { checkNode } from './check.js';
export type { CheckArea, CheckFinding, CheckReport } from './report.js';
