/**
 * The node's key pair for the node channel: a NaCl box key pair (X25519) in <home>/node.key,
 * 0600. Its public half is recorded in the store, where an SSO administrator approves it;
 * the master secret server gives the secret only to a node whose box opens with that key.
 */

import { nacl } from '../crypto/nacl.js';
import { SsoError } from '../errors.js';
import { command, remedy } from '../remedy.js';
import type { HomePaths } from './home.js';
import { assertPrivateFile, ensurePrivateDir, readFileChecked, writeFileAtomic } from './private-files.js';

const KEY_MAGIC = 'ssokit/node-key/v1';

export interface NodeKeys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The node's key pair, or null when this home has none yet. */
export function readNodeKeys(paths: HomePaths): NodeKeys | null {
  let text: string;
  try {
    assertPrivateFile(paths.nodeKeyFile);
    text = readFileChecked(paths.nodeKeyFile, 4096).toString('utf8');
  } catch (error) {
    if (error instanceof SsoError && error.code === 'FILE_NOT_FOUND') return null;
    throw error;
  }
  const match = new RegExp(`^${KEY_MAGIC}\\npublic: ([A-Za-z0-9+/=]{44})\\nsecret: ([A-Za-z0-9+/=]{44})\\n$`).exec(
    text,
  );
  const secretKey = match ? new Uint8Array(Buffer.from(match[2]!, 'base64')) : null;
  const derived = secretKey?.length === nacl.box.secretKeyLength ? nacl.box.keyPair.fromSecretKey(secretKey) : null;
  if (!match || !secretKey || !derived || Buffer.from(derived.publicKey).toString('base64') !== match[1]) {
    throw new SsoError('DAMAGED_FILE', `the node key file ${paths.nodeKeyFile} is damaged`, {
      hint: remedy`remove it, run ${command('service run')} to make a new key, and have an SSO administrator approve the node again with ${command('node approve', 'NAME')}`,
    });
  }
  return { publicKey: derived.publicKey, secretKey };
}

/** The node's key pair, made (0600) when the home has none. */
export async function ensureNodeKeys(paths: HomePaths): Promise<NodeKeys> {
  const existing = readNodeKeys(paths);
  if (existing) return existing;
  await ensurePrivateDir(paths.root);
  const keys = nacl.box.keyPair();
  const text =
    `${KEY_MAGIC}\npublic: ${Buffer.from(keys.publicKey).toString('base64')}\n` +
    `secret: ${Buffer.from(keys.secretKey).toString('base64')}\n`;
  // Not overwriting: two processes making a key at once keep the first one written.
  try {
    await writeFileAtomic(paths.nodeKeyFile, text, { overwrite: false });
  } catch (error) {
    if (!(error instanceof SsoError && error.code === 'FILE_EXISTS')) throw error;
    return readNodeKeys(paths) ?? keys;
  }
  return keys;
}

/** A public key as the store, the CLI and the audit show it. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('base64');
}
