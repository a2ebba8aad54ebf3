// Every bird command's command line, declared once (core's command-spec.ts): each command parses
// its own from here, and `bird help`, the usage lines and Tab completion are read from here.
// Kept apart from the commands, and light, so that `--help` and each Tab load nothing heavy.
import { REMOTE_TYPES, SEVERITIES, SHELLS, STORAGE_MODES, type CommandSpec } from '@bird/core';
import { COMPACT_SPEC, PULL_SPEC, PUSH_SPEC } from '@bird/sync-worker/command-specs';
import { OUTPUT_STREAMS } from '@bird/capture/record-output';
import { OUTPUT_FORMATS } from './format/result-set.ts';
import { SCOPES, SEARCH_MODES } from './search/search-choices.ts';

export const IMPORT_FORMATS = ['zsh', 'bash', 'fish', 'atuin'] as const;
export const STATS_FORMATS = ['table', 'json'] as const;

const FORMAT = { name: 'format', short: 'f', type: 'enum', values: OUTPUT_FORMATS, help: 'print as a table (default), csv or json' } as const;
const HOST = { name: 'host', type: 'string', value: 'H', help: 'only the commands run on host H' } as const;
const ATTACH = {
  name: 'attach',
  type: 'string',
  value: 'NAME|all',
  repeatable: true,
  complete: 'remotes',
  suggest: ['all'],
  help: 'also a remote added with --no-auto-attach (repeatable; all: every one)',
} as const;
const SOURCE = { name: 'source', type: 'string', value: 'S', help: "only the rows of S: local (yours) or a remote's name" } as const;
const SHELL_OPERAND = { type: 'enum', values: SHELLS, label: 'the shell', required: true } as const;
const REMOTE_NAME = { type: 'text', value: 'NAME', required: true, complete: 'remotes' } as const;

