import { BirdError } from './errors.ts';

const REMOTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/**
 * Remote names become parts of SQL identifiers (`cached_<name>`, `remote_<name>`), so only
 * simple names are allowed: a letter, then up to 62 letters, digits, `_` or `-`.
 */
export function validateRemoteName(name: string): string {
  if (!REMOTE_NAME.test(name)) {
    throw new BirdError(
      `remote name ${JSON.stringify(name)} is not allowed: use a letter followed by up to 62 letters, digits, "_" or "-" (for example "team" or "my-team").`,
      { exitCode: 2 },
    );
  }
  return name;
}

/** `my-team` → `my_team`: the part of a schema name that stands for the remote. */
export function remoteSchemaSuffix(name: string): string {
  return validateRemoteName(name).replaceAll('-', '_').toLowerCase();
}

export const cachedSchemaName = (remote: string) => `cached_${remoteSchemaSuffix(remote)}`;
export const remoteSchemaName = (remote: string) => `remote_${remoteSchemaSuffix(remote)}`;
