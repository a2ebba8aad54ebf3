import { readFileSync } from 'node:fs';
import { parse, stringify, TomlError } from 'smol-toml';
import { writeFileAtomic } from './atomic-file.ts';
import { cachedConfig, rememberConfig } from './config-cache.ts';
import { clientIdProblem } from './client-id.ts';
import { BirdError } from './errors.ts';
import { hookSettingsOf, rememberHookSettings, type HookSettings } from './hook-settings.ts';
import type { BirdLayout } from './paths.ts';
import { remoteSchemaSuffix, validateRemoteNameSyntax } from './remote-name.ts';

export const STORAGE_MODES = ['parquet', 'duckdb'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

export const REMOTE_TYPES = ['file', 's3'] as const;
export type RemoteType = (typeof REMOTE_TYPES)[number];

export interface RemoteConfig {
  name: string;
  type: RemoteType;
  /** A directory (file) or `s3://bucket/prefix` (s3). */
  uri: string;
  endpoint?: string;
  region?: string;
  mode: 'read_write' | 'read_only';
  auto_attach: boolean;
  /**
   * Where S3 credentials come from. Only `credential_chain` (the seed's value, and the default):
   * the AWS SDK's default chain (environment, shared profile, SSO, instance role). bird never
   * writes a secret into config.toml.
   */
  credential_provider?: 'credential_chain';
  /** S3: address the bucket in the path (`endpoint/bucket/key`); default true with an endpoint, false for AWS. */
  force_path_style?: boolean;
}

/** `[sync]`: what `bird-sync` with no `--remote` syncs, and which tables travel. */
export interface SyncConfig {
  /** The remote `bird-sync`, `bird push` and `bird pull` use when none is named; unset: every auto-attach remote. */
  default_remote?: string;
  /** invocations and the sessions they ran in. */
  sync_invocations: boolean;
  sync_outputs: boolean;
  sync_events: boolean;
  /** A push merges its series' batches of each past day into one (LAKE.md, "Compaction"). */
  lake_compaction: boolean;
}

export const DEFAULT_SYNC: SyncConfig = { sync_invocations: true, sync_outputs: true, sync_events: true, lake_compaction: true };

/**
 * `[search]`: the Ctrl-R search. The hooks take `bind_keys` and `bind_up` when they are sourced,
 * as bird resolved them (see hook-settings.ts); bird reads `height`.
 */
export interface SearchConfig {
  /** false: the hooks bind no key (as BIRD_NO_BIND=1). */
  bind_keys: boolean;
  /** true: Up runs a prefix search too (as BIRD_BIND_UP=1). */
  bind_up: boolean;
  /** Lines the inline search takes, the query and status lines included. */
  height: number;
}

export const DEFAULT_SEARCH: SearchConfig = { bind_keys: true, bind_up: false, height: 14 };

/** `[project]`: what bird does with the project store (project-store.ts) of the folder it runs in. */
export interface ProjectConfig {
  /** `bird run` inside a project with a store writes the command to that store too (same id). Off by default. */
  record: boolean;
}

export const DEFAULT_PROJECT: ProjectConfig = { record: false };

/** `[retention]`: how long this machine keeps its own commands (compaction forgets older ones). */
export interface RetentionConfig {
  /** Commands older than this many days are forgotten at compaction, a whole UTC day at a time; unset: kept for good. */
  max_age_days?: number;
}

export interface BirdConfig {
  /** Overrides `$USER@host`; `BIRD_CLIENT_ID` overrides this. */
  client_id?: string;
  storage: { mode: StorageMode };
  capture: {
    /** Glob patterns (`*`, `?`) matched against the whole command, trimmed; a match is not recorded. */
    ignore: string[];
    /** `bird run` keeps at most this many bytes of each stream, its head and its tail (default OUTPUT_MAX_BYTES). */
    output_max_bytes?: number;
    /** Glob patterns, as `ignore`'s: a matching command is stored without its output (it prints secrets). */
    output_ignore: string[];
    /** Passive output capture (`[capture] output`): every command typed in a hooked terminal shell gets its output recorded. Off by default. */
    output: boolean;
  };
  remotes: RemoteConfig[];
  compaction: CompactionConfig;
  sync: SyncConfig;
  search: SearchConfig;
  retention: RetentionConfig;
  project: ProjectConfig;
  /**
   * One sentence for each `[[remotes]]` entry that was left out because it is broken (a bad
   * name, an unknown type, ...). A broken remote must not stop capture or local reads, which
   * do not need it; readers show these as warnings. `bird remote add|remove` edit the file's
   * text around such an entry (config-text.ts); saveConfig, which rewrites the whole file and
   * would drop it, refuses until it is fixed.
   */
  remoteProblems: string[];
}

/** `[compaction]`: when bird-sync compact merges a partition's small files, and into what. */
export interface CompactionConfig {
  /** Today's partition is merged once it holds this many small files (closed days: any two). */
  min_files: number;
  /** Files younger than this are left for the next run (a capture may be writing beside them). */
  min_age_seconds: number;
  /** Merged files are cut at about this size. */
  target_file_mb: number;
  /** The drainer starts a compaction in the background when a partition passes min_files. */
  auto: boolean;
  /** At most one automatic compaction this often. */
  auto_interval_minutes: number;
}

export const DEFAULT_COMPACTION: CompactionConfig = { min_files: 50, min_age_seconds: 60, target_file_mb: 64, auto: true, auto_interval_minutes: 10 };

/** What `bird run` keeps of one stream at most, by default: its first and last half MiB. */
export const OUTPUT_MAX_BYTES = 1024 * 1024;

/** Commands not worth remembering, and bird's own commands, which would only echo themselves. */
/** Commands whose output is a secret or the environment: stored, their output not. */
export const DEFAULT_OUTPUT_IGNORE = ['env', 'env *', 'printenv', 'printenv *', 'cat *.env', 'pass *', 'gpg *', 'op *', 'vault *', 'aws configure *', 'gh auth *'];
export const DEFAULT_IGNORE = ['exit', 'logout', 'bird', 'bird *', 'bird-capture *', 'bird-sync', 'bird-sync *'];

export function defaultConfig(mode: StorageMode = 'parquet'): BirdConfig {
  return { storage: { mode }, capture: { ignore: [...DEFAULT_IGNORE], output_ignore: [...DEFAULT_OUTPUT_IGNORE], output: false }, remotes: [], compaction: { ...DEFAULT_COMPACTION }, sync: { ...DEFAULT_SYNC }, search: { ...DEFAULT_SEARCH }, retention: {}, project: { ...DEFAULT_PROJECT }, remoteProblems: [] };
}

/** Reads `config.toml`; a missing file is the default config. Parsed once per change of its text (see config-cache.ts). */
export function loadConfig(layout: BirdLayout): BirdConfig {
  const bytes = readConfigBytes(layout);
  return bytes === null ? defaultConfig() : configOfBytes(layout, bytes);
}

/**
 * The settings the shell hooks take from config.toml (see hook-settings.ts), written down for
 * the next hook as well. The defaults when there is no config.toml, or one bird cannot read or
 * parse (every other bird command says what is wrong with it; a shell must start regardless).
 */
export function resolveHookSettings(layout: BirdLayout): HookSettings {
  let bytes: Buffer | null;
  try {
    bytes = readConfigBytes(layout);
  } catch {
    // unreadable: every other command says so; the shell starts with the defaults
    return hookSettingsOf(defaultConfig());
  }
  if (bytes === null) return hookSettingsOf(defaultConfig());
  let config: BirdConfig;
  try {
    config = configOfBytes(layout, bytes);
  } catch {
    // unparsable: `bird doctor` and every other command name the problem; the hook must not
    config = defaultConfig();
  }
  const settings = hookSettingsOf(config);
  rememberHookSettings(layout, bytes, settings);
  return settings;
}

/** config.toml's bytes, or null when there is none. */
function readConfigBytes(layout: BirdLayout): Buffer | null {
  try {
    return readFileSync(layout.config);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BirdError(`cannot read ${layout.config} (${(error as Error).message}); check its permissions.`, { cause: error });
  }
}

/**
 * What config.toml's `bytes` say: the cached parse when it is of the same text, else parsed,
 * and then remembered, with the hook settings it gives (the hooks compare the bytes exactly).
 */
function configOfBytes(layout: BirdLayout, bytes: Buffer): BirdConfig {
  const text = bytes.toString('utf8');
  const cached = cachedConfig(layout, layout.config, text);
  if (cached) return cached;
  const config = parseConfig(text, layout.config);
  rememberConfig(layout, layout.config, text, config);
  rememberHookSettings(layout, bytes, hookSettingsOf(config));
  return config;
}

export function parseConfig(text: string, where = 'config.toml'): BirdConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    let at = '';
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '').replace(/\.$/, '');
      at = ` at line ${error.line}, column ${error.column}${reason ? ` (${reason})` : ''}`;
    }
    throw new BirdError(`${where} is not valid TOML${at}: fix that line, or move the file away and run \`bird init\` to write a fresh one.`, { cause: error });
  }
  return validateConfig(doc, where);
}

