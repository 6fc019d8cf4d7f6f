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
import { openDataKeyRing } from '../secret/index.js';
import type { StoreContext } from '../shared/index.js';
import { auditFailures, identityProblem, parseIdentity, recordAudit, roleCheck } from '../shared/index.js';
import { AppResolver, noSuchApp } from './app-resolver.js';
import { insertMapping, valuesInFieldOrder, writeCredential } from './credentials.js';
import { externalUserProblem, mappingIdentityProblem } from './mappings.js';

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
    const ring = await openDataKeyRing(ctx, 'importing credentials');
    const problems: LineProblem[] = [];
    const seen = new Map<string, number>();
    const result = { imported: 0, mappingsCreated: 0 };

    await ctx.store.transaction(async (tx) => {
      const apps = new AppResolver(tx, check, 'importing credentials');
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
        const existing =
          app.type === 'host-group'
            ? await tx.get<{ id: number; external_user: string }>(
                'SELECT id, external_user FROM mappings WHERE app_id = ? AND external_key = ?',
                [app.id, externalUser.toLowerCase()],
              )
            : await tx.get<{ id: number; external_user: string }>(
                'SELECT id, external_user FROM mappings WHERE app_id = ? AND local_key = ?',
                [app.id, identity.key],
              );
        if (existing && existing.external_user.toLowerCase() !== externalUser.toLowerCase()) {
          fail(
            `"${user}" is already mapped to external user "${existing.external_user}" in "${app.name}", not "${externalUser}"`,
          );
          continue;
        }
        if (problems.length) continue; // still validating, no longer writing
        try {
          const mappingId = existing ? existing.id : (await insertMapping(tx, app, identity, externalUser, now)).id;
          if (existing)
            await tx.run('UPDATE mappings SET enabled = 1, updated_at = ? WHERE id = ?', [now, existing.id]);
          else result.mappingsCreated++;
          await writeCredential(tx, ring, app.id, mappingId, values, ctx, now);
          result.imported++;
        } catch (error) {
          if (!(error instanceof SsoError)) throw error;
          fail(error.message);
        }
      }
      if (problems.length) throw fileProblems(file, problems);
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
