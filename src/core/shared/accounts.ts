/**
 * Accounts and identities as Enterprise SSO writes them.
 * - An account list is `;`-separated OS user or group names, optionally `DOMAIN\name`.
 * - A local identity in a mapping is `domain\user`, or a bare `user` (a local account).
 * The caller of a command is an OS user with groups (node/os-identity.ts); an account
 * names the caller when it equals the user or one of its groups, with a domain prefix
 * allowed when it is this node's domain, its host name, or ".".
 */

import { hostname } from 'node:os';
import { ESSO, SsoError } from '../../errors.js';
import type { NodeConfig } from '../../node/node-config.js';
import type { Caller } from '../../node/os-identity.js';

export function splitAccounts(list: string): string[] {
  return list
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** Accounts Enterprise SSO refuses for security reasons (ENTSSO_E_NO_BUILTIN_ACCOUNTS). */
const BUILTIN = new Set(['everyone', 'builtin\\users', 'nt authority\\authenticated users', 'builtin\\guests']);

/** Problems with an account list, as messages (empty when it is fine). */
export function accountListProblems(list: string, what: string): string[] {
  const accounts = splitAccounts(list);
  if (accounts.length === 0) return [`${what} is empty`];
  const problems: string[] = [];
  for (const account of accounts) {
    if (BUILTIN.has(account.toLowerCase()))
      problems.push(`${what}: "${account}" is not allowed (built-in accounts and Everyone are refused)`);
    else if (identityProblem(account)) problems.push(`${what}: ${identityProblem(account)}`);
  }
  return problems;
}

export interface Identity {
  domain: string;
  user: string;
  /** As written, e.g. CORP\alice. */
  text: string;
  /** Lower case, for comparisons and uniqueness. */
  key: string;
}

/** `user` or `domain\user`, each part non-blank, no control characters. */
const IDENTITY =
  /^(?:([^\\\u0000-\u001f\u007f]*[^\\\s\u0000-\u001f\u007f][^\\\u0000-\u001f\u007f]*)\\)?([^\\\u0000-\u001f\u007f]*[^\\\s\u0000-\u001f\u007f][^\\\u0000-\u001f\u007f]*)$/;

/** Why `text` is not a usable `domain\user` or `user`, or null. */
export function identityProblem(text: string): string | null {
  if (text.length <= 256 && IDENTITY.test(text)) return null;
  if (text.trim() === '') return 'the account name is empty';
  if (/[\u0000-\u001f\u007f]/.test(text)) return `"${printable(text)}" contains control characters`;
  if (text.length > 256) return 'the account name is longer than 256 characters';
  const parts = text.split('\\');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) {
    return `"${printable(text)}" is not in the form domain\\user or user`;
  }
  return null;
}

export function parseIdentity(text: string): Identity {
  const match = text.length <= 256 ? IDENTITY.exec(text) : null;
  if (!match) {
    throw new SsoError('INVALID_INPUT', identityProblem(text) ?? 'the account name is not valid', {
      esso: ESSO.INVALID_ACCOUNT_FORMAT,
    });
  }
  const domain = match[1] ?? '';
  return { domain, user: match[2]!, text, key: text.toLowerCase() };
}

export function identityFromParts(domain: string, user: string): Identity {
  return parseIdentity(domain.trim() ? `${domain.trim()}\\${user.trim()}` : user.trim());
}

/** The caller as a mapping identity: `DOMAIN\user` when the node has a domain. */
export function callerIdentity(caller: Caller, node: NodeConfig): Identity {
  return parseIdentity(node.domain ? `${node.domain}\\${caller.user}` : caller.user);
}

/** True when one of the accounts names the caller (its user or one of its groups). */
export function callerIsIn(caller: Caller, node: NodeConfig, accounts: readonly string[]): boolean {
  const local = new Set(['.', hostname().toLowerCase(), ...(node.domain ? [node.domain.toLowerCase()] : [])]);
  const names = new Set<string>();
  for (const account of accounts) {
    const [first, second] = account.split('\\');
    if (second === undefined) names.add(first!.toLowerCase());
    else if (local.has(first!.toLowerCase())) names.add(second.toLowerCase());
  }
  if (names.size === 0) return false;
  if (names.has(caller.user.toLowerCase())) return true;
  return caller.groups().some((group) => names.has(group.toLowerCase()));
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
