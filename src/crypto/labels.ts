/**
 * Domain-separation labels. Every key ssokit derives, and every MAC it computes, is bound
 * to one of these, so a value made for one purpose never verifies for another.
 * Changing a label breaks every file written with it: they are part of the formats.
 */
export const LABELS = {
  masterSecretId: 'ssokit/v1/master-secret-id',
  backupCheck: 'ssokit/v1/secret-backup/check',
  backupMac: 'ssokit/v1/secret-backup/mac',
  backupPayload: 'ssokit/v1/secret-backup/payload',
  bundleCheck: 'ssokit/v1/bundle/check',
  bundleMac: 'ssokit/v1/bundle/mac',
  bundlePayload: 'ssokit/v1/bundle/payload',
  // The first bytes of every node channel box plaintext: a request never reads as a response.
  nodeRequest: 'ssokit/v1/node-channel/request',
  nodeResponse: 'ssokit/v1/node-channel/response',
} as const;
