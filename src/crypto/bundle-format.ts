/**
 * The environment bundle, format v1 (docs/formats.md, "Environment bundle v1"): a text
 * header readable without the password, then the STREAM-sealed payload.
 *
 *   ssokit/bundle/v1
 *   source-node: <name>
 *   platform: <os>          arch: …   version: …   edition: …   (one line each)
 *   install-dir: <absolute path>
 *   created: <ISO-8601 UTC>
 *   includes-secret: yes | no
 *   kdf: scrypt <log2N> <r> <p>
 *   salt: <base64, 16 bytes>
 *   check: <base64, 16 bytes>
 *   nonce: <base64, 16 bytes>
 *   mac: <base64, 32 bytes>
 *   <payload>
 */

import { SsoError } from '../errors.js';
import { command, remedy } from '../remedy.js';
import { constantTimeEqual, hmacSha256, subkey } from './hmac.js';
import { checkScryptParams, deriveKey, type ScryptParams } from './kdf.js';
import { LABELS } from './labels.js';
import type { Rng } from './random.js';

export const BUNDLE_VERSION = 1;
export const BUNDLE_MAGIC = 'ssokit/bundle/';
/** A header is a few hundred bytes; readers look no further than this for its end. */
export const BUNDLE_HEADER_MAX = 8192;

export interface BundleFacts {
  sourceNode: string;
  platform: string;
  arch: string;
  version: string;
  edition: string;
  installDir: string;
  created: string;
  includesSecret: boolean;
}

export interface BundleHeader extends BundleFacts {
  formatVersion: number;
  kdf: ScryptParams;
  salt: Uint8Array;
  check: Uint8Array;
  nonce: Uint8Array;
}

export interface ParsedBundleHeader {
  header: BundleHeader;
  /** The bytes the mac covers. */
  authenticated: Buffer;
  mac: Buffer;
  /** Where the payload starts in the file. */
  payloadOffset: number;
}

const FIELDS = [
  'source-node',
  'platform',
  'arch',
  'version',
  'edition',
  'install-dir',
  'created',
  'includes-secret',
  'kdf',
  'salt',
  'check',
  'nonce',
  'mac',
] as const;
const TOKEN = /^[A-Za-z0-9._-]{1,255}$/;

export interface SealedHeader {
  bytes: Buffer;
  payloadKey: Uint8Array;
}

/** Makes the header for a new bundle and the key its payload is sealed with. */
export async function createBundleHeader(
  facts: BundleFacts,
  password: string,
  kdf: ScryptParams,
  rng: Rng,
): Promise<SealedHeader> {
  for (const [name, value] of Object.entries({
    sourceNode: facts.sourceNode,
    platform: facts.platform,
    arch: facts.arch,
    version: facts.version,
    edition: facts.edition,
  })) {
    if (!TOKEN.test(value)) throw new SsoError('INVALID_INPUT', `cannot write ${name} "${value}" into a bundle header`);
  }
  if (!installDirFits(facts.installDir)) {
    throw new SsoError('INVALID_INPUT', `cannot write the install folder "${facts.installDir}" into a bundle header`);
  }
  const salt = rng(16);
  const nonce = rng(16);
  const root = await deriveKey(password, salt, kdf);
  const header: BundleHeader = {
    ...facts,
    formatVersion: BUNDLE_VERSION,
    kdf,
    salt,
    check: subkey(root, LABELS.bundleCheck).subarray(0, 16),
    nonce,
  };
  const authenticated = Buffer.from(renderBundleHeader(header), 'utf8');
  const mac = hmacSha256(subkey(root, LABELS.bundleMac), authenticated);
  return {
    bytes: Buffer.concat([authenticated, Buffer.from(`mac: ${b64(mac)}\n`)]),
    payloadKey: payloadKey(root, nonce),
  };
}

/** The header's text up to (not including) the mac line: the bytes the mac covers. */
export function renderBundleHeader(h: BundleHeader): string {
  return (
    `${BUNDLE_MAGIC}v${h.formatVersion}\n` +
    `source-node: ${h.sourceNode}\nplatform: ${h.platform}\narch: ${h.arch}\nversion: ${h.version}\n` +
    `edition: ${h.edition}\ninstall-dir: ${h.installDir}\ncreated: ${h.created}\n` +
    `includes-secret: ${h.includesSecret ? 'yes' : 'no'}\nkdf: scrypt ${h.kdf.log2N} ${h.kdf.r} ${h.kdf.p}\n` +
    `salt: ${b64(h.salt)}\ncheck: ${b64(h.check)}\nnonce: ${b64(h.nonce)}\n`
  );
}

/** An absolute path, no control characters, short enough for the header's size cap. */
function installDirFits(dir: string): boolean {
  return dir.startsWith('/') && !/[\u0000-\u001f\u007f]/.test(dir) && Buffer.byteLength(dir) <= 4096;
}

