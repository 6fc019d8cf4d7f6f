/** Global info: db show (-displaydb), db update (-updatedb), SSO on/off, tickets. */

import { resolve } from 'node:path';
import {
  displayGlobalInfo,
  parseSwitch,
  setHostInitiatedSso,
  setSsoEnabled,
  setTickets,
  updateGlobalInfoFromFile,
} from '../../core/manage/index.js';
import { hasFlag, SSO_FLAG } from '../../core/shared/index.js';
import { SsoError } from '../../errors.js';
import type { Session } from '../session.js';

const yesNo = (on: boolean) => (on ? 'Yes' : 'No');

export async function dbShowCommand(session: Session): Promise<void> {
  const info = await displayGlobalInfo(await session.store());
  const { out } = session;
  if (out.json) return out.printJson(info);
  out.usingServer();
  out.fields([
    ['SSO database', info.store],
    ['SSO secret server name', info.secretServer],
    ['SSO Admin account', info.ssoAdminAccount],
    ['SSO Affiliate Admin account', info.affiliateAdminAccount],
    ['Size of audit table for deleted applications', String(info.auditDeletedApps)],
    ['Size of audit table for deleted mappings', String(info.auditDeletedMappings)],
    ['Size of audit table for external credential lookups', String(info.auditCredentialLookups)],
    ['Ticket timeout (in minutes)', String(info.ticketTimeout)],
    ['Credential cache timeout (in minutes)', String(info.credCacheTimeout)],
  ]);
  out.line('Global flags -');
  out.fields([
    ['SSO enabled', yesNo(hasFlag(info.flags, SSO_FLAG.ENABLED))],
    ['Tickets allowed', yesNo(hasFlag(info.flags, SSO_FLAG.ALLOW_TICKETS))],
    ['Validate tickets', yesNo(hasFlag(info.flags, SSO_FLAG.VALIDATE_TICKETS))],
    ['Allow host initiated SSO', yesNo(hasFlag(info.flags, SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS))],
  ]);
  out.line('Password Sync -');
  out.fields([
    ['From Windows to adapters', yesNo(hasFlag(info.flags, SSO_FLAG.FULL_SYNC_FROM_WINDOWS_TO_EXTERNAL))],
    ['From adapters to SSO database (partial)', yesNo(hasFlag(info.flags, SSO_FLAG.PARTIAL_SYNC_FROM_EXTERNAL_TO_DB))],
    ['From adapters to Windows (full)', yesNo(hasFlag(info.flags, SSO_FLAG.FULL_SYNC_FROM_EXTERNAL_TO_WINDOWS))],
  ]);
  if (out.legacy) out.line('-'.repeat(70));
}

export async function dbUpdateCommand(session: Session, options: { file: string; dryRun: boolean }): Promise<void> {
  const { file } = options;
  const result = await updateGlobalInfoFromFile(await session.store(), resolve(file), Boolean(options.dryRun));
  const { out } = session;
  if (out.json) return out.printJson(result);
  out.usingServer();
  if (result.changes.length === 0) return out.done('nothing to change: the store already has these values');
  for (const change of result.changes)
    out.line(`${result.dryRun ? 'would change' : 'changed'} ${change.element}: ${change.from} -> ${change.to}`);
  if (result.dryRun) {
    out.note('dry run: nothing was changed');
    return;
  }
  out.done(`global info updated (${result.changes.length} change${result.changes.length > 1 ? 's' : ''})`);
  if (result.changes.some((c) => c.element === 'secretServer')) {
    out.note(
      result.isSecretServer
        ? `this node is now the master secret server '${result.secretServer}': restore the secret here (ssoconfig -restoreSecret FILE)`
        : `the master secret server is now '${result.secretServer}': restore the secret there (ssoconfig -restoreSecret FILE)`,
    );
  }
}

export async function ssoEnableCommand(session: Session): Promise<void> {
  const result = await setSsoEnabled(await session.store(), true);
  session.out.usingServer();
  session.out.done('SSO is enabled', { ssoEnabled: true, ...result });
}

export async function ssoDisableCommand(session: Session): Promise<void> {
  const result = await setSsoEnabled(await session.store(), false);
  session.out.usingServer();
  session.out.done('SSO is disabled: lookups fail until it is enabled again', { ssoEnabled: false, ...result });
}

export async function ticketsCommand(
  session: Session,
  { allowed, validate }: { allowed: string; validate: string },
): Promise<void> {
  const ticketsAllowed = parseSwitch(allowed, 'tickets allowed');
  const validateTickets = parseSwitch(validate, 'validate tickets');
  const result = await setTickets(await session.store(), ticketsAllowed, validateTickets);
  session.out.usingServer();
  session.out.done(`tickets allowed: ${allowed.toLowerCase()}, validated: ${validate.toLowerCase()}`, {
    ticketsAllowed,
    validateTickets,
    ...result,
  });
}

/** -enable <feature> / -disable <feature>: host-initiated SSO; password sync is not part of ssokit. */
export function featureEnableCommand(session: Session, { feature }: { feature: string }): Promise<void> {
  return setFeature(session, feature, true);
}

export function featureDisableCommand(session: Session, { feature }: { feature: string }): Promise<void> {
  return setFeature(session, feature, false);
}

async function setFeature(session: Session, feature: string, enabled: boolean): Promise<void> {
  const name = feature.toLowerCase();
  if (name === 'winsync' || name === 'extsync') {
    throw new SsoError('NOT_IMPLEMENTED', `-${enabled ? 'enable' : 'disable'} ${feature} is not supported by ssokit`, {
      hint: 'password synchronization is not part of ssokit',
    });
  }
  if (name !== 'hisso') throw new SsoError('USAGE', `unknown feature "${feature}": hisso, winsync or extsync`);
  const result = await setHostInitiatedSso(await session.store(), enabled);
  session.out.usingServer();
  session.out.done(`host-initiated SSO is ${enabled ? 'enabled' : 'disabled'}`, {
    hostInitiatedSso: enabled,
    ...result,
  });
}

/** -showserver: the SSO server is this computer's (its service, when it runs; else the store directly). */
export async function showServerCommand(session: Session): Promise<void> {
  const node = await session.node();
  session.out.usingServer();
  session.out.line(`SSO server : ${node.node.nodeName} (this computer)`);
  session.out.done('', { server: node.node.nodeName, thisComputer: true });
}

export async function dbSslCommand(session: Session, { mode }: { mode: string }): Promise<void> {
  const { setStoreSsl } = await import('../../core/system/index.js');
  const result = await setStoreSsl(await session.node(), mode);
  session.out.usingServer();
  session.out.done(`this node now connects to ${result.store} with sslmode ${result.sslmode}`, result);
}
