/**
 * `ssokit check`, the key hierarchy: every data key opens with the local master secret it
 * names, every credential and config-store bag opens with its data key and is bound to
 * its own row, and every row's key belongs to the row's application. Reads in pages so
 * memory stays flat on a large store.
 */

import { open } from '../../crypto/sealed-box.js';
import type { Queryable } from '../../store/store.js';
import { configOwner, credentialOwner, decodeValues, unwrapDataKey } from '../secret/index.js';
import type { Findings } from './report.js';

const PAGE = 5000;
/** How many failing rows a finding names before it says "…". */
const NAMED = 5;

interface KeyRow {
  id: number;
  app_id: number;
  state: string;
  master_secret_id: string;
  wrapped: Uint8Array;
}

/** The data keys that open, by id; a finding for each that does not. */
export async function openDataKeys(
  q: Queryable,
  findings: Findings,
  secrets: Map<string, Uint8Array>,
): Promise<Map<number, { appId: number; key: Uint8Array }>> {
  const opened = new Map<number, { appId: number; key: Uint8Array }>();
  const rows = await q.all<KeyRow>('SELECT id, app_id, state, master_secret_id, wrapped FROM data_keys ORDER BY id');
  const failed: number[] = [];
  const missingSecret = new Map<string, number>();
  for (const row of rows) {
    const master = secrets.get(row.master_secret_id);
    if (!master) {
      missingSecret.set(row.master_secret_id, (missingSecret.get(row.master_secret_id) ?? 0) + 1);
      continue;
    }
    const key = unwrapDataKey(master, row.app_id, row.wrapped);
    if (key) opened.set(row.id, { appId: row.app_id, key });
    else failed.push(row.id);
  }
  for (const [id, n] of missingSecret) {
    findings.problem(
      'keys',
      `${n} data key(s) are wrapped by master secret ${id}, which this node does not hold (restore its backup, then rotate)`,
    );
  }
  if (failed.length)
    findings.problem(
      'keys',
      `${failed.length} data key(s) do not open with their master secret: ${named(failed, 'data key')}`,
    );
  if (!failed.length && !missingSecret.size)
    findings.ok('keys', `all ${rows.length} data keys open with the local master secret`);
  const retiring = rows.filter((r) => r.state === 'retiring').length;
  if (retiring)
    findings.warning(
      'keys',
      `${retiring} data key(s) wait for an interrupted re-encryption: run ssokit secret reencrypt to finish it`,
    );
  return opened;
}

interface SealedRow {
  /** Shown in findings: the mapping id or the config entry's application and identifier. */
  label: string;
  owner: string;
  appId: number;
  dataKeyId: number;
  ciphertext: Uint8Array;
}

/** Opens every sealed row a query yields, page by page; returns how many opened. */
async function openRows(
  what: string,
  page: (after: number) => Promise<{ cursor: number; rows: SealedRow[] }>,
  keys: Map<number, { appId: number; key: Uint8Array }>,
  findings: Findings,
): Promise<{ total: number; opened: number }> {
  const failed: string[] = [];
  const foreign: string[] = [];
  let total = 0;
  let opened = 0;
  for (let after = 0; ; ) {
    const { cursor, rows } = await page(after);
    if (!rows.length) break;
    after = cursor;
    for (const row of rows) {
      total++;
      const key = keys.get(row.dataKeyId);
      if (!key) continue; // its data key already has a finding
      if (key.appId !== row.appId) {
        foreign.push(row.label);
        continue;
      }
      const plain = open(key.key, row.owner, row.ciphertext);
      if (plain && decodeValues(plain)) opened++;
      else failed.push(row.label);
    }
  }
  if (foreign.length)
    findings.problem(
      'credentials',
      `${foreign.length} ${what} are sealed under another application's data key: ${named(foreign)}`,
    );
  if (failed.length)
    findings.problem(
      'credentials',
      `${failed.length} ${what} do not open with their data key or were moved from another row: ${named(failed)}`,
    );
  return { total, opened };
}

export async function openSealedRows(
  q: Queryable,
  findings: Findings,
  keys: Map<number, { appId: number; key: Uint8Array }>,
): Promise<{ credentials: number; configEntries: number; opened: number }> {
  const credentials = await openRows(
    'credentials',
    async (after) => {
      const rows = await q.values(
        `SELECT c.mapping_id, m.app_id, c.data_key_id, c.ciphertext FROM credentials c JOIN mappings m ON m.id = c.mapping_id
         WHERE c.mapping_id > ? ORDER BY c.mapping_id LIMIT ${PAGE}`,
        [after],
      );
      return {
        cursor: Number(rows.at(-1)?.[0] ?? after),
        rows: rows.map(([mappingId, appId, dataKeyId, ciphertext]) => ({
          label: `mapping ${mappingId}`,
          owner: credentialOwner(Number(mappingId)),
          appId: Number(appId),
          dataKeyId: Number(dataKeyId),
          ciphertext: ciphertext as Uint8Array,
        })),
      };
    },
    keys,
    findings,
  );
  const bags = await openRows(
    'config-store entries',
    async (after) => {
      const rows = await q.values(
        `SELECT id, app_id, identifier, identifier_key, data_key_id, ciphertext FROM config_entries WHERE id > ? ORDER BY id LIMIT ${PAGE}`,
        [after],
      );
      return {
        cursor: Number(rows.at(-1)?.[0] ?? after),
        rows: rows.map(([, appId, identifier, identifierKey, dataKeyId, ciphertext]) => ({
          label: `config entry ${String(identifier)} of application ${appId}`,
          owner: configOwner(Number(appId), String(identifierKey)),
          appId: Number(appId),
          dataKeyId: Number(dataKeyId),
          ciphertext: ciphertext as Uint8Array,
        })),
      };
    },
    keys,
    findings,
  );
  return { credentials: credentials.total, configEntries: bags.total, opened: credentials.opened + bags.opened };
}

function named(items: (string | number)[], prefix = ''): string {
  const shown = items.slice(0, NAMED).map((item) => (prefix ? `${prefix} ${item}` : String(item)));
  return shown.join(', ') + (items.length > NAMED ? `, and ${items.length - NAMED} more` : '');
}
