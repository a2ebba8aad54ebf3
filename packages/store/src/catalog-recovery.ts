/**
 * A bird.duckdb DuckDB cannot open (random bytes, cut short, a bad checksum). In parquet mode
 * it is derived data, schemas and views over the Parquet folders: it is moved aside into
 * `db/quarantine/` (kept, never deleted) and built again, with one warning. In duckdb mode it
 * holds the rows themselves: it is never moved, and the error says what to do.
 */
import { existsSync, renameSync } from 'node:fs';
import { BirdError, loadConfig, quarantineFile, type BirdLayout } from '@bird/core';

export const defaultWarn = (message: string) => process.stderr.write(`bird: warning: ${message}\n`);

/**
 * After `error` (a `damaged-catalog` one, core's classifyDuckDBError) from opening the catalog: in parquet mode (as
 * config.toml says) moves bird.duckdb and its WAL into the quarantine folder and warns, so the
 * caller can create it again; in duckdb mode throws the sentence that says what to do.
 */
export function setAsideDamagedCatalog(layout: BirdLayout, error: unknown, warn: (message: string) => void = defaultWarn): void {
  if (loadConfig(layout).storage.mode !== 'parquet') {
    throw new BirdError(
      `the BIRD database ${layout.catalog} is damaged (DuckDB cannot read it), and in duckdb mode it holds your data: restore it from a backup, or move it away and run \`bird init --mode duckdb\` to start empty.`,
      { cause: error },
    );
  }
  let dest: string;
  try {
    dest = quarantineFile(layout, layout.catalog);
  } catch (renameError) {
    // Another bird moved it first; it rebuilds the catalog as this one will.
    if ((renameError as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw renameError;
  }
  // A WAL left next to it belongs to the damaged file; replayed into a new one it would fail.
  if (existsSync(`${layout.catalog}.wal`)) renameSync(`${layout.catalog}.wal`, `${dest}.wal`);
  warn(`the catalog ${layout.catalog} is not a valid DuckDB database; it holds only schemas and views in parquet mode, so bird moved it to ${dest} and rebuilt it.`);
}
