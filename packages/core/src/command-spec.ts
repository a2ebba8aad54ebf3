// A command's command line, declared once: its operands and flags, each with its type and one
// line of help. The parser (parse-flags.ts), the usage line (usage-line.ts), `bird help` and Tab
// completion are all read from it, so a flag added here is parsed, shown and completed at once.

/** Where the words that complete a value come from, besides a flag's own `suggest` words. */
export type ValueSource = 'files' | 'remotes' | 'commands';

interface FlagBase {
  /** The long name, without `--`. */
  readonly name: string;
  /** A one-character alias, without `-`. */
  readonly short?: string;
  /** One line: what the flag does (shown beside it on Tab, and in `bird help`). */
  readonly help: string;
  /** The usage line shows `-n N` rather than `--limit N`. */
  readonly usageShort?: boolean;
  /** Must be given: shown without brackets. */
  readonly required?: boolean;
  /** Parsed, but neither shown nor completed: for key bindings and bird's own processes. */
  readonly hidden?: boolean;
  /** Where `bird help` lists it: beside the command's name, or on a line of its own below. */
  readonly overview?: 'synopsis' | 'line';
}

export interface BooleanFlag extends FlagBase {
  readonly type: 'boolean';
}

export interface StringFlag extends FlagBase {
  readonly type: 'string';
  /** What the usage line shows for the value: `URI`, `NAME|all`, `7d|30d|YYYY-MM-DD`. */
  readonly value: string;
  /** Words Tab offers for the value (each one of the alternatives in `value`). */
  readonly suggest?: readonly string[];
  readonly complete?: ValueSource;
  /** May be given more than once: the values are kept in order. */
  readonly repeatable?: boolean;
}

export interface NumberFlag extends FlagBase {
  readonly type: 'number';
  readonly value: string;
  /** The smallest whole number accepted. */
  readonly min: number;
}

export interface EnumFlag extends FlagBase {
  readonly type: 'enum';
  readonly values: readonly string[];
}

export type FlagSpec = BooleanFlag | StringFlag | NumberFlag | EnumFlag;

/** The words after the command's name that are not flags. */
export type OperandSpec =
  | {
      readonly type: 'text';
      /** What the usage line shows: `NAME`, `"QUERY"`, `TEXT`. */
      readonly value: string;
      readonly required?: boolean;
      /** Any number of words (the command joins them), not at most one. */
      readonly many?: boolean;
      readonly complete?: ValueSource;
      /** The long name of a flag given instead of the operand: `["QUERY" | --file FILE]`. */
      readonly orFlag?: string;
      /** What an error calls it (`give the query or --file, not both`); else `value`. */
      readonly label?: string;
    }
  | {
      readonly type: 'enum';
      readonly values: readonly string[];
      /** What the error calls it: `the shell must be zsh, bash or fish, not "csh".` */
      readonly label: string;
      readonly required?: boolean;
    };

export interface CommandSpec {
  /** The words that name it after the program's name: `history`, `remote add`; `` for bird-sync alone. */
  readonly name: string;
  /** One line: what the command does. */
  readonly about: string;
  readonly operand?: OperandSpec;
  readonly flags: readonly FlagSpec[];
  /** Said after the usage line, two spaces apart: `(no query: read from standard input)`. */
  readonly remark?: string;
}

type FlagValue<F> = F extends BooleanFlag
  ? true
  : F extends NumberFlag
    ? number
    : F extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
      ? V
      : F extends { readonly repeatable: true }
        ? readonly string[]
        : string;

type Flags<S extends CommandSpec> = S['flags'][number];

/** The flags given, by long name, typed from the declaration (`as const`); an absent one is undefined, a required one never is. */
export type FlagValues<S extends CommandSpec> = {
  readonly [F in Flags<S> as F extends { readonly required: true } ? F['name'] : never]: FlagValue<F>;
} & {
  readonly [F in Flags<S> as F extends { readonly required: true } ? never : F['name']]?: FlagValue<F>;
};

type OperandValue<S extends CommandSpec> = S['operand'] extends { readonly type: 'enum'; readonly values: readonly (infer V)[] } ? V : string;

export interface ParsedCommandLine<S extends CommandSpec> {
  readonly values: FlagValues<S>;
  readonly operands: readonly OperandValue<S>[];
}
