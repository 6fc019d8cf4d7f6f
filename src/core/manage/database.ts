/**
 * Global info: -updatedb FILE, -displaydb, -enablesso, -disablesso, -tickets.
 *
 * Renaming `secretServer` is how the master secret server moves or becomes a cluster:
 * afterwards the node whose name or cluster name matches may restore and use the secret.
 */

import { ESSO, fileProblems, type LineProblem, SsoError } from '../../errors.js';
import { answersTo, validateNodeName } from '../../node/node-config.js';
import { type GlobalInfoElement, type GlobalInfoXml, readGlobalInfoXml } from '../../xml/global-info-xml.js';
import { readXmlFile } from '../../xml/xml-document.js';
import type { StoreContext } from '../shared/index.js';
import {
  accountListProblems,
  auditFailures,
  callerIsIn,
  type GlobalInfo,
  hasFlag,
  readGlobalInfo,
  recordAudit,
  requireRole,
  roleCheck,
  SSO_FLAG,
  splitAccounts,
  withFlag,
} from '../shared/index.js';

/** Each element, the global info field it sets, its column, and how it is checked. */
const ELEMENTS: Record<
  GlobalInfoElement,
  { field: keyof GlobalInfo; column: string; kind: 'name' | 'accounts' | { min: number; max: number } }
> = {
  secretServer: { field: 'secretServer', column: 'secret_server', kind: 'name' },
  ssoAdminAccount: { field: 'ssoAdminAccount', column: 'sso_admin_account', kind: 'accounts' },
  ssoAffiliateAdminAccount: { field: 'affiliateAdminAccount', column: 'affiliate_admin_account', kind: 'accounts' },
  auditDeletedApps: { field: 'auditDeletedApps', column: 'audit_deleted_apps', kind: { min: 1, max: 2_147_483_647 } },
  auditDeletedMappings: {
    field: 'auditDeletedMappings',
    column: 'audit_deleted_mappings',
    kind: { min: 1, max: 2_147_483_647 },
  },
  auditCredentialLookups: {
    field: 'auditCredentialLookups',
    column: 'audit_credential_lookups',
    kind: { min: 1, max: 2_147_483_647 },
  },
  ticketTimeout: { field: 'ticketTimeout', column: 'ticket_timeout', kind: { min: 1, max: 525_600 } },
  credCacheTimeout: { field: 'credCacheTimeout', column: 'cred_cache_timeout', kind: { min: 1, max: 525_600 } },
};

export interface GlobalInfoChange {
  element: GlobalInfoElement;
  from: string;
  to: string;
}

export interface UpdateDbResult {
  changes: GlobalInfoChange[];
  dryRun: boolean;
  /** After the update, whether this node is the master secret server. */
  isSecretServer: boolean;
  secretServer: string;
}

export async function updateGlobalInfoFromFile(
  ctx: StoreContext,
  path: string,
  dryRun = false,
): Promise<UpdateDbResult> {
  return updateGlobalInfo(ctx, readGlobalInfoXml(readXmlFile(path)), dryRun);
}

