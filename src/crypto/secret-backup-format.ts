/**
 * The secret-backup file, format v1 (specified in docs/formats.md, "Secret backup v1").
 *
 *   ssokit/secret-backup/v1
 *   kdf: scrypt <log2N> <r> <p>
 *   salt: <base64, 16 bytes>
 *   check: <base64, 16 bytes>
 *   current: <master secret id>
 *   previous: <master secret id> | -
 *   generation: <integer>
 *   created: <ISO-8601 UTC>
 *   reminder: <base64 of UTF-8, may be empty>
 *   mac: <base64, 32 bytes>
 *   payload: <base64 of nonce ‖ secretbox(current ‖ previous)>
 *
 * Everything up to the mac line can be read without the password (the reminder is shown
 * before the password is asked for). The mac authenticates those lines; the check value
 * tells a wrong password from a damaged file.
 */

import { SsoError } from '../errors.js';
import { constantTimeEqual, hmacSha256, subkey } from './hmac.js';
import { checkScryptParams, deriveKey, type ScryptParams } from './kdf.js';
import { LABELS } from './labels.js';
import { isMasterSecretId, MASTER_SECRET_BYTES, masterSecretId } from './master-secret-id.js';
import { nacl } from './nacl.js';
import type { Rng } from './random.js';

export const BACKUP_VERSION = 1;
export const BACKUP_MAGIC = 'ssokit/secret-backup/';
/** Readers refuse larger files before parsing: a real backup is under 2 KiB. */
export const BACKUP_MAX_BYTES = 64 * 1024;

const SALT_BYTES = 16;
const CHECK_BYTES = 16;
const MAC_BYTES = 32;

export interface BackupHeader {
  version: number;
  kdf: ScryptParams;
  salt: Uint8Array;
  check: Uint8Array;
  currentId: string;
  previousId: string | null;
  generation: number;
  created: string;
  reminder: string;
}

export interface ParsedBackup {
  header: BackupHeader;
  /** The exact bytes the mac covers. */
  authenticated: Uint8Array;
  mac: Uint8Array;
  payload: Uint8Array;
}

export interface BackupSecrets {
  current: Uint8Array;
  previous: Uint8Array | null;
}

export interface CreateBackupInput extends BackupSecrets {
  generation: number;
  reminder: string;
  password: string;
  kdf: ScryptParams;
  rng: Rng;
  now: Date;
}

const FIELD_ORDER = ['kdf', 'salt', 'check', 'current', 'previous', 'generation', 'created', 'reminder'] as const;

export async function createBackup(input: CreateBackupInput): Promise<Uint8Array> {
  const salt = input.rng(SALT_BYTES);
  const root = await deriveKey(input.password, salt, input.kdf);
  const header: BackupHeader = {
    version: BACKUP_VERSION,
    kdf: input.kdf,
    salt,
    check: subkey(root, LABELS.backupCheck).subarray(0, CHECK_BYTES),
    currentId: masterSecretId(input.current),
    previousId: input.previous ? masterSecretId(input.previous) : null,
    generation: input.generation,
    created: input.now.toISOString(),
    reminder: input.reminder,
  };
  const authenticated = Buffer.from(renderHeader(header), 'utf8');
  const mac = hmacSha256(subkey(root, LABELS.backupMac), authenticated);
  const secrets = new Uint8Array(MASTER_SECRET_BYTES * (input.previous ? 2 : 1));
  secrets.set(input.current, 0);
  if (input.previous) secrets.set(input.previous, MASTER_SECRET_BYTES);
  const nonce = input.rng(nacl.secretbox.nonceLength);
  const box = nacl.secretbox(secrets, nonce, subkey(root, LABELS.backupPayload));
  const payload = Buffer.concat([nonce, box]);
  const tail = `mac: ${b64(mac)}\npayload: ${b64(payload)}\n`;
  return Buffer.concat([authenticated, Buffer.from(tail, 'utf8')]);
}

export function renderHeader(h: BackupHeader): string {
  return (
    `${BACKUP_MAGIC}v${h.version}\n` +
    `kdf: scrypt ${h.kdf.log2N} ${h.kdf.r} ${h.kdf.p}\n` +
    `salt: ${b64(h.salt)}\n` +
    `check: ${b64(h.check)}\n` +
    `current: ${h.currentId}\n` +
    `previous: ${h.previousId ?? '-'}\n` +
    `generation: ${h.generation}\n` +
    `created: ${h.created}\n` +
    `reminder: ${b64(Buffer.from(h.reminder, 'utf8'))}\n`
  );
}

