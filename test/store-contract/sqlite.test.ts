import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../src/store/open-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type ContractSubject, storeContract } from './store-contract.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

/** A file in a folder of its own; the adapter is reached through openStore, as core reaches it. */
const sqlite: ContractSubject = {
  overlapping: 'refused',
  async place() {
    const dir = tempDir('ssokit-contract-');
    const path = join(dir.path, 'store.sqlite');
    const raw = <T>(work: (db: BetterSqlite3.Database) => T): T => {
      const db = new Database(path);
      try {
        return work(db);
      } finally {
        db.close();
      }
    };
    return {
      address: { kind: 'sqlite', path },
      open: (options = {}) => openStore(path, { busyTimeoutMs: 5000, ...options }),
      async makeForeign() {
        raw((db) => db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)'));
      },
      async tables() {
        if (!existsSync(path)) return [];
        return raw((db) =>
          (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
            .map((r) => r.name)
            .filter((name) => name !== 'sqlite_sequence'),
        );
      },
      async orphanCredentials(mappingId) {
        raw((db) => {
          db.pragma('foreign_keys = OFF');
          db.prepare('DELETE FROM mappings WHERE id = ?').run(mappingId);
        });
      },
      async remove() {
        dir.cleanup();
      },
    };
  },
};

storeContract('SQLite', sqlite);