function validateConfig(doc: Record<string, unknown>, where: string): BirdConfig {
  const bad = (what: string): never => {
    throw new BirdError(`${where}: ${what}; fix it and try again.`);
  };
  const table = (value: unknown, key: string): Record<string, unknown> => {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`[${key}] must be a table`);
    return value as Record<string, unknown>;
  };

  const storage = table(doc.storage, 'storage');
  const mode = storage.mode ?? 'parquet';
  if (!STORAGE_MODES.includes(mode as StorageMode)) bad(`storage.mode must be "parquet" or "duckdb", not ${JSON.stringify(mode)}`);

  const capture = table(doc.capture, 'capture');
  const ignore = capture.ignore ?? DEFAULT_IGNORE;
  if (!Array.isArray(ignore) || !ignore.every((p) => typeof p === 'string')) bad('capture.ignore must be a list of strings');
  const outputMax = capture.output_max_bytes;
  if (outputMax !== undefined && (typeof outputMax !== 'number' || !Number.isInteger(outputMax) || outputMax < 2)) bad(`capture.output_max_bytes must be a whole number of at least 2, not ${JSON.stringify(outputMax)}`);
  const outputIgnore = capture.output_ignore ?? DEFAULT_OUTPUT_IGNORE;
  if (!Array.isArray(outputIgnore) || !outputIgnore.every((p) => typeof p === 'string')) bad('capture.output_ignore must be a list of strings');
  const output = (capture.output ?? false) as boolean;
  if (typeof output !== 'boolean') bad(`capture.output must be true or false, not ${JSON.stringify(output)}`);

  if (doc.client_id !== undefined) {
    if (typeof doc.client_id !== 'string') bad('client_id must be a string');
    const problem = clientIdProblem(doc.client_id as string);
    if (problem) bad(`client_id ${JSON.stringify(doc.client_id)} cannot name a lake series (${problem})`);
  }

  const rawCompaction = table(doc.compaction, 'compaction');
  const compaction: CompactionConfig = { ...DEFAULT_COMPACTION };
  for (const key of ['min_files', 'min_age_seconds', 'target_file_mb', 'auto_interval_minutes'] as const) {
    const value = rawCompaction[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (key === 'min_files' ? 2 : key === 'target_file_mb' ? 1 : 0)) {
      bad(`compaction.${key} must be a whole number${key === 'min_files' ? ' of at least 2' : key === 'target_file_mb' ? ' of at least 1' : ''}, not ${JSON.stringify(value)}`);
    }
    compaction[key] = value as number;
  }
  if (rawCompaction.auto !== undefined) {
    if (typeof rawCompaction.auto !== 'boolean') bad('compaction.auto must be true or false');
    compaction.auto = rawCompaction.auto as boolean;
  }

  const rawSync = table(doc.sync, 'sync');
  const sync: SyncConfig = { ...DEFAULT_SYNC };
  for (const key of ['sync_invocations', 'sync_outputs', 'sync_events', 'lake_compaction'] as const) {
    if (rawSync[key] === undefined) continue;
    if (typeof rawSync[key] !== 'boolean') bad(`sync.${key} must be true or false`);
    sync[key] = rawSync[key] as boolean;
  }
  if (rawSync.default_remote !== undefined) {
    if (typeof rawSync.default_remote !== 'string' || rawSync.default_remote === '') bad('sync.default_remote must be the name of a remote');
    sync.default_remote = rawSync.default_remote as string;
  }

  const rawSearch = table(doc.search, 'search');
  const search: SearchConfig = { ...DEFAULT_SEARCH };
  for (const key of ['bind_keys', 'bind_up'] as const) {
    if (rawSearch[key] === undefined) continue;
    if (typeof rawSearch[key] !== 'boolean') bad(`search.${key} must be true or false`);
    search[key] = rawSearch[key] as boolean;
  }
  if (rawSearch.height !== undefined) {
    if (typeof rawSearch.height !== 'number' || !Number.isInteger(rawSearch.height) || rawSearch.height < 3) bad(`search.height must be a whole number of at least 3, not ${JSON.stringify(rawSearch.height)}`);
    search.height = rawSearch.height as number;
  }

  const rawRetention = table(doc.retention, 'retention');
  const retention: RetentionConfig = {};
  if (rawRetention.max_age_days !== undefined) {
    const days = rawRetention.max_age_days;
    if (typeof days !== 'number' || !Number.isSafeInteger(days) || days < 1) bad(`retention.max_age_days must be a whole number of days, at least 1, not ${JSON.stringify(days)} (remove the key to keep commands for good)`);
    retention.max_age_days = days as number;
  }

  const rawProject = table(doc.project, 'project');
  const project: ProjectConfig = { ...DEFAULT_PROJECT };
  if (rawProject.record !== undefined) {
    if (typeof rawProject.record !== 'boolean') bad(`project.record must be true or false, not ${JSON.stringify(rawProject.record)}`);
    project.record = rawProject.record as boolean;
  }

  const rawRemotes = doc.remotes ?? [];
  if (!Array.isArray(rawRemotes)) bad('remotes must be written as [[remotes]] tables');
  const seen = new Set<string>();
  const remotes: RemoteConfig[] = [];
  const remoteProblems: string[] = [];
  (rawRemotes as unknown[]).forEach((raw, i) => {
    try {
      const remote = validateRemote(raw, i);
      const suffix = remoteSchemaSuffix(remote.name);
      if (seen.has(suffix)) {
        throw new Error(`remote ${JSON.stringify(remote.name)} clashes with another remote of the same name (names differing only in case or "-"/"_" are the same)`);
      }
      seen.add(suffix);
      remotes.push(remote);
    } catch (error) {
      remoteProblems.push(`${where}: [[remotes]] entry #${i + 1} is ignored: ${(error as Error).message.replace(/\.$/, '')}; fix or remove it.`);
    }
  });

  const config: BirdConfig = {
    storage: { mode: mode as StorageMode },
    capture: outputMax === undefined
      ? { ignore: ignore as string[], output_ignore: [...(outputIgnore as string[])], output }
      : { ignore: ignore as string[], output_max_bytes: outputMax as number, output_ignore: [...(outputIgnore as string[])], output },
    remotes,
    compaction,
    sync,
    search,
    retention,
    project,
    remoteProblems,
  };
  if (doc.client_id !== undefined) config.client_id = doc.client_id as string;
  return config;
}

