import type { Queryable, SqlValue } from './store.js';

/** Rows per INSERT statement: well under every backend's bound-parameter limit. */
const ROWS_PER_STATEMENT = 100;

/**
 * Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements (portable SQL),
 * a hundred rows a statement: bulk work then costs one statement per hundred rows instead
 * of one per row.
 */
export async function insertRows(
  q: Queryable,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
): Promise<void> {
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  const full = head + Array(ROWS_PER_STATEMENT).fill(placeholders).join(', ');
  // The full statements go as one runMany, which a networked engine pipelines.
  const chunks: SqlValue[][] = [];
  let i = 0;
  for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
    chunks.push(rows.slice(i, i + ROWS_PER_STATEMENT).flat());
  }
  if (chunks.length) await q.runMany(full, chunks);
  if (i < rows.length) {
    const rest = rows.slice(i);
    await q.run(head + Array(rest.length).fill(placeholders).join(', '), rest.flat());
  }
}
