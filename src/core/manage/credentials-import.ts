/**
 * `ssokit credentials import FILE`: credentials in bulk from JSON Lines, one object a line:
 *   {"user":"CORP\\alice","app":"PayrollApp","externalUser":"A123","fields":{"User ID":"A123","Password":"…"}}
 * Mappings are created (enabled) as needed. One transaction: every bad line is reported
 * with its number, and when any is bad nothing is applied.
 */

import { basename } from 'node:path';
import { fileProblems, type LineProblem, SsoError } from '../../errors.js';
import { type JsonProblem, JsonProblems, jsonLines, jsonProblemText, readJsonObject } from '../../json/json-reader.js';
import { readInputText } from '../../node/private-files.js';
import { insertRows } from '../../store/bulk-insert.js';
import type { Queryable, SqlValue } from '../../store/store.js';
import { credentialOwner, type DataKeyRing, openDataKeyRing, sealValues } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import {
  auditFailures,
  type Identity,
  identityProblem,
  parseIdentity,
  recordAudit,
  roleCheck,
} from '../shared/index.js';
import type { AppRecord } from './app-model.js';
import { AppResolver, noSuchApp } from './app-resolver.js';
import { valuesInFieldOrder } from './credentials.js';
import { externalUserProblem, MAPPING_COLUMNS, mappingIdentityProblem } from './mappings.js';

/** 512 MiB: a million credentials is about 150 MiB of JSON Lines. */
export const IMPORT_MAX_BYTES = 512 * 1024 * 1024;

const KEYS: ReadonlySet<string> = new Set(['user', 'app', 'externalUser', 'fields']);

/** A shape problem of one line; an unknown key is named as this command has always named it. */
function lineProblemText(problem: JsonProblem): string {
  if (problem.kind !== 'unknown-key') return jsonProblemText(problem);
  // A key of the line's own object: `extra`, or `["odd key"]` when it is not a plain name.
  return `unknown key ${problem.path.startsWith('[') ? problem.path.slice(1, -1) : `"${problem.path}"`}`;
}

export interface ImportResult {
  imported: number;
  mappingsCreated: number;
}

export async function importCredentialsFromFile(ctx: StoreContext, path: string): Promise<ImportResult> {
  // O_NONBLOCK, a regular file only, the size checked first and the read stopped at the cap:
  // a FIFO or /dev/zero is refused at once.
  const { text } = readInputText(path, {
    maxBytes: IMPORT_MAX_BYTES,
    tooLarge: (size) =>
      new SsoError(
        'INVALID_INPUT',
        `${path} is ${size > IMPORT_MAX_BYTES + 1 ? size : `over ${IMPORT_MAX_BYTES}`} bytes; an import is limited to ${IMPORT_MAX_BYTES / 2 ** 20} MiB`,
      ),
  });
  return importCredentials(ctx, basename(path), text);
}

export async function importCredentials(ctx: StoreContext, file: string, text: string): Promise<ImportResult> {
  return auditFailures(ctx, { operation: 'import-credentials', target: file }, async () => {
    const check = await roleCheck(ctx);
    const ring = await openDataKeyRing(ctx, 'encrypt', 'importing credentials');
    const problems: LineProblem[] = [];
    const seen = new Map<string, number>();
    const result = { imported: 0, mappingsCreated: 0 };

    await ctx.store.transaction(async (tx) => {
      const apps = new AppResolver(tx, check, 'importing credentials');
      const mappings = new KnownMappings(tx);
      const writes: PlannedWrite[] = [];
      const now = ctx.deps.now().toISOString();
      for (const { line, parsed } of jsonLines(text)) {
        const fail = (message: string) => problems.push({ line, message });
        const shape = new JsonProblems(line);
        const entry = parsed.ok ? readJsonObject(parsed.value, shape) : null;
        if (!entry?.valid) {
          fail('not a JSON object');
          continue;
        }
        entry.rejectUnknownKeys(KEYS);
        const user = entry.string('user');
        const appName = entry.string('app');
        const externalUser = entry.string('externalUser');
        const fields = entry.stringRecord('fields');
        for (const problem of shape.list) fail(lineProblemText(problem));
        // An unknown key is reported, and the rest of the line is still checked.
        if (shape.list.some((p) => p.kind !== 'unknown-key')) continue;
        const app = await apps.get(appName);
        if (!app) {
          fail(noSuchApp(appName));
          continue;
        }
        const identityText = app.type === 'host-group' ? app.userAccounts : user;
        const bad = identityProblem(user) ?? externalUserProblem(externalUser);
        if (bad) {
          fail(bad);
          continue;
        }
        const identity = parseIdentity(identityText);
        const refused = mappingIdentityProblem(app, identity);
        if (refused) {
          fail(refused);
          continue;
        }
        let values: string[];
        try {
          values = valuesInFieldOrder(app.fields, fields);
        } catch (error) {
          fail((error as Error).message);
          continue;
        }
        const unique = `${app.id}\u0000${app.type === 'host-group' ? externalUser.toLowerCase() : identity.key}`;
        const first = seen.get(unique);
        if (first !== undefined) {
          fail(`"${user}" in "${app.name}" is already given at line ${first}`);
          continue;
        }
        seen.set(unique, line);
        const known = await mappings.of(app.id);
        const externalKey = externalUser.toLowerCase();
        const existing =
          app.type === 'host-group' ? known.byExternal.get(externalKey) : known.byLocal.get(identity.key);
        if (existing && existing.externalKey !== externalKey) {
          fail(
            `"${user}" is already mapped to external user "${existing.externalUser}" in "${app.name}", not "${externalUser}"`,
          );
          continue;
        }
        const taken = existing ? undefined : known.byExternal.get(externalKey);
        if (taken) {
          fail(`external user "${externalUser}" is already mapped to "${taken.localUser}" in "${app.name}"`);
          continue;
        }
        if (!existing) {
          // Planned, so a later line naming the same external user is refused as above.
          const planned = { id: null, localUser: identity.text, externalUser, externalKey };
          known.byExternal.set(externalKey, planned);
          if (app.type !== 'host-group') known.byLocal.set(identity.key, planned);
        }
        if (problems.length) continue; // still validating, no longer writing
        writes.push({ app, identity, externalUser, externalKey, existingId: existing?.id ?? null, values });
      }
      if (problems.length) throw fileProblems(file, problems);
      await writeImport(tx, ctx, ring, writes, now);
      result.imported = writes.length;
      result.mappingsCreated = writes.filter((w) => w.existingId === null).length;
      if (result.imported === 0) throw new SsoError('INVALID_INPUT', `${file} holds no credentials`);
      await recordAudit(tx, ctx, {
        operation: 'import-credentials',
        target: file,
        result: `success: ${result.imported} credentials, ${result.mappingsCreated} mappings created`,
      });
    });
    return result;
  });
}

