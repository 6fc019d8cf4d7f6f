/**
 * `ssokit bizsys …`, `ssokit get`, `ssokit set`, `ssokit clone …`: business systems and
 * environment bundles (the ssocloneaz work).
 */

import { declareNotBuilt, type Declare } from './declare.js';

export const CLONE_COMMANDS: [string, Declare][] = [
  ['bizsys', declareNotBuilt('bizsys', 'business systems protected by SSO', 'arrives with the ssocloneaz work')],
  ['get', declareNotBuilt('get', 'read a setting by dotted name', 'arrives with the ssocloneaz work')],
  ['set', declareNotBuilt('set', 'write a setting by dotted name', 'arrives with the ssocloneaz work')],
  ['clone', declareNotBuilt('clone', 'environment bundles (ssocloneaz -p / -c)', 'arrives with the ssocloneaz work')],
];