/** In the order `bird help` lists them; `remote add` … are the words of `bird remote add` …. */
export const COMMAND_SPECS = {
  init: {
    name: 'init',
    about: 'create the store (idempotent; never destroys data)',
    flags: [
      { name: 'mode', type: 'enum', values: STORAGE_MODES, help: 'one Parquet file per command (default) or one DuckDB database', overview: 'synopsis' },
      { name: 'client-id', type: 'string', value: 'ID', help: "this machine's id in shared data, written into config.toml", overview: 'line' },
      { name: 'project', type: 'boolean', help: "make a project's store in DIR/.bird (default: here); bird sql inside DIR reads it as project.*", overview: 'line' },
    ],
    operand: { type: 'text', value: 'DIR', label: 'the project folder', complete: 'files' },
    remark: '(DIR: with --project only)',
  },
  sql: {
    name: 'sql',
    about: 'run SQL over the store',
    operand: { type: 'text', value: '"QUERY"', label: 'the query', orFlag: 'file' },
    remark: '(no query: read from standard input)',
    flags: [
      { name: 'file', type: 'string', value: 'FILE', complete: 'files', help: 'read the query from FILE' },
      { ...ATTACH, overview: 'line' },
      { ...FORMAT, overview: 'line' },
    ],
  },
  history: {
    name: 'history',
    about: 'the N most recent commands (containing TEXT), newest first (default 20)',
    operand: { type: 'text', value: 'TEXT', many: true },
    flags: [
      { name: 'limit', short: 'n', usageShort: true, type: 'number', value: 'N', min: 1, help: 'how many to show', overview: 'synopsis' },
      { name: 'reverse', short: 'r', type: 'boolean', help: 'oldest first', overview: 'line' },
      { ...HOST, overview: 'line' },
      { ...SOURCE, overview: 'line' },
      { name: 'project', type: 'boolean', help: "with the commands of this folder's project store (.bird/, source project)", overview: 'line' },
      FORMAT,
    ],
  },
  search: {
    name: 'search',
    about: 'find a command (Ctrl-R in a hooked shell); prints matches when piped',
    operand: { type: 'text', value: 'QUERY', many: true },
    flags: [
      { name: 'mode', type: 'enum', values: SEARCH_MODES, help: 'how QUERY matches (default: fuzzy)' },
      { name: 'output', type: 'string', value: 'TEXT', help: 'find commands by what they printed: their stored output holds TEXT (any case)' },
      { name: 'filter', type: 'enum', values: SCOPES, help: 'which commands: all of them (default), or this host, session, directory or git work tree' },
      { name: 'limit', short: 'n', usageShort: true, type: 'number', value: 'N', min: 1, help: 'how many matches to print (default 50)' },
      { name: 'format', short: 'f', type: 'enum', values: ['plain', 'json'], help: 'print one per line (default) or as JSON' },
      { name: 'print0', short: '0', usageShort: true, type: 'boolean', help: 'print the commands as they are, each ended by a NUL (for fzf --read0, xargs -0)' },
      { name: 'height', type: 'number', value: 'N', min: 1, help: 'the lines it takes on the terminal (default: [search] height)' },
      // What the key bindings pass: the shell the line goes back to, and its session.
      { name: 'shell', type: 'enum', values: SHELLS, help: 'the shell whose key binding runs it', hidden: true },
      { name: 'session', type: 'string', value: 'ID', help: "the binding shell's session", hidden: true },
    ],
  },
  stats: {
    name: 'stats',
    about: 'where your time goes: top, failing and slowest commands, busy hours',
    flags: [
      { name: 'since', type: 'string', value: '24h|7d|30d|YYYY-MM-DD', suggest: ['24h', '7d', '30d'], help: 'only the commands since then (default: all)', overview: 'line' },
      HOST,
      { name: 'dir', type: 'string', value: 'D', complete: 'files', help: 'only the commands run in D or below' },
      SOURCE,
      { name: 'format', short: 'f', type: 'enum', values: STATS_FORMATS, help: 'print as a table (default) or JSON' },
    ],
  },
  'remote add': {
    name: 'remote add',
    about: 'add a team remote (a shared folder or an S3 prefix) to config.toml',
    operand: { type: 'text', value: 'NAME', required: true },
    flags: [
      { name: 'type', type: 'enum', values: REMOTE_TYPES, required: true, help: 'a folder (file) or S3' },
      { name: 'uri', type: 'string', value: 'URI', required: true, help: 'where it is: a folder, or s3://bucket/prefix' },
      { name: 'endpoint', type: 'string', value: 'URL', help: 'an S3-compatible server other than AWS' },
      { name: 'region', type: 'string', value: 'R', help: "the S3 bucket's region" },
      { name: 'read-only', type: 'boolean', help: 'only pull from it, never push' },
      { name: 'no-auto-attach', type: 'boolean', help: 'attached only when named: bird sql --attach NAME' },
    ],
  },
  'remote list': { name: 'remote list', about: 'the remotes in config.toml', flags: [FORMAT] },
  'remote remove': { name: 'remote remove', about: 'forget a remote (its data stays where it is)', operand: REMOTE_NAME, flags: [] },
  'remote test': {
    name: 'remote test',
    about: 'check that a remote is reachable, accepts the credentials, can be written, and its index reads',
    operand: REMOTE_NAME,
    flags: [],
  },
  'remote repair': {
    name: 'remote repair',
    about: "rewrite the lake's index of this machine's series from what is there, and claim them",
    operand: REMOTE_NAME,
    flags: [{ name: 'client', type: 'string', value: 'ID', help: "only this client's series (default: each this store writes)" }],
  },
  hook: { name: 'hook', about: 'print the shell hook, for: eval "$(bird hook zsh)"', operand: SHELL_OPERAND, flags: [] },
  setup: {
    name: 'setup',
    about: 'print the line for your startup file that loads the hook in every new shell (default: the shell you are in)',
    operand: { ...SHELL_OPERAND, required: false },
    flags: [{ name: 'append', type: 'boolean', help: 'add it there', overview: 'line' }],
  },
  completion: { name: 'completion', about: 'print Tab completion for bird (the hook already loads it)', operand: SHELL_OPERAND, flags: [] },
  compact: COMPACT_SPEC,
  push: PUSH_SPEC,
  pull: PULL_SPEC,
  import: {
    name: 'import',
    about: "bring an existing history in, once (default: $SHELL's)",
    operand: { type: 'enum', values: IMPORT_FORMATS, label: 'the history format' },
    flags: [
      { name: 'file', type: 'string', value: 'PATH', complete: 'files', help: 'the history file (default: where that shell keeps it)', overview: 'synopsis' },
      { name: 'dry-run', type: 'boolean', help: 'count what would be imported, import nothing', overview: 'synopsis' },
    ],
  },
  run: {
    name: 'run',
    about: 'run a command and store it with what it printed (cron, CI, scripts); exits with its status',
    operand: { type: 'text', value: 'CMD [ARG…]', label: 'the command', required: true, many: true },
    flags: [],
  },
  output: {
    name: 'output',
    about: 'print what a command printed, byte for byte (default: the newest, of this shell when hooked)',
    operand: { type: 'text', value: 'ID|-N' },
    remark: '(-N: the Nth newest command with output)',
    flags: [
      { name: 'stream', type: 'enum', values: OUTPUT_STREAMS, help: 'only this stream, to stdout (default: stdout to stdout, stderr to stderr)', overview: 'synopsis' },
      { name: 'raw', type: 'boolean', help: 'the exact bytes on a terminal too (default there: colours kept, other control sequences shown as escapes)', overview: 'synopsis' },
      { ...ATTACH, help: 'an ID not stored here is looked for in the auto-attach remotes read live, and in this one (repeatable; all: every one)', overview: 'line' },
    ],
  },
  events: {
    name: 'events',
    about: "what commands' output said (errors, warnings, test results) as file:line:col lines, newest first",
    operand: { type: 'text', value: 'ID|-N' },
    remark: '(N: that many of the newest commands with stored output; neither: every command)',
    flags: [
      { name: 'severity', type: 'enum', values: SEVERITIES, help: 'only diagnostics of this severity', overview: 'synopsis' },
      { name: 'since', type: 'string', value: '24h|7d|YYYY-MM-DD', suggest: ['24h', '7d', '30d'], help: 'only the commands run since then', overview: 'synopsis' },
      { name: 'file', type: 'string', value: 'PATH', complete: 'files', help: 'only the events about this file', overview: 'synopsis' },
      { name: 'reparse', type: 'boolean', help: "parse the commands' stored output again first, replacing their events", overview: 'line' },
    ],
  },
  forget: {
    name: 'forget',
    about: 'remove your commands from everything stored here, and from your series in the lakes, for good',
    operand: { type: 'text', value: 'ID', many: true, orFlag: 'match' },
    flags: [
      { name: 'match', type: 'string', value: 'PATTERN', help: 'the commands whose whole text, as stored, matches PATTERN (* and ?)', overview: 'synopsis' },
      { name: 'since', type: 'string', value: '24h|7d|YYYY-MM-DD', suggest: ['24h', '7d', '30d'], help: 'only the commands run since then' },
      { name: 'before', type: 'string', value: '24h|7d|YYYY-MM-DD', suggest: ['7d', '30d'], help: 'only the commands run before then; alone, every command of yours run before then' },
      { name: 'dry-run', type: 'boolean', help: 'list what would be forgotten, forget nothing', overview: 'synopsis' },
      { name: 'json', type: 'boolean', help: 'say what was done as JSON' },
    ],
  },
  redact: {
    name: 'redact',
    about: "apply today's secret rules and [capture] ignore patterns to your stored commands, here and in your series in the lakes",
    flags: [
      { name: 'dry-run', type: 'boolean', help: 'list what would change (redacted), change nothing', overview: 'synopsis' },
      { name: 'json', type: 'boolean', help: 'say what was done as JSON' },
    ],
  },
  doctor: {
    name: 'doctor',
    about: "what a bug report needs: hooked or not, store, client id, spool, index, each remote's health",
    flags: [{ name: 'json', type: 'boolean', help: 'the same facts as JSON', overview: 'synopsis' }],
  },
  help: { name: 'help', about: "this text, or one command's usage", operand: { type: 'text', value: 'COMMAND', many: true, complete: 'commands' }, flags: [] },
} as const satisfies Record<string, CommandSpec>;

export type SpecName = keyof typeof COMMAND_SPECS;
/** `add`, `list`, …: the words after `bird remote`. */
export type RemoteSubcommand = SubcommandOf<SpecName>;
type SubcommandOf<N> = N extends `remote ${infer Sub}` ? Sub : never;

/** `bird remote`'s subcommands: `add`, `list`, …. */
export const REMOTE_SUBCOMMANDS = Object.keys(COMMAND_SPECS)
  .filter((name) => name.startsWith('remote '))
  .map((name) => name.slice('remote '.length));

/** The words that follow `bird`, in order: each command once, `remote` for its subcommands. */
export const TOP_COMMANDS = [...new Set(Object.keys(COMMAND_SPECS).map((name) => name.split(' ')[0]!))];

/** What `bird remote` alone does, for Tab. */
export const REMOTE_ABOUT = `other machines' stores: ${REMOTE_SUBCOMMANDS.join(', ')}`;

/** A command's declaration by name (`history`, `remote add`); undefined for anything else, `toString` included. */
export function specOf(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMAND_SPECS, name) ? COMMAND_SPECS[name as SpecName] : undefined;
}
