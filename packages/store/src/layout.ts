/**
 * Where the read layer's files live under a BIRD root, and the names it gives things.
 * Data folders hold one typed, zero-row placeholder per table in a `date=-infinity`
 * partition, so every `read_parquet` glob always matches a file (a glob that matches
 * nothing is an error, even at CREATE VIEW) and the placeholder, sorting first ('-' sorts
 * before every digit), is the file DuckDB takes the schema from: a file that deviates from it
 * is named in the error. `-infinity` is a DATE no row can have, so the placeholder shares its
 * folder with no rows (stores made before kept it in `date=1970-01-01`, which rows from a
 * machine without a real-time clock share; it stays there, harmless, and is left out of
 * compaction by its name).
 */
import { join } from 'node:path';
import { BirdError, GLOB_CHARS, TABLE_NAMES, cachedSchemaName, remoteSchemaName, validateRemoteName, type BirdLayout, type TableName } from '@bird/core';

export const PLACEHOLDER_PARTITION = 'date=-infinity';
export const PLACEHOLDER_FILE = '_bird_placeholder.parquet';
/** Where stores made before kept their placeholders (harmless there, but a day rows can have). */
export const LEGACY_PLACEHOLDER_PARTITION = 'date=1970-01-01';
/** The lake-shaped placeholders' partition: outside every data folder, so it shares nothing, and it is a day other engines can read. */
const LAKE_SHAPE_PARTITION = 'date=1970-01-01';
export const META_SCHEMA = 'bird_meta';

export { TABLE_NAMES };

/** True for the zero-row placeholder files that compaction and push should leave alone. */
export function isPlaceholderFile(path: string): boolean {
  return path.endsWith(`/${PLACEHOLDER_FILE}`) || path === PLACEHOLDER_FILE;
}

export function localTableDir(layout: BirdLayout, table: TableName): string {
  return join(layout.localData, table);
}

/** `db/data/cached/<name>`: where a pull from remote `<name>` writes, laid out like `local`. */
export function cachedRemoteDir(layout: BirdLayout, remote: string): string {
  return join(layout.cachedData, checkRemoteName(remote));
}

/** `db/data/cached/<name>/<table>/date=YYYY-MM-DD/`: the folder pulled rows of that day go to. */
export function cachedPartitionDir(layout: BirdLayout, remote: string, table: TableName, date: string): string {
  // A date comes from a lake written by others: never a path of its own.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`${JSON.stringify(date)} is not a day written YYYY-MM-DD`);
  return join(cachedRemoteDir(layout, remote), table, `date=${date}`);
}

/**
 * A zero-row batch shaped like the lake's (`<table>/client=_/date=1970-01-01/`, the table's
 * columns but `date`, which a lake keeps in the folder name), listed first when a lake is read
 * so that DuckDB takes the schema from it. Kept in `layout.lakeShape`, outside every data folder and glob.
 */
export function lakePlaceholderPath(layout: BirdLayout, table: TableName): string {
  return join(layout.lakeShape, table, 'client=_', LAKE_SHAPE_PARTITION, PLACEHOLDER_FILE);
}

export function placeholderPath(tableDir: string): string {
  return join(tableDir, PLACEHOLDER_PARTITION, PLACEHOLDER_FILE);
}

/** Folder where unreadable Parquet files found in the data folders are moved, keeping their relative path. */
export function quarantineDir(layout: BirdLayout): string {
  return layout.quarantine;
}

/** core's validateRemoteName: the shape rule plus the names the read layer keeps for itself. */
export const checkRemoteName = (name: string): string => validateRemoteName(name);

export const cachedSchema = (remote: string) => cachedSchemaName(checkRemoteName(remote));
export const remoteSchema = (remote: string) => remoteSchemaName(checkRemoteName(remote));

export { GLOB_CHARS };

/** Views read `<root>/…/*.parquet` globs, so the root itself must be a plain path. */
export function assertPlainRoot(layout: BirdLayout): void {
  if (GLOB_CHARS.test(layout.root)) {
    throw new BirdError(`BIRD_ROOT ${layout.root} contains glob characters (* ? [ ] { }), which would make queries read the wrong files; point BIRD_ROOT at a plain path.`, { exitCode: 2 });
  }
}
