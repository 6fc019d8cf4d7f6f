/**
 * Gathering credential values without ever putting a masked one on a command line:
 * --fields-file FILE (or -, or SSOKIT_FIELDS_FILE) holds a JSON object of label → value;
 * --field "Label=value" is for fields that are not masked; a terminal asks for the rest
 * (masked ones hidden and confirmed). Without a terminal, a missing value is an error
 * naming the flags.
 */

import type { FieldDef } from '../core/manage/index.js';
import { SsoError } from '../errors.js';
import { readInputText } from '../node/private-files.js';
import { isInteractive, readAllStdin } from './io.js';
import type { Session } from './session.js';

export const FIELDS_FILE_ENV = 'SSOKIT_FIELDS_FILE';

/** 1 MiB: a fields file holds one object of a few labels and values. */
export const FIELDS_FILE_MAX_BYTES = 1 << 20;

export interface FieldOptions {
  field: string[];
  fieldsFile: string | undefined;
  externalUser: string | undefined;
}

export async function gatherFieldValues(
  session: Session,
  fields: FieldDef[],
  options: FieldOptions,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  const file = options.fieldsFile ?? (session.io.env[FIELDS_FILE_ENV] || undefined);
  if (file !== undefined) Object.assign(values, await readFieldsFile(session, file));
  for (const entry of options.field ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new SsoError('USAGE', `--field takes "Label=value", not "${entry.slice(0, 40)}"`);
    const label = entry.slice(0, at);
    const field = fields.find((f) => f.label.toLowerCase() === label.toLowerCase());
    if (field?.masked) {
      throw new SsoError(
        'USAGE',
        `"${field.label}" is masked, so it cannot be given on the command line (anyone on this machine can read one)`,
        {
          hint: `give it in --fields-file FILE (or - for stdin), ${FIELDS_FILE_ENV}, or at the prompt`,
        },
      );
    }
    values[field?.label ?? label] = entry.slice(at + 1);
  }
  const missing = fields.filter((f) => !Object.keys(values).some((k) => k.toLowerCase() === f.label.toLowerCase()));
  if (missing.length === 0) return values;
  if (!isInteractive(session.io)) {
    throw new SsoError(
      'INPUT_REQUIRED',
      `no value for ${missing.map((f) => `"${f.label}"`).join(', ')} and no terminal to ask on`,
      {
        hint: `give values with --fields-file FILE (or -), ${FIELDS_FILE_ENV}, or --field "Label=value" for unmasked fields`,
      },
    );
  }
  for (const field of missing) {
    if (!field.masked) {
      values[field.label] = await session.prompter.input(field.label);
      continue;
    }
    for (;;) {
      const value = await session.prompter.password(field.label);
      if ((await session.prompter.password(`Confirm ${field.label}`)) === value) {
        values[field.label] = value;
        break;
      }
      session.out.say('The values do not match; try again.');
    }
  }
  return values;
}

export async function gatherExternalUser(
  session: Session,
  options: FieldOptions,
  who: string,
  app: string,
): Promise<string> {
  if (options.externalUser !== undefined) return options.externalUser;
  if (!isInteractive(session.io)) {
    throw new SsoError('INPUT_REQUIRED', `"${who}" has no mapping in "${app}" yet, so its external user id is needed`, {
      hint: 'add --external-user ID',
    });
  }
  return session.prompter.input('External user id');
}

async function readFieldsFile(session: Session, file: string): Promise<Record<string, string>> {
  let text: string;
  if (file === '-') {
    session.stdinCache ??= {};
    session.stdinCache.text ??= await readAllStdin(session.io);
    text = session.stdinCache.text;
  } else {
    // O_NONBLOCK, a regular file only, at most 1 MiB: a FIFO or /dev/zero is refused at once.
    const read = readInputText(file, { maxBytes: FIELDS_FILE_MAX_BYTES, what: 'the fields file' });
    if (read.mode & 0o077)
      session.out.warn(`${file} holds credentials and group or others can read it: chmod 600 ${file}`);
    text = read.text;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SsoError('INVALID_INPUT', `the fields file ${file === '-' ? '(stdin)' : file} is not JSON`, {
      hint: 'write an object of field label to value: {"User ID": "A123", "Password": "…"}',
    });
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw new SsoError('INVALID_INPUT', 'the fields file must hold one JSON object of field label to string value');
  }
  return parsed as Record<string, string>;
}
