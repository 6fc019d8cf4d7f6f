/**
 * PostgreSQL for the bench, reached directly with pg: the server scripts/with-postgres
 * starts (SSOKIT_TEST_PG_URL, a role with CREATEDB; its password in
 * SSOKIT_TEST_PG_PASSWORD_FILE and PGPASSFILE), a fresh database per measurement, and
 * `COPY … FROM STDIN` without a dependency beyond pg (a Submittable, as pg-copy-streams
 * is one).
 */

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as PgModule from 'pg';

const pg = createRequire(import.meta.url)('pg') as typeof PgModule;

export type PgClient = PgModule.Client;

/** Raised when the suite cannot run here; main.ts reports it and keeps the other suites. */
export class SuiteUnavailable extends Error {}

interface Server {
  url: URL;
  password: string | undefined;
}

function server(): Server {
  const text = process.env.SSOKIT_TEST_PG_URL;
  if (!text) {
    throw new SuiteUnavailable(
      process.env.SSOKIT_TEST_PG_UNAVAILABLE ??
        'SSOKIT_TEST_PG_URL is not set: run the bench through scripts/with-postgres (npm run bench does)',
    );
  }
  const url = new URL(text);
  const file = process.env.SSOKIT_TEST_PG_PASSWORD_FILE;
  const password = url.password
    ? decodeURIComponent(url.password)
    : file
      ? readFileSync(file, 'utf8').trim()
      : undefined;
  url.password = '';
  return { url, password };
}

function clientConfig(s: Server, database: string, pipeline = false): PgModule.ClientConfig {
  return {
    host: decodeURIComponent(s.url.hostname.replace(/^\[|\]$/g, '')),
    port: s.url.port ? Number(s.url.port) : 5432,
    user: decodeURIComponent(s.url.username),
    database,
    password: s.password ?? '',
    pipeline,
  };
}

/** A plain pg client on `database` (the server's base database when absent). */
export async function rawClient(database?: string, options: { pipeline?: boolean } = {}): Promise<PgClient> {
  const s = server();
  const client = new pg.Client(
    clientConfig(s, database ?? decodeURIComponent(s.url.pathname.slice(1)), options.pipeline),
  );
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export interface BenchDatabase {
  name: string;
  /** The store location: the server's URL naming this database, without a password. */
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

/** A new database: empty, or a copy of `template` (which nobody may be connected to). */
export async function freshDatabase(label: string, template?: string): Promise<BenchDatabase> {
  const s = server();
  const name = `ssokit_bench_${process.pid}_${++counter}_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
  const admin = await rawClient();
  try {
    await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(s.url.href);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    drop: async () => {
      const c = await rawClient();
      try {
        // Without FORCE first: the server then stops an autovacuum worker on the database,
        // which FORCE may not terminate for a role that is not a superuser.
        await c.query(`DROP DATABASE IF EXISTS "${name}"`).catch((error: { code?: string }) => {
          if (error.code !== '55006') throw error; // still in use: one of ours not closed yet
          return c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        });
      } finally {
        await c.end();
      }
    },
  };
}

/** What pg's Connection offers a Submittable for COPY FROM STDIN. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain: boolean };
}

/**
 * `COPY … FROM STDIN` as a pg Submittable: the statement goes as a simple query; when the
 * server answers CopyInResponse the chunks are written as CopyData (waiting for the socket
 * to drain), then CopyDone. Resolves with the rows copied.
 */
class CopyFrom {
  callback?: (error: Error | null, rows?: number) => void;
  #rows = 0;
  #done = false;

  constructor(
    readonly text: string,
    readonly chunks: Iterable<Buffer>,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void (async () => {
      try {
        for (const chunk of this.chunks) {
          connection.sendCopyFromChunk(chunk);
          if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
        }
        connection.endCopyFrom();
      } catch (error) {
        connection.sendCopyFail(String((error as Error).message ?? error));
      }
    })();
  }

  handleCommandComplete(message: { text?: string; command?: string; rowCount?: number }): void {
    this.#rows = message.rowCount ?? Number(/\d+$/.exec(message.text ?? '')?.[0] ?? 0);
  }

  handleError(error: Error): void {
    this.#finish(error);
  }

  handleReadyForQuery(): void {
    this.#finish(null);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}

  #finish(error: Error | null): void {
    if (this.#done) return;
    this.#done = true;
    this.callback?.(error, this.#rows);
  }
}

/** Runs `COPY table (…) FROM STDIN` with the chunks (text format) as its data. */
export function copyFrom(client: PgClient, text: string, chunks: Iterable<Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    const copy = new CopyFrom(text, chunks);
    copy.callback = (error, rows) => (error ? reject(error) : resolve(rows ?? 0));
    client.query(copy as unknown as PgModule.Submittable);
  });
}

/** A value in COPY's text format. */
export function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A bytea value in COPY's text format (hex, its backslash escaped). */
export function copyBytea(bytes: Uint8Array): string {
  return `\\\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}