interface KnownMapping {
  /** null: planned by an earlier line of this file. */
  id: number | null;
  localUser: string;
  externalUser: string;
  externalKey: string;
}

/**
 * The mappings of each application the file names, read once inside the import's
 * transaction (which holds the writers' lock, so they cannot change meanwhile): one query
 * per application instead of several round trips per line.
 */
class KnownMappings {
  readonly #byApp = new Map<number, { byLocal: Map<string, KnownMapping>; byExternal: Map<string, KnownMapping> }>();

  constructor(private readonly tx: Queryable) {}

  async of(appId: number) {
    let known = this.#byApp.get(appId);
    if (!known) {
      known = { byLocal: new Map(), byExternal: new Map() };
      const rows = await this.tx.values(
        'SELECT id, local_user, local_unique, external_user, external_key FROM mappings WHERE app_id = ?',
        [appId],
      );
      for (const [id, localUser, localUnique, externalUser, externalKey] of rows) {
        const mapping = {
          id: Number(id),
          localUser: String(localUser),
          externalUser: String(externalUser),
          externalKey: String(externalKey),
        };
        if (localUnique !== null) known.byLocal.set(String(localUnique), mapping);
        known.byExternal.set(mapping.externalKey, mapping);
      }
      this.#byApp.set(appId, known);
    }
    return known;
  }
}

interface PlannedWrite {
  app: AppRecord;
  identity: Identity;
  externalUser: string;
  externalKey: string;
  existingId: number | null;
  values: string[];
}

/**
 * Every write of the import in bulk: existing mappings enabled, new ones inserted with
 * multi-row INSERTs and their ids read back per application, then every credential sealed
 * to its mapping id and written with multi-row INSERTs (replacing the ones it updates).
 */
async function writeImport(
  tx: Queryable,
  ctx: StoreContext,
  ring: DataKeyRing,
  writes: PlannedWrite[],
  now: string,
): Promise<void> {
  const existing = writes.filter((w) => w.existingId !== null).map((w) => w.existingId!);
  await tx.runMany(
    'UPDATE mappings SET enabled = 1, updated_at = ? WHERE id = ?',
    existing.map((id) => [now, id]),
  );
  await tx.runMany(
    'DELETE FROM credentials WHERE mapping_id = ?',
    existing.map((id) => [id]),
  );
  const fresh = writes.filter((w) => w.existingId === null);
  await insertRows(
    tx,
    'mappings',
    MAPPING_COLUMNS,
    fresh.map((w) => [
      w.app.id,
      w.identity.text,
      w.identity.key,
      w.app.type === 'host-group' ? null : w.identity.key,
      w.externalUser,
      w.externalKey,
      1,
      now,
      now,
    ]),
  );
  const ids = new Map<number, Map<string, number>>();
  for (const appId of new Set(fresh.map((w) => w.app.id))) {
    const rows = await tx.values('SELECT id, external_key FROM mappings WHERE app_id = ?', [appId]);
    ids.set(appId, new Map(rows.map(([id, key]) => [String(key), Number(id)])));
  }
  const credentials: SqlValue[][] = [];
  for (const w of writes) {
    const mappingId = w.existingId ?? ids.get(w.app.id)?.get(w.externalKey);
    if (mappingId === undefined) throw new Error(`the mapping just made for ${w.identity.text} is not there`);
    const key = await ring.activeFor(tx, w.app.id);
    credentials.push([mappingId, key.id, sealValues(key.key, credentialOwner(mappingId), w.values, ctx.deps.rng), now]);
  }
  await insertRows(tx, 'credentials', ['mapping_id', 'data_key_id', 'ciphertext', 'updated_at'], credentials);
}