/** Parses without the password. Throws BAD_FORMAT, UNSUPPORTED_VERSION or KDF_LIMIT. */
export function parseBackup(bytes: Uint8Array): ParsedBackup {
  if (bytes.length > BACKUP_MAX_BYTES) throw bad(`the file is ${bytes.length} bytes, larger than any backup`);
  const text = Buffer.from(bytes).toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(Buffer.from(bytes))) throw bad('the file is not valid UTF-8 text');
  const firstEnd = text.indexOf('\n');
  const versionLine = firstEnd < 0 ? text : text.slice(0, firstEnd);
  if (!versionLine.startsWith(BACKUP_MAGIC)) throw bad('the file does not start with the backup version line');
  const versionText = versionLine.slice(BACKUP_MAGIC.length);
  const version = /^v[1-9][0-9]{0,5}$/.test(versionText) ? Number(versionText.slice(1)) : NaN;
  if (Number.isNaN(version)) throw bad(`unreadable version "${printable(versionText)}"`);
  if (version !== BACKUP_VERSION) {
    throw new SsoError(
      'UNSUPPORTED_VERSION',
      `unsupported secret backup format version ${version} (this ssokit reads version ${BACKUP_VERSION})`,
      { hint: 'restore it with the ssokit release that wrote it, or a newer one' },
    );
  }
  if (!text.endsWith('\n')) throw bad('the file is truncated (no final newline)');
  const lines = text.slice(firstEnd + 1, -1).split('\n');
  if (lines.length !== FIELD_ORDER.length + 2)
    throw bad(`expected ${FIELD_ORDER.length + 3} lines, found ${lines.length + 1}`);
  const values = new Map<string, string>();
  const order = [...FIELD_ORDER, 'mac', 'payload'];
  lines.forEach((line, i) => {
    const name = order[i]!;
    const prefix = `${name}: `;
    if (!line.startsWith(prefix)) throw bad(`line ${i + 2} should be "${name}: …"`);
    values.set(name, line.slice(prefix.length));
  });
  const get = (name: string): string => values.get(name)!;

  const kdfMatch = /^scrypt ([1-9][0-9]?) ([1-9][0-9]{0,2}) ([1-9][0-9]{0,2})$/.exec(get('kdf'));
  if (!kdfMatch) throw bad('unreadable kdf line');
  const kdf = { log2N: Number(kdfMatch[1]), r: Number(kdfMatch[2]), p: Number(kdfMatch[3]) };
  checkScryptParams(kdf);
  const currentId = get('current');
  const previousText = get('previous');
  if (!isMasterSecretId(currentId)) throw bad('unreadable current secret id');
  if (previousText !== '-' && !isMasterSecretId(previousText)) throw bad('unreadable previous secret id');
  const generationText = get('generation');
  if (!/^[1-9][0-9]{0,8}$/.test(generationText)) throw bad('unreadable generation');
  const created = get('created');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(created) || Number.isNaN(Date.parse(created))) {
    throw bad('unreadable creation time');
  }
  const reminderBytes = unb64(get('reminder'), 'reminder');
  const reminder = reminderBytes.toString('utf8');
  if (!Buffer.from(reminder, 'utf8').equals(reminderBytes)) throw bad('the reminder is not valid UTF-8');

  const header: BackupHeader = {
    version,
    kdf,
    salt: fixed(unb64(get('salt'), 'salt'), SALT_BYTES, 'salt'),
    check: fixed(unb64(get('check'), 'check'), CHECK_BYTES, 'check'),
    currentId,
    previousId: previousText === '-' ? null : previousText,
    generation: Number(generationText),
    created,
    reminder,
  };
  const macStart = text.indexOf('\nmac: ') + 1;
  const payload = unb64(get('payload'), 'payload');
  const expectedPayload = nacl.secretbox.nonceLength + nacl.secretbox.overheadLength + MASTER_SECRET_BYTES;
  if (payload.length !== expectedPayload && payload.length !== expectedPayload + MASTER_SECRET_BYTES) {
    throw bad('the payload has the wrong length');
  }
  if ((payload.length === expectedPayload) !== (header.previousId === null)) {
    throw bad('the payload does not match the header');
  }
  return {
    header,
    authenticated: Buffer.from(text.slice(0, macStart), 'utf8'),
    mac: fixed(unb64(get('mac'), 'mac'), MAC_BYTES, 'mac'),
    payload,
  };
}

/** Opens a parsed backup. Throws WRONG_PASSWORD or DAMAGED_FILE. */
export async function openBackup(parsed: ParsedBackup, password: string): Promise<BackupSecrets> {
  const { header } = parsed;
  const root = await deriveKey(password, header.salt, header.kdf);
  if (!constantTimeEqual(subkey(root, LABELS.backupCheck).subarray(0, CHECK_BYTES), header.check)) {
    throw new SsoError('WRONG_PASSWORD', 'the password does not open this backup', {
      // Not authenticated yet: the CLI prints every hint with its control characters escaped.
      hint: `the password reminder is: ${header.reminder === '' ? '(none)' : header.reminder}`,
    });
  }
  if (!constantTimeEqual(hmacSha256(subkey(root, LABELS.backupMac), parsed.authenticated), parsed.mac)) {
    throw damaged('its header was altered after it was written');
  }
  const nonce = parsed.payload.subarray(0, nacl.secretbox.nonceLength);
  const secrets = nacl.secretbox.open(
    parsed.payload.subarray(nacl.secretbox.nonceLength),
    nonce,
    subkey(root, LABELS.backupPayload),
  );
  if (!secrets) throw damaged('its encrypted payload was altered');
  const current = secrets.slice(0, MASTER_SECRET_BYTES);
  const previous = secrets.length > MASTER_SECRET_BYTES ? secrets.slice(MASTER_SECRET_BYTES) : null;
  if (masterSecretId(current) !== header.currentId || (previous && masterSecretId(previous) !== header.previousId)) {
    throw damaged('the secrets inside do not match the ids in its header');
  }
  return { current, previous };
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Strict base64: only the canonical encoding of some bytes is accepted. */
function unb64(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw bad(`the ${what} is not canonical base64`);
  return bytes;
}

function fixed(bytes: Buffer, length: number, what: string): Buffer {
  if (bytes.length !== length) throw bad(`the ${what} should be ${length} bytes`);
  return bytes;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

function bad(reason: string): SsoError {
  return new SsoError('BAD_FORMAT', `not a readable ssokit secret backup: ${reason}`);
}

function damaged(reason: string): SsoError {
  return new SsoError('DAMAGED_FILE', `the backup is damaged: ${reason}`, {
    hint: 'use another copy of the backup; this one cannot be trusted',
  });
}
