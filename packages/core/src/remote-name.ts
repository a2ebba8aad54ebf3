import { BirdError } from './errors.ts';

const REMOTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/** The read layer's own schemas `cached_placeholder` and `remote_placeholder` always exist. */
export const RESERVED_REMOTE_NAMES = ['placeholder'] as const;

/**
 * Remote names become parts of SQL identifiers (`cached_<name>`, `remote_<name>`), so only
 * simple names are allowed: a letter, then up to 62 letters, digits, `_` or `-`; and not a
 * name whose schemas BIRD keeps for itself (RESERVED_REMOTE_NAMES, any case).
 */
export function validateRemoteName(name: string): string {
  validateRemoteNameSyntax(name);
  const lower = name.toLowerCase();
  if ((RESERVED_REMOTE_NAMES as readonly string[]).includes(lower)) {
    throw new BirdError(
      `remote name ${JSON.stringify(name)} is reserved by BIRD (its schemas cached_${lower} and remote_${lower} always exist); choose another name.`,
      { exitCode: 2 },
    );
  }
  return name;
}

/**
 * The shape rule alone. For reading a config.toml that already holds a reserved name (added
 * before `bird remote add` refused it): loading it must not fail, or capture would stop; the
 * store skips that remote with a warning, and `bird remote remove` can drop it.
 */
export function validateRemoteNameSyntax(name: string): string {
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
  return validateRemoteNameSyntax(name).replaceAll('-', '_').toLowerCase();
}

export const cachedSchemaName = (remote: string) => `cached_${remoteSchemaSuffix(remote)}`;
export const remoteSchemaName = (remote: string) => `remote_${remoteSchemaSuffix(remote)}`;
