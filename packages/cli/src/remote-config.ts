// Pure edits of the remotes list in config.toml; the command does the reading and writing.
import { RemoteUriError, parseRemoteUri } from '@bird/remote';
import { BirdError, remoteSchemaSuffix, usageError, validateRemoteName, type BirdConfig, type RemoteConfig, type RemoteType } from '@bird/core';

export interface RemoteSpec {
  readonly name: string;
  readonly type: RemoteType;
  readonly uri: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly readOnly: boolean;
  readonly autoAttach: boolean;
  /** What a relative --uri is relative to (the user's working folder). */
  readonly cwd?: string;
}

/**
 * Checks a remote's location for its type (remote-uri, the parser config.toml is read with
 * too) and returns the form to store: an absolute folder, or `s3://bucket/prefix`.
 */
export function validateRemoteUri(type: RemoteType, uri: string, cwd = process.cwd()): string {
  try {
    return parseRemoteUri(type, uri, { cwd }).canonical;
  } catch (error) {
    if (error instanceof RemoteUriError) throw usageError(`--uri: ${error.message}`);
    throw error;
  }
}

function validateEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw usageError(`--endpoint must be a URL such as http://127.0.0.1:9000, not ${JSON.stringify(endpoint)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`--endpoint must be an http:// or https:// URL, not ${JSON.stringify(endpoint)}.`);
  }
  return endpoint;
}

function validateRegion(region: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(region)) throw usageError(`--region must be a region name such as us-east-1, not ${JSON.stringify(region)}.`);
  return region;
}

/**
 * The config with one more remote. Refuses bad names and names that clash with an existing
 * one, a broken entry's too (`brokenNames`: entries config.toml has but left out), since the
 * file would then hold two entries of that name.
 */
export function addRemote(config: BirdConfig, spec: RemoteSpec, brokenNames: readonly string[] = []): BirdConfig {
  const name = validateRemoteName(spec.name);
  const suffix = remoteSchemaSuffix(name);
  const existing = config.remotes.find((r) => remoteSchemaSuffix(r.name) === suffix);
  // A name that is taken is a command line to change, like any other bad argument (exit 2).
  if (existing?.name === name) {
    throw usageError(`a remote named "${name}" already exists; remove it first with \`bird remote remove ${name}\`, or pick another name.`);
  }
  if (existing) {
    throw usageError(
      `the name "${name}" clashes with the remote "${existing.name}" (names that differ only in case or "-"/"_" share the schema cached_${suffix}); pick another name.`,
    );
  }
  const broken = brokenNames.find((other) => other.replaceAll('-', '_').toLowerCase() === suffix);
  if (broken !== undefined) {
    throw usageError(
      `config.toml already has a [[remotes]] entry named ${JSON.stringify(broken)}, left out because it is broken; fix it, or drop it with \`bird remote remove ${broken}\`, or pick another name.`,
    );
  }
  if (spec.type !== 's3' && (spec.endpoint !== undefined || spec.region !== undefined)) {
    throw usageError('--endpoint and --region are only for --type s3.');
  }
  const remote: RemoteConfig = {
    name,
    type: spec.type,
    uri: validateRemoteUri(spec.type, spec.uri, spec.cwd),
    mode: spec.readOnly ? 'read_only' : 'read_write',
    auto_attach: spec.autoAttach,
  };
  if (spec.endpoint !== undefined) remote.endpoint = validateEndpoint(spec.endpoint);
  if (spec.region !== undefined) remote.region = validateRegion(spec.region);
  return { ...config, remotes: [...config.remotes, remote] };
}

/** The error for `bird remote remove NAME` when no entry of config.toml (`names`) is called exactly that. */
export function noSuchRemote(names: readonly string[], name: string): BirdError {
  const similar = names.find((other) => other.toLowerCase() === name.toLowerCase());
  const hint = similar ? ` (did you mean "${similar}"?)` : '; `bird remote list` shows the configured ones';
  return new BirdError(`there is no remote named ${JSON.stringify(name)}${hint}.`);
}

/** What `bird remote add` found at a file remote's location. */
export interface FolderFacts {
  readonly kind: 'folder' | 'file' | 'missing' | 'other';
  /** The user may read (and, for a folder, list) it. */
  readonly readable: boolean;
  /** The user may create files in it (a folder) or write it (a file). */
  readonly writable: boolean;
  /** The folder it would be made in exists (meaningful when missing). */
  readonly parentExists: boolean;
}

/** `use`: add it as it is; `create`: make the lake's folder after adding; `refuse`: the sentence why not. */
export type TargetPlan = { readonly action: 'use' } | { readonly action: 'create' } | { readonly action: 'refuse'; readonly reason: string };

/**
 * Whether a file remote's location is fit to add, from what is there: a remote that cannot work
 * is refused now, rather than added and warned about by every later query. A new read-write
 * lake's folder is made, but only inside a folder that exists: a missing parent may be a share
 * not mounted right now, and a lake made on the local disk in its place would hide that.
 * `database`: the uri names a `.duckdb` file, which bird only reads.
 */
export function planFileTarget(remote: Pick<RemoteConfig, 'uri' | 'mode'>, database: boolean, facts: FolderFacts): TargetPlan {
  const refuse = (reason: string): TargetPlan => ({ action: 'refuse', reason });
  const path = remote.uri;
  const quoted = shellQuote(path);
  if (database) {
    if (facts.kind === 'missing') return refuse(`${path} does not exist; check the path (is its share mounted?) and add the remote again.`);
    if (facts.kind !== 'file') return refuse(`${path} is not a file; a .duckdb remote names a DuckDB database file.`);
    if (!facts.readable) return refuse(`${path} cannot be read by you; fix its permissions (chmod u+r ${quoted}) and add the remote again.`);
    return { action: 'use' };
  }
  if (facts.kind === 'missing') {
    if (remote.mode === 'read_write' && facts.parentExists) return { action: 'create' };
    const what = remote.mode === 'read_only' ? 'and a read-only remote is only read from, so its folder must be there' : 'nor does the folder it would go in (a share not mounted?)';
    return refuse(`${path} does not exist, ${what}; create it with \`mkdir -p ${quoted}\` (or mount its share), then add the remote again.`);
  }
  if (facts.kind !== 'folder') return refuse(`${path} is not a folder; a file remote's uri is the folder of its lake (or a .duckdb file).`);
  if (!facts.readable) return refuse(`${path} cannot be read by you; fix its permissions (chmod u+rx ${quoted}) and add the remote again.`);
  if (remote.mode === 'read_write' && !facts.writable) {
    return refuse(`${path} is not writable by you, and push writes there; fix its permissions (chmod u+w ${quoted}), or add it with --read-only to only pull from it.`);
  }
  return { action: 'use' };
}

/** A path as one shell word, for a command the user may paste. */
function shellQuote(path: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
