import { openPostgresStore } from '../../src/store/open-store.js';
import { adminConnection, freshDatabase, postgresUnavailable, sqlIn, withClient } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { type ContractSubject, storeContract } from './store-contract.js';

/** A database of its own on the test server, per case. */
const postgres: ContractSubject = {
  overlapping: 'concurrent',
  async place(label) {
    const db = await freshDatabase(label);
    return {
      address: { kind: 'postgres', connection: db.connection },
      open: (options = {}) => openPostgresStore(db.connection, { busyTimeoutMs: 5000, ...options }),
      async makeForeign() {
        await sqlIn(db, 'CREATE TABLE invoices (id bigint PRIMARY KEY, total bigint)');
      },
      async tables() {
        const [result] = await sqlIn(
          db,
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        );
        return result!.rows.map((r: { name: string }) => r.name);
      },
      async orphanCredentials(mappingId) {
        const admin = adminConnection();
        if (admin) {
          // As a superuser: foreign keys not enforced for this session, the constraint kept whole.
          await withClient({ ...admin, database: db.name }, async (c) => {
            await c.query("SET session_replication_role = 'replica'");
            await c.query('DELETE FROM mappings WHERE id = $1', [mappingId]);
          });
        } else {
          // As the store's owner: the constraint dropped, and put back unvalidated.
          await sqlIn(
            db,
            `BEGIN;
             ALTER TABLE credentials DROP CONSTRAINT credentials_mapping_id_fkey;
             DELETE FROM mappings WHERE id = ${Number(mappingId)};
             ALTER TABLE credentials ADD CONSTRAINT credentials_mapping_id_fkey
               FOREIGN KEY (mapping_id) REFERENCES mappings (id) ON DELETE CASCADE NOT VALID;
             COMMIT`,
          );
        }
      },
      remove: () => db.drop(),
    };
  },
};

describeNeeding(postgresUnavailable(), 'the PostgreSQL store contract')('PostgreSQL', () => {
  storeContract('PostgreSQL', postgres);
});
