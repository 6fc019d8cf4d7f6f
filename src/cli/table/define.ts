/**
 * The command table's vocabulary. Each command is declared once, in the file of its noun
 * under src/cli/commands/: its modern name, its original-syntax names per tool, its typed
 * arguments and options, its summary, and a handler loaded only when it runs. Both
 * syntaxes, all help and the spelling of hints are generated from these declarations.
 *
 * The handler's options type is inferred from the declared arguments and options, so a
 * handler typed on another shape does not compile.
 */

import type { Session } from '../session.js';

export type ToolName = 'ssokit' | 'ssoconfig' | 'ssomanage' | 'ssoclient' | 'ssocloneaz';
export type OriginalTool = Exclude<ToolName, 'ssokit'>;

// ── arguments ──────────────────────────────────────────────────────────────────────────

interface ArgBase<K extends string> {
  /** The key of the value in the handler's options. */
  readonly key: K;
  /** Shown in help and usage lines: `<file>`, `<backup file>`. */
  readonly label: string;
  readonly description: string;
}

export interface RequiredArg<K extends string = string> extends ArgBase<K> {
  readonly kind: 'required';
}
export interface OptionalArg<K extends string = string> extends ArgBase<K> {
  readonly kind: 'optional';
}
export interface VariadicArg<K extends string = string> extends ArgBase<K> {
  readonly kind: 'variadic';
}
export type ArgDef = RequiredArg | OptionalArg | VariadicArg;

export const arg = {
  required: <K extends string>(key: K, description = '', label: string = key): RequiredArg<K> => ({
    kind: 'required',
    key,
    label,
    description,
  }),
  optional: <K extends string>(key: K, description = '', label: string = key): OptionalArg<K> => ({
    kind: 'optional',
    key,
    label,
    description,
  }),
  variadic: <K extends string>(key: K, description = '', label: string = key): VariadicArg<K> => ({
    kind: 'variadic',
    key,
    label,
    description,
  }),
};

// ── options ────────────────────────────────────────────────────────────────────────────

/**
 * How an option reads its value:
 * - `switch`: `--force` → true, absent → false;
 * - `value`: `--reminder <text>` → the text, absent → undefined;
 * - `list`: `--field <label=value>`, repeatable → every value given, absent → [];
 * - `toggle`: `--ssl` / `--no-ssl` → true / false, absent → undefined;
 * - `value-or-no`: `--backup <file>` / `--no-backup` → the file / false, absent → undefined;
 * - `optional-value`: `-p [file]` → the file, or true when given bare; absent → undefined.
 */
export type OptionKind = 'switch' | 'value' | 'list' | 'toggle' | 'value-or-no' | 'optional-value';

export interface OptionDef<K extends string = string, Kind extends OptionKind = OptionKind> {
  readonly key: K;
  readonly kind: Kind;
  /** commander's spelling of the positive form: `-f, --file <file>`, `--dry-run`. */
  readonly flags: string;
  readonly description: string;
  /** For `toggle` and `value-or-no`: the help of the `--no-…` form. */
  readonly negatedDescription?: string;
}

export function option<K extends string, Kind extends OptionKind>(
  key: K,
  kind: Kind,
  flags: string,
  description: string,
  negatedDescription?: string,
): OptionDef<K, Kind> {
  return { key, kind, flags, description, ...(negatedDescription === undefined ? {} : { negatedDescription }) };
}

/** The same option with the help a command needs where its meaning is narrower. */
export function describe<K extends string, Kind extends OptionKind>(
  base: OptionDef<K, Kind>,
  description: string,
): OptionDef<K, Kind> {
  return { ...base, description };
}

/** The long name of an option without its dashes: `--dry-run` → `dry-run`. */
export function longName(def: OptionDef): string {
  const match = /--([a-z][a-z0-9-]*)/.exec(def.flags);
  if (!match?.[1]) throw new Error(`option ${def.key} has no long flag`);
  return match[1];
}

// ── inferred option types ──────────────────────────────────────────────────────────────