function payloadKey(root: Uint8Array, nonce: Uint8Array): Uint8Array {
  return hmacSha256(root, LABELS.bundlePayload, nonce);
}

/** Reads the header from the start of a bundle, without the password. */
export function parseBundleHeader(start: Buffer): ParsedBundleHeader {
  const bad = (reason: string) => new SsoError('BAD_FORMAT', `not a readable ssokit bundle: ${reason}`);
  const firstEnd = start.indexOf(0x0a);
  const versionLine = (firstEnd < 0 ? start : start.subarray(0, firstEnd)).toString('latin1');
  if (!versionLine.startsWith(BUNDLE_MAGIC)) throw bad('the file does not start with the bundle version line');
  const versionText = versionLine.slice(BUNDLE_MAGIC.length);
  if (!/^v[1-9][0-9]{0,5}$/.test(versionText)) throw bad('unreadable version');
  const version = Number(versionText.slice(1));
  if (version !== BUNDLE_VERSION) {
    throw new SsoError(
      'UNSUPPORTED_VERSION',
      `unsupported bundle format version ${version} (this ssokit reads version ${BUNDLE_VERSION})`,
      {
        hint: 'import it with the ssokit release that wrote it',
      },
    );
  }
  const lines: string[] = [];
  let at = firstEnd + 1;
  for (let i = 0; i < FIELDS.length; i++) {
    const end = start.indexOf(0x0a, at);
    if (end < 0 || end > BUNDLE_HEADER_MAX) throw bad('the header is truncated');
    const text = start.subarray(at, end).toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(start.subarray(at, end))) throw bad('the header is not valid UTF-8');
    const prefix = `${FIELDS[i]}: `;
    if (!text.startsWith(prefix)) throw bad(`line ${i + 2} should be "${FIELDS[i]}: …"`);
    lines.push(text.slice(prefix.length));
    at = end + 1;
  }
  const [
    sourceNode,
    platform,
    arch,
    versionValue,
    edition,
    installDir,
    created,
    includes,
    kdfText,
    salt,
    check,
    nonce,
    mac,
  ] = lines as [string, string, string, string, string, string, string, string, string, string, string, string, string];
  for (const [name, value] of [
    ['source-node', sourceNode],
    ['platform', platform],
    ['arch', arch],
    ['version', versionValue],
    ['edition', edition],
  ] as const) {
    if (!TOKEN.test(value)) throw bad(`unreadable ${name}`);
  }
  if (!installDirFits(installDir)) throw bad('unreadable install-dir');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(created)) throw bad('unreadable creation time');
  if (includes !== 'yes' && includes !== 'no') throw bad('includes-secret should be yes or no');
  const kdfMatch = /^scrypt ([1-9][0-9]?) ([1-9][0-9]{0,2}) ([1-9][0-9]{0,2})$/.exec(kdfText);
  if (!kdfMatch) throw bad('unreadable kdf line');
  const kdf = { log2N: Number(kdfMatch[1]), r: Number(kdfMatch[2]), p: Number(kdfMatch[3]) };
  checkScryptParams(kdf);
  const macStart = at - `mac: ${mac}\n`.length;
  return {
    header: {
      formatVersion: version,
      sourceNode,
      platform,
      arch,
      version: versionValue,
      edition,
      installDir,
      created,
      includesSecret: includes === 'yes',
      kdf,
      salt: fixed(salt, 16, 'salt', bad),
      check: fixed(check, 16, 'check', bad),
      nonce: fixed(nonce, 16, 'nonce', bad),
    },
    authenticated: start.subarray(0, macStart),
    mac: fixed(mac, 32, 'mac', bad),
    payloadOffset: at,
  };
}

/** Checks the password and the header; returns the payload key. WRONG_PASSWORD or DAMAGED_FILE. */
export async function unlockBundle(parsed: ParsedBundleHeader, password: string): Promise<Uint8Array> {
  const { header } = parsed;
  const root = await deriveKey(password, header.salt, header.kdf);
  if (!constantTimeEqual(subkey(root, LABELS.bundleCheck).subarray(0, 16), header.check)) {
    throw new SsoError('WRONG_PASSWORD', 'the password does not open this bundle', {
      hint: remedy`use the password given when the bundle was made (${command('clone export')})`,
    });
  }
  if (!constantTimeEqual(hmacSha256(subkey(root, LABELS.bundleMac), parsed.authenticated), parsed.mac)) {
    throw new SsoError('DAMAGED_FILE', 'the bundle is damaged: its header was altered after it was written', {
      hint: 'copy the bundle again from the source server; this copy cannot be trusted',
    });
  }
  return payloadKey(root, header.nonce);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fixed(text: string, length: number, what: string, bad: (reason: string) => SsoError): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text || bytes.length !== length)
    throw bad(`the ${what} is not ${length} bytes of canonical base64`);
  return bytes;
}
