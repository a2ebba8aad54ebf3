// The command lines of `compact`, `push`, `pull` and bird-sync alone, declared once (see
// core's command-spec.ts): bird-sync and bird parse them, print their usage, and `bird help`
// and Tab completion read them. Imports nothing but core's types, so `bird --help` stays light.
import { usageLine, type CommandSpec } from '@bird/core';

const REMOTE = {
  name: 'remote',
  type: 'string',
  value: 'NAME',
  complete: 'remotes',
  help: 'only this remote (default: [sync] default_remote, else every auto-attach remote)',
  overview: 'synopsis',
} as const;
const SINCE = { name: 'since', type: 'string', value: '7d|30d|YYYY-MM-DD', suggest: ['7d', '30d'], help: 'only the days since then (UTC)', overview: 'synopsis' } as const;
const JSON_SUMMARY = { name: 'json', type: 'boolean', help: 'print what was done as one JSON line' } as const;

export const COMPACT_SPEC = {
  name: 'compact',
  about: 'merge small Parquet files (what bird-sync does from cron)',
  flags: [
    { name: 'dry-run', type: 'boolean', help: 'say what would be merged, merge nothing', overview: 'synopsis' },
    { ...JSON_SUMMARY, overview: 'synopsis' },
    { name: 'verbose', type: 'boolean', help: 'say each step on stderr' },
    // Given by the capture's drainer when it starts a compaction by itself: no progress bar.
    { name: 'auto', type: 'boolean', help: 'started by bird itself', hidden: true },
  ],
} as const satisfies CommandSpec;

export const INDEX_SPEC = {
  name: 'index',
  about: 'rebuild the history index that bird history and Ctrl-R read (bird starts this itself when it is missing)',
  flags: [],
} as const satisfies CommandSpec;

export const PUSH_SPEC = {
  name: 'push',
  about: "send this machine's new rows to a remote's lake",
  flags: [REMOTE, SINCE, { name: 'dry-run', type: 'boolean', help: 'say what would be pushed, push nothing', overview: 'synopsis' }, JSON_SUMMARY],
} as const satisfies CommandSpec;

export const PULL_SPEC = {
  name: 'pull',
  about: "copy other machines' rows into cached_<remote>",
  flags: [
    REMOTE,
    SINCE,
    { name: 'client', type: 'string', value: 'ID', help: "only this client's series", overview: 'synopsis' },
    { name: 'project', type: 'boolean', help: "the lake the project store here names (its .bird/config.toml), for project.*", overview: 'synopsis' },
    JSON_SUMMARY,
  ],
} as const satisfies CommandSpec;

/** `bird-sync` with no command: what cron runs. */
export const SYNC_SPEC = {
  name: '',
  about: 'compact, then push to and pull from each remote',
  flags: [REMOTE, JSON_SUMMARY],
} as const satisfies CommandSpec;

/** `usage: bird-sync …` and a line per command. */
export function birdSyncUsage(): string {
  const lines = [SYNC_SPEC, COMPACT_SPEC, PUSH_SPEC, PULL_SPEC, INDEX_SPEC].map((spec) => usageLine('bird-sync', spec));
  return `usage: ${[...lines, 'bird-sync --version'].join('\n       ')}\n`;
}