/** One `[[remotes]]` table → a remote, or an Error saying what is wrong with it. */
function validateRemote(raw: unknown, i: number): RemoteConfig {
  const bad = (what: string): never => {
    throw new Error(what);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(`remote #${i + 1} must be a table`);
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string') bad(`remote #${i + 1} needs a name`);
  const name = validateRemoteNameSyntax(r.name as string);
  if (!REMOTE_TYPES.includes(r.type as RemoteType)) bad(`remote ${name}: type must be "file" or "s3", not ${JSON.stringify(r.type)}`);
  if (typeof r.uri !== 'string' || r.uri === '') bad(`remote ${name} needs a uri`);
  const remoteMode = r.mode ?? 'read_write';
  if (remoteMode !== 'read_write' && remoteMode !== 'read_only') bad(`remote ${name}: mode must be "read_write" or "read_only"`);
  for (const key of ['endpoint', 'region'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string') bad(`remote ${name}: ${key} must be a string`);
  }
  if (r.auto_attach !== undefined && typeof r.auto_attach !== 'boolean') bad(`remote ${name}: auto_attach must be true or false`);
  if (r.force_path_style !== undefined && typeof r.force_path_style !== 'boolean') bad(`remote ${name}: force_path_style must be true or false`);
  if (r.credential_provider !== undefined && r.credential_provider !== 'credential_chain') {
    bad(`remote ${name}: credential_provider must be "credential_chain" (the AWS SDK's default chain: environment, profile, SSO, instance role), not ${JSON.stringify(r.credential_provider)}`);
  }
  const remote: RemoteConfig = {
    name,
    type: r.type as RemoteType,
    uri: r.uri as string,
    mode: remoteMode as RemoteConfig['mode'],
    auto_attach: (r.auto_attach as boolean | undefined) ?? true,
  };
  if (r.endpoint !== undefined) remote.endpoint = r.endpoint as string;
  if (r.region !== undefined) remote.region = r.region as string;
  if (r.credential_provider !== undefined) remote.credential_provider = 'credential_chain';
  if (r.force_path_style !== undefined) remote.force_path_style = r.force_path_style as boolean;
  return remote;
}

export function renderConfig(config: BirdConfig): string {
  const doc: Record<string, unknown> = {};
  if (config.client_id) doc.client_id = config.client_id;
  doc.storage = config.storage;
  // Off is the default: left out, so a saved config.toml does not grow a line nobody wrote.
  const { output, output_ignore, ...capture } = config.capture;
  doc.capture = {
    ...capture,
    ...(JSON.stringify(output_ignore) === JSON.stringify(DEFAULT_OUTPUT_IGNORE) ? {} : { output_ignore }),
    ...(output ? { output } : {}),
  };
  if (JSON.stringify(config.compaction) !== JSON.stringify(DEFAULT_COMPACTION)) doc.compaction = config.compaction;
  if (JSON.stringify(config.sync) !== JSON.stringify(DEFAULT_SYNC)) doc.sync = config.sync;
  if (JSON.stringify(config.search) !== JSON.stringify(DEFAULT_SEARCH)) doc.search = config.search;
  if (config.retention.max_age_days !== undefined) doc.retention = config.retention;
  if (JSON.stringify(config.project) !== JSON.stringify(DEFAULT_PROJECT)) doc.project = config.project;
  if (config.remotes.length > 0) doc.remotes = config.remotes;
  return `# BIRD configuration. See the README for every setting.\n${stringify(doc)}\n`;
}

/** Writes `config.toml` atomically with mode 0600; refuses while a broken remote entry would be lost. */
export function saveConfig(layout: BirdLayout, config: BirdConfig): void {
  if (config.remoteProblems.length > 0) {
    throw new BirdError(`${config.remoteProblems[0]!.replace(/; fix or remove it\.$/, '')}: fix or remove that entry first, so that rewriting ${layout.config} does not lose it.`);
  }
  const text = renderConfig(config);
  writeFileAtomic(layout.config, text, { tmpDir: layout.tmp, mode: 0o600 });
  rememberHookSettings(layout, Buffer.from(text), hookSettingsOf(config));
}
