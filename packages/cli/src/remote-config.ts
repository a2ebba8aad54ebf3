// Pure edits of the remotes list in config.toml; the command does the reading and writing.
import { isAbsolute } from 'node:path';
import { BirdError, remoteSchemaSuffix, usageError, validateRemoteName, type BirdConfig, type RemoteConfig, type RemoteType } from '@bird/core';

export interface RemoteSpec {
  readonly name: string;
  readonly type: RemoteType;
  readonly uri: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly readOnly: boolean;
  readonly autoAttach: boolean;
}

/** S3 bucket names: 3–63 lower-case letters, digits, `.` and `-`, starting and ending alphanumeric. */
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Checks a remote's location for its type; returns it without a trailing `/`. */
export function validateRemoteUri(type: RemoteType, uri: string): string {
  if (uri === '') throw usageError('--uri is empty: give a folder (file) or s3://bucket/prefix (s3).');
  if (CONTROL.test(uri)) throw usageError('--uri cannot contain control characters such as newlines.');
  if (type === 'file') {
    if (uri.startsWith('file://')) throw usageError(`a file remote's --uri is a plain absolute path, not a file:// URL: use ${JSON.stringify(uri.slice('file://'.length) || '/')}.`);
    if (!isAbsolute(uri)) throw usageError(`a file remote's --uri must be an absolute path (starting with /), not ${JSON.stringify(uri)}.`);
    return uri.length > 1 ? uri.replace(/\/+$/, '') || '/' : uri;
  }
  const m = S3_URI.exec(uri);
  if (!m || m[1]!.includes('..')) {
    throw usageError(`an s3 remote's --uri must look like s3://bucket or s3://bucket/prefix (bucket: 3-63 lower-case letters, digits, "." or "-"), not ${JSON.stringify(uri)}.`);
  }
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix.split('/').slice(1).some((part) => part === '' || part === '.' || part === '..')) {
    throw usageError(`the prefix in ${JSON.stringify(uri)} has an empty, "." or ".." part; write it as s3://bucket/a/b.`);
  }
  return `s3://${m[1]}${prefix}`;
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
    uri: validateRemoteUri(spec.type, spec.uri),
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
