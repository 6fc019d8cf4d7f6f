/** The store's record of master secrets: ids, generations, and when each was backed up. */

import { SsoError } from '../../errors.js';
import { command, remedy } from '../../remedy.js';
import type { Queryable } from '../../store/store.js';

export type MasterSecretState = 'current' | 'previous' | 'retired';

export interface MasterSecretRecord {
  id: string;
  generation: number;
  state: MasterSecretState;
  createdAt: string;
  createdOnNode: string;
  backedUpAt: string | null;
}

interface Row {
  id: string;
  generation: number;
  state: MasterSecretState;
  created_at: string;
  created_on_node: string;
  backed_up_at: string | null;
}

function fromRow(row: Row): MasterSecretRecord {
  return {
    id: row.id,
    generation: row.generation,
    state: row.state,
    createdAt: row.created_at,
    createdOnNode: row.created_on_node,
    backedUpAt: row.backed_up_at,
  };
}

/** Every master secret the store has known, newest first. */
export async function listMasterSecrets(q: Queryable): Promise<MasterSecretRecord[]> {
  return (await q.all<Row>('SELECT * FROM master_secrets ORDER BY generation DESC')).map(fromRow);
}

export async function currentMasterSecret(q: Queryable): Promise<MasterSecretRecord> {
  const row = await q.get<Row>("SELECT * FROM master_secrets WHERE state = 'current'");
  if (!row) {
    throw new SsoError('STORE_ERROR', 'the credential store names no current master secret', {
      hint: remedy`the store is damaged or was not created by ${command('init')}; run ${command('check')}`,
    });
  }
  return fromRow(row);
}

export async function findMasterSecret(q: Queryable, id: string): Promise<MasterSecretRecord | null> {
  const row = await q.get<Row>('SELECT * FROM master_secrets WHERE id = ?', [id]);
  return row ? fromRow(row) : null;
}

export async function insertMasterSecret(q: Queryable, record: MasterSecretRecord): Promise<void> {
  await q.run(
    `INSERT INTO master_secrets (id, generation, state, created_at, created_on_node, backed_up_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [record.id, record.generation, record.state, record.createdAt, record.createdOnNode, record.backedUpAt],
  );
}

export async function markBackedUp(q: Queryable, id: string, at: string): Promise<void> {
  await q.run('UPDATE master_secrets SET backed_up_at = ? WHERE id = ?', [at, id]);
}