export async function updateGlobalInfo(ctx: StoreContext, xml: GlobalInfoXml, dryRun = false): Promise<UpdateDbResult> {
  return auditFailures(ctx, { operation: 'update-db', target: xml.file }, async () => {
    const check = await roleCheck(ctx);
    requireRole(check, 'sso-admin', 'updating the SSO database');
    const { info } = check;
    const problems: LineProblem[] = [];
    const values: [GlobalInfoElement, string | number, number][] = [];
    for (const [element, given] of Object.entries(xml.values) as [
      GlobalInfoElement,
      { text: string; line: number },
    ][]) {
      const spec = ELEMENTS[element];
      const add = (message: string) => problems.push({ line: given.line, message: `<${element}>: ${message}` });
      const before = problems.length;
      if (spec.kind === 'name') {
        try {
          validateNodeName(given.text, 'secret server name');
        } catch (error) {
          add((error as Error).message);
        }
      } else if (spec.kind === 'accounts') {
        accountListProblems(given.text, 'the account list').forEach(add);
      } else if (
        !/^[0-9]{1,10}$/.test(given.text) ||
        Number(given.text) < spec.kind.min ||
        Number(given.text) > spec.kind.max
      ) {
        add(
          `"${given.text}" is not a whole number from ${spec.kind.min.toLocaleString('en-US')} to ${spec.kind.max.toLocaleString('en-US')}`,
        );
      }
      if (problems.length === before)
        values.push([element, typeof spec.kind === 'object' ? Number(given.text) : given.text, given.line]);
    }
    const changes = values
      .filter(([element, value]) => String(info[ELEMENTS[element].field]) !== String(value))
      .map(([element, value]) => ({ element, from: String(info[ELEMENTS[element].field]), to: String(value) }));

    // Enterprise SSO: from a node that is not the master secret server the file may carry
    // only <secretServer> (that is how the role moves when the old server is gone).
    if (!answersTo(ctx.node, info.secretServer)) {
      for (const [element, , line] of values) {
        if (element !== 'secretServer') {
          problems.push({
            line,
            message: `<${element}> can only be changed on the master secret server '${info.secretServer}': from this node the file may carry only <secretServer>`,
          });
        }
      }
    }
    const accountChanges = changes.filter(
      (c) => c.element === 'ssoAdminAccount' || c.element === 'ssoAffiliateAdminAccount',
    );
    if (accountChanges.length && hasFlag(info.flags, SSO_FLAG.ENABLED)) {
      for (const change of accountChanges) {
        const line = xml.values[change.element]!.line;
        problems.push({
          line,
          message: `<${change.element}>: ${ESSO.SSO_MUST_BE_DISABLED.text} (ssomanage -disablesso)`,
        });
      }
    }
    const newAdmins = changes.find((c) => c.element === 'ssoAdminAccount');
    if (newAdmins && !callerIsIn(ctx.caller, ctx.node, splitAccounts(newAdmins.to))) {
      problems.push({
        line: xml.values.ssoAdminAccount!.line,
        message: `<ssoAdminAccount>: you ('${ctx.caller.user}') are not a member of "${newAdmins.to}", so the change would lock you out`,
      });
    }
    if (problems.length) throw fileProblems(xml.file, problems);

    const secretServer = changes.find((c) => c.element === 'secretServer')?.to ?? info.secretServer;
    const result = { changes, dryRun, secretServer, isSecretServer: answersTo(ctx.node, secretServer) };
    if (dryRun || changes.length === 0) return result;
    await ctx.store.transaction(async (tx) => {
      const columns = changes.map((c) => `${ELEMENTS[c.element].column} = ?`);
      const params = changes.map((c) => (typeof ELEMENTS[c.element].kind === 'object' ? Number(c.to) : c.to));
      await tx.run(`UPDATE global_info SET ${columns.join(', ')}, updated_at = ? WHERE id = 1`, [
        ...params,
        ctx.deps.now().toISOString(),
      ]);
      for (const change of changes) {
        await recordAudit(tx, ctx, {
          operation: 'update-db',
          target: `${change.element}: ${change.from} -> ${change.to}`,
        });
      }
    });
    return result;
  });
}

/** -displaydb (SSO administrators). */
export async function displayGlobalInfo(ctx: StoreContext): Promise<GlobalInfo & { store: string }> {
  const check = await roleCheck(ctx);
  requireRole(check, 'sso-admin', 'displaying the SSO database settings');
  return { ...check.info, store: ctx.store.location };
}

/** -enablesso / -disablesso. */
export async function setSsoEnabled(ctx: StoreContext, enabled: boolean): Promise<{ changed: boolean }> {
  return setGlobalFlags(
    ctx,
    enabled ? 'enable-sso' : 'disable-sso',
    enabled ? 'enabling SSO' : 'disabling SSO',
    (flags) => withFlag(flags, SSO_FLAG.ENABLED, enabled),
  );
}

/** -enable hisso / -disable hisso: host-initiated SSO for the whole system. */
export async function setHostInitiatedSso(ctx: StoreContext, enabled: boolean): Promise<{ changed: boolean }> {
  return setGlobalFlags(ctx, enabled ? 'enable-hisso' : 'disable-hisso', 'changing host-initiated SSO', (flags) =>
    withFlag(flags, SSO_FLAG.SSO_EXTERNAL_TO_WINDOWS, enabled),
  );
}

/** -tickets <allowed> <validate>. */
export async function setTickets(
  ctx: StoreContext,
  allowed: boolean,
  validate: boolean,
): Promise<{ changed: boolean }> {
  return setGlobalFlags(ctx, 'tickets', 'changing the ticket settings', (flags) =>
    withFlag(withFlag(flags, SSO_FLAG.ALLOW_TICKETS, allowed), SSO_FLAG.VALIDATE_TICKETS, validate),
  );
}

async function setGlobalFlags(
  ctx: StoreContext,
  operation: string,
  action: string,
  change: (flags: number) => number,
): Promise<{ changed: boolean }> {
  return auditFailures(ctx, { operation, target: 'global info' }, async () => {
    requireRole(await roleCheck(ctx), 'sso-admin', action);
    return ctx.store.transaction(async (tx) => {
      const info = await readGlobalInfo(tx);
      const flags = change(info.flags);
      if (flags !== info.flags) {
        await tx.run('UPDATE global_info SET flags = ?, updated_at = ? WHERE id = 1', [
          flags,
          ctx.deps.now().toISOString(),
        ]);
      }
      await recordAudit(tx, ctx, {
        operation,
        target: 'global info',
        result: flags !== info.flags ? 'success' : 'success: unchanged',
      });
      return { changed: flags !== info.flags };
    });
  });
}

/** yes/no/on/off in any case, as -tickets accepts them. */
export function parseSwitch(value: string, what: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'yes' || lower === 'on') return true;
  if (lower === 'no' || lower === 'off') return false;
  throw new SsoError('USAGE', `${what} must be yes, no, on or off, not "${value}"`);
}
