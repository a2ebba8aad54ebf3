// Usage lines and help text. Kept apart from the commands so that `--help` loads nothing heavy.

export const USAGE = {
  init: 'bird init [--mode parquet|duckdb] [--client-id ID]',
  sql: 'bird sql ["QUERY" | --file FILE] [--attach NAME|all] [--format table|csv|json]  (no query: read from standard input)',
  history: 'bird history [TEXT] [-n N] [--reverse] [--host H] [--source S] [--format table|csv|json]',
  search: 'bird search [QUERY] [--mode fuzzy|prefix|fulltext] [--filter everywhere|host|session|directory|workspace] [-n N] [--format plain|json] [-0] [--height N]',
  stats: 'bird stats [--since 24h|7d|30d|YYYY-MM-DD] [--host H] [--dir D] [--source S] [--format table|json]',
  remote: 'bird remote add|list|remove|test|repair …',
  'remote add': 'bird remote add NAME --type file|s3 --uri URI [--endpoint URL] [--region R] [--read-only] [--no-auto-attach]',
  'remote list': 'bird remote list [--format table|csv|json]',
  'remote remove': 'bird remote remove NAME',
  'remote test': 'bird remote test NAME',
  'remote repair': 'bird remote repair NAME [--client ID]',
  hook: 'bird hook zsh|bash|fish',
  setup: 'bird setup [zsh|bash|fish] [--append]',
  completion: 'bird completion zsh|bash|fish',
  compact: 'bird compact [--dry-run] [--json] [--verbose]',
  push: 'bird push [--remote NAME] [--since 7d|30d|YYYY-MM-DD] [--dry-run] [--json]',
  pull: 'bird pull [--remote NAME] [--since 7d|30d|YYYY-MM-DD] [--client ID] [--json]',
  import: 'bird import [zsh|bash|fish|atuin] [--file PATH] [--dry-run]',
  forget: 'bird forget ID… | --match PATTERN [--since 24h|7d|YYYY-MM-DD] [--before 24h|7d|YYYY-MM-DD] [--dry-run] [--json]',
  doctor: 'bird doctor [--json]',
  help: 'bird help [COMMAND]',
} as const;

export type UsageTopic = keyof typeof USAGE;

/** A command (or `remote add` etc.) with a usage line; not an inherited name like `toString`. */
export function isUsageTopic(name: string): name is UsageTopic {
  return Object.hasOwn(USAGE, name);
}

export const HELP = `bird: every shell command you run, captured into a DuckDB/Parquet store you query with SQL.

usage: bird COMMAND [ARGS]

Commands:
  init [--mode parquet|duckdb]     create the store (idempotent; never destroys data)
                                   --client-id ID: this machine's id in shared data, written into config.toml
  sql "QUERY" [--format F]         run SQL over the store; F is table (default), csv or json
                                   --attach NAME: also a remote added with --no-auto-attach (repeatable; all: every one)
  history [TEXT] [-n N] [-r]       the N most recent commands (containing TEXT), newest first (default 20; -r: oldest first)
                                   --source local: only yours; --source R, --host H: a remote's, a host's
  search [QUERY]                   find a command (Ctrl-R in a hooked shell); prints matches when piped
  stats [--since 7d|30d|DATE]      where your time goes: top, failing and slowest commands, busy hours
  remote add NAME --type file|s3 --uri URI [--endpoint URL] [--region R] [--read-only] [--no-auto-attach]
  remote list                      the remotes in config.toml
  remote remove NAME               forget a remote (its data stays where it is)
  remote test NAME                 check that a remote is reachable, accepts the credentials, can be written, and its index reads
  remote repair NAME               rewrite the lake's index of this machine's series from what is there, and claim them
  hook zsh|bash|fish               print the shell hook, for: eval "$(bird hook zsh)"
  setup [zsh|bash|fish] [--append]
                                   print the line for your startup file that loads the hook in every new shell
                                   (default: the shell you are in); --append: add it there
  completion zsh|bash|fish         print Tab completion for bird (the hook already loads it)
  compact [--dry-run] [--json]     merge small Parquet files (what bird-sync does from cron)
  push [--remote NAME] [--since 7d|30d|DATE] [--dry-run]
                                   send this machine's new rows to a remote's lake
  pull [--remote NAME] [--since …] [--client ID]
                                   copy other machines' rows into cached_<remote>
  import [zsh|bash|fish|atuin] [--file PATH] [--dry-run]
                                   bring an existing history in, once (default: $SHELL's)
  forget ID… | --match PATTERN [--since …] [--before …] [--dry-run]
                                   remove your commands from everything stored here, for good
  doctor [--json]                  what a bug report needs: hooked or not, store, client id, spool, index, each remote's health
  help [COMMAND]                   this text, or one command's usage
  --version                        print the version

Environment:
  BIRD_ROOT       where everything is kept (default \${XDG_DATA_HOME:-~/.local/share}/bird)
  BIRD_DISABLED   set to 1 to stop capturing
  BIRD_CLIENT_ID  this machine's id in shared data (default: client_id in config.toml, else $USER@hostname)

Example:
  bird sql "SELECT cmd, count(*) AS n FROM main.invocations GROUP BY cmd ORDER BY n DESC LIMIT 10"
`;