type ArgValue<A> = A extends { kind: 'required' }
  ? string
  : A extends { kind: 'optional' }
    ? string | undefined
    : string[];

type OptionValue<O> = O extends { kind: 'switch' }
  ? boolean
  : O extends { kind: 'value' }
    ? string | undefined
    : O extends { kind: 'list' }
      ? string[]
      : O extends { kind: 'toggle' }
        ? boolean | undefined
        : O extends { kind: 'value-or-no' }
          ? string | false | undefined
          : O extends { kind: 'optional-value' }
            ? string | true | undefined
            : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The options object a command's handler receives: its arguments and options by key. */
export type OptionsOf<A extends readonly ArgDef[], O extends readonly OptionDef[]> = Simplify<
  { readonly [X in A[number] as X['key']]: ArgValue<X> } & { readonly [X in O[number] as X['key']]: OptionValue<X> }
>;

/** What the parser hands a command: values built from its declarations, by key. */
export type ParsedValue = string | string[] | boolean | undefined;
export type ParsedValues = Readonly<Record<string, ParsedValue>>;

// ── commands ───────────────────────────────────────────────────────────────────────────

/** A global option a command uses beyond those every command takes (--home, --db, --json, …). */
export type GlobalUse = 'passwordFile' | 'yes' | 'nodeName';

export interface OriginalName {
  readonly tool: OriginalTool;
  /** As the original tool documents it: `restoreSecret`, `listapps`, `p`. */
  readonly name: string;
  /** The original tool's help line, where it differs from the modern summary. */
  readonly summary?: string;
}

export type Handler<T> = (session: Session, options: T) => Promise<void>;

export interface CommandSpec<A extends readonly ArgDef[], O extends readonly OptionDef[]> {
  /** The modern name after `ssokit`: `secret backup`, `init`; none for an original-only command. */
  readonly name?: string;
  /** The original-syntax spellings: `ssoconfig -backupSecret`. */
  readonly original?: readonly OriginalName[];
  /**
   * For an original-only command shaped differently from a modern one (`ssoconfig
   * -generateSecret FILE` is `ssokit secret rotate --backup FILE`): that command's name, so
   * hints naming it are spelled with this one in the original syntax.
   */
  readonly sameAs?: string;
  readonly summary: string;
  readonly args: A;
  readonly options: O;
  readonly uses?: readonly GlobalUse[];
  /** Not supported by ssokit: takes any arguments, and its handler says why. */
  readonly unsupported?: boolean;
  readonly handler: () => Promise<Handler<OptionsOf<A, O>>>;
}

/** A declared command with its types erased, as the registry and the parser hold it. */
export interface CommandDef {
  readonly name: string | undefined;
  readonly original: readonly OriginalName[];
  readonly sameAs: string | undefined;
  readonly summary: string;
  readonly args: readonly ArgDef[];
  readonly options: readonly OptionDef[];
  readonly uses: readonly GlobalUse[];
  readonly unsupported: boolean;
  run(session: Session, values: ParsedValues): Promise<void>;
}

export function defineCommand<const A extends readonly ArgDef[], const O extends readonly OptionDef[]>(
  spec: CommandSpec<A, O>,
): CommandDef {
  return {
    name: spec.name,
    original: spec.original ?? [],
    sameAs: spec.sameAs,
    summary: spec.summary,
    args: spec.args,
    options: spec.options,
    uses: spec.uses ?? [],
    unsupported: spec.unsupported ?? false,
    // The parser builds `values` from exactly these declarations (readValues in parse.ts),
    // which is the shape OptionsOf<A, O> describes; the contract test holds it to that.
    run: async (session, values) => (await spec.handler())(session, values as OptionsOf<A, O>),
  };
}

/** A noun's commands and the noun's own line in `ssokit --help`. */
export interface NounTable {
  /** `secret`; empty for top-level commands (init, check …) and original-only ones. */
  readonly noun: string;
  readonly summary: string;
  readonly commands: readonly CommandDef[];
}
