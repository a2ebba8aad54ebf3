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

/** The config with one more remote. Refuses bad names and names that clash with an existing one. */
export function addRemote(config: BirdConfig, spec: RemoteSpec): BirdConfig {
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

/** The config without the remote called `name` (exactly). */
export function removeRemote(config: BirdConfig, name: string): BirdConfig {
  if (!config.remotes.some((r) => r.name === name)) {
    const similar = config.remotes.find((r) => r.name.toLowerCase() === name.toLowerCase());
    const hint = similar ? ` (did you mean "${similar.name}"?)` : '; `bird remote list` shows the configured ones';
    throw new BirdError(`there is no remote named ${JSON.stringify(name)}${hint}.`);
  }
  return { ...config, remotes: config.remotes.filter((r) => r.name !== name) };
}
