/**
 * The SQLite schema, as numbered migrations. Applied in order, each in its own
 * transaction, and recorded in `schema_migrations`. Never edit a released migration:
 * append a new one. (A PostgreSQL adapter keeps its own DDL with the same tables.)
 */

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      // One row: the SSO system's settings (Enterprise SSO's SSOX_GlobalInfo).
      `CREATE TABLE global_info (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        secret_server TEXT NOT NULL,
        sso_admin_account TEXT NOT NULL,
        affiliate_admin_account TEXT NOT NULL,
        audit_deleted_apps INTEGER NOT NULL,
        audit_deleted_mappings INTEGER NOT NULL,
        audit_credential_lookups INTEGER NOT NULL,
        ticket_timeout INTEGER NOT NULL,
        cred_cache_timeout INTEGER NOT NULL,
        flags INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      // Key registry, part 1: master secrets by id and generation. The secrets themselves
      // never enter the store.
      `CREATE TABLE master_secrets (
        id TEXT PRIMARY KEY,
        generation INTEGER NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
        created_at TEXT NOT NULL,
        created_on_node TEXT NOT NULL,
        backed_up_at TEXT
      )`,
      `CREATE UNIQUE INDEX master_secrets_one_current ON master_secrets (state) WHERE state = 'current'`,
      `CREATE UNIQUE INDEX master_secrets_one_previous ON master_secrets (state) WHERE state = 'previous'`,
      `CREATE TABLE applications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL UNIQUE,
        app_type TEXT NOT NULL CHECK (app_type IN ('individual', 'group', 'host-group', 'config-store')),
        description TEXT NOT NULL,
        contact TEXT NOT NULL,
        user_accounts TEXT NOT NULL,
        admin_accounts TEXT NOT NULL,
        flags INTEGER NOT NULL,
        ticket_timeout INTEGER NOT NULL,
        purge_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE TABLE fields (
        app_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        label TEXT NOT NULL,
        label_key TEXT NOT NULL,
        masked INTEGER NOT NULL,
        PRIMARY KEY (app_id, ordinal),
        UNIQUE (app_id, label_key)
      )`,
      // Key registry, part 2: one active data key per application, wrapped by the master
      // secret named in master_secret_id. A 'retiring' key still encrypts rows that a
      // re-encryption has not reached yet.
      `CREATE TABLE data_keys (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('active', 'retiring')),
        master_secret_id TEXT NOT NULL REFERENCES master_secrets (id),
        wrapped BLOB NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE UNIQUE INDEX data_keys_one_active ON data_keys (app_id) WHERE state = 'active'`,
      `CREATE INDEX data_keys_by_state ON data_keys (state)`,
      // local_unique is local_key except for host-group applications (many external
      // accounts map to one local account there), where it is NULL and so never collides.
      `CREATE TABLE mappings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        local_user TEXT NOT NULL,
        local_key TEXT NOT NULL,
        local_unique TEXT,
        external_user TEXT NOT NULL,
        external_key TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (app_id, external_key),
        UNIQUE (app_id, local_unique)
      )`,
      `CREATE INDEX mappings_by_local ON mappings (local_key, app_id)`,
      `CREATE TABLE credentials (
        mapping_id INTEGER PRIMARY KEY REFERENCES mappings (id) ON DELETE CASCADE,
        data_key_id INTEGER NOT NULL REFERENCES data_keys (id),
        ciphertext BLOB NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE INDEX credentials_by_key ON credentials (data_key_id)`,
      `CREATE TABLE config_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        identifier TEXT NOT NULL,
        identifier_key TEXT NOT NULL,
        data_key_id INTEGER NOT NULL REFERENCES data_keys (id),
        ciphertext BLOB NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (app_id, identifier_key)
      )`,
      `CREATE INDEX config_entries_by_key ON config_entries (data_key_id)`,
      `CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        node TEXT NOT NULL,
        operation TEXT NOT NULL,
        target TEXT NOT NULL,
        result TEXT NOT NULL
      )`,
      // Ring buffers sized by global info (Enterprise SSO's SSOX_Audit* tables).
      `CREATE TABLE audit_deleted_apps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        node TEXT NOT NULL,
        app_name TEXT NOT NULL
      )`,
      `CREATE TABLE audit_deleted_mappings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        node TEXT NOT NULL,
        app_name TEXT NOT NULL,
        local_user TEXT NOT NULL,
        external_user TEXT NOT NULL
      )`,
      `CREATE TABLE audit_credential_lookups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        node TEXT NOT NULL,
        app_name TEXT NOT NULL,
        local_user TEXT NOT NULL,
        external_user TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'nodes and their approval',
    statements: [
      // Every node of the system: its node-channel key (NaCl box, X25519) and service
      // address, and whether an SSO administrator approved it to be given the master secret.
      `CREATE TABLE nodes (
        name_key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        public_key BLOB NOT NULL CHECK (length(public_key) = 32),
        service_address TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'revoked')),
        remote_lookup INTEGER NOT NULL,
        registered_at TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        changed_by TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'the master secret server lease',
    statements: [
      // Which node serves the master secret for a secretServer (cluster) name, until when by
      // the store's clock (ms since the epoch): one active node, the others standby.
      `CREATE TABLE secret_server_leases (
        name_key TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        term INTEGER NOT NULL,
        acquired_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: 'single sign-on state',
    statements: [
      // Single sign-on entries of business systems with sso-failover-enabled, by the SHA-256
      // of their id (the id itself is never stored), and each application's session of one.
      `CREATE TABLE sso_entries (
        hash BLOB PRIMARY KEY,
        bizsys TEXT NOT NULL,
        principal TEXT NOT NULL,
        auth_type TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        last_access_ms INTEGER NOT NULL,
        max_inactive_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
      )`,
      `CREATE INDEX sso_entries_by_expiry ON sso_entries (expires_at_ms)`,
      `CREATE TABLE sso_sessions (
        hash BLOB NOT NULL,
        bizsys TEXT NOT NULL,
        session_id TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        last_access_ms INTEGER NOT NULL,
        timeout_ms INTEGER NOT NULL,
        PRIMARY KEY (hash, bizsys)
      )`,
    ],
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
