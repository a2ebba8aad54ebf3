/**
 * The persisted catalog, as SQL derived from core's table definitions. Everything here is
 * a plain schema, table or view over local files: nothing refers to an attached database
 * or a temporary macro, so the catalog opens whatever remotes exist today.
 */
import { join } from 'node:path';
import {
  TABLES,
  TABLE_NAMES,
  columnDefinitions,
  parquetRead,
  quoteIdent,
  quoteLiteral,
  typedSelectList,
  type BirdLayout,
  type StorageMode,
  type TableDef,
  type TableName,
} from '@bird/core';
import { META_SCHEMA, cachedRemoteDir, cachedSchema, localTableDir } from './layout.ts';

/**
 * Version of the catalog layout this code writes. Bump it together with whatever step
 * `repairCatalog` in init-store.ts (run by `initStore` and `runMigration`) needs to bring an
 * older catalog up to it. Version 4 records the root the views were made for (meta `root`); version 5
 * adds events' kind, test_name, status and duration_ms (columns, and views that read files without them).
 */
export const SCHEMA_VERSION = 5;

/**
 * A table folder laid out `<dir>/date=YYYY-MM-DD/<file>.parquet` (local and cached alike).
 * The partition gives `date` (so a one-day filter skips other folders); the placeholder file
 * in `date=1970-01-01` keeps the glob matching and fixes the schema.
 */
export function readTableFolder(dir: string, table: TableDef): string {
  return parquetRead(table, `${quoteLiteral(join(dir, '*', '*.parquet'))}, hive_partitioning = true, hive_types = {'date': DATE}`);
}

const ident = quoteIdent;
const rel = (schema: string, table: TableName) => `${ident(schema)}.${ident(table)}`;

export function metaDdl(): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${ident(META_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${ident(META_SCHEMA)}.catalog (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  ];
}

export function setMeta(key: string, value: string): string {
  return `INSERT OR REPLACE INTO ${ident(META_SCHEMA)}.catalog VALUES (${quoteLiteral(key)}, ${quoteLiteral(value)})`;
}

/** `local`: views over the Parquet folders (parquet mode) or the tables rows are inserted into (duckdb mode). */
export function localDdl(layout: BirdLayout, mode: StorageMode): string[] {
  const out = ['CREATE SCHEMA IF NOT EXISTS local'];
  for (const name of TABLE_NAMES) {
    const table = TABLES[name];
    out.push(
      mode === 'parquet'
        ? `CREATE OR REPLACE VIEW ${rel('local', name)} AS SELECT ${typedSelectList(table)} FROM ${readTableFolder(localTableDir(layout, name), table)}`
        : `CREATE TABLE IF NOT EXISTS ${rel('local', name)} (${columnDefinitions(table)})`,
    );
  }
  return out;
}

/** Typed, empty tables that every union starts from, so unions bind with no cache and no remote. */
export function placeholderDdl(): string[] {
  const out: string[] = [];
  for (const schema of ['cached_placeholder', 'remote_placeholder']) {
    out.push(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    for (const name of TABLE_NAMES) {
      out.push(`CREATE TABLE IF NOT EXISTS ${rel(schema, name)} (${columnDefinitions(TABLES[name])}, "_source" VARCHAR)`);
    }
  }
  return out;
}

/**
 * `cached_<name>`: what a pull from `<name>` brought, each row tagged with the remote's name.
 * Parquet mode: views over `db/data/cached/<name>/` (laid out like `local`, compacted like it).
 * DuckDB mode: tables in bird.duckdb, as `local` is there; `_source` is a column whose default
 * is the remote's name, so a pull inserts the table's columns and nothing else.
 */
export function cachedDdl(layout: BirdLayout, remote: string, mode: StorageMode): string[] {
  const schema = cachedSchema(remote);
  const out = [`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`];
  for (const name of TABLE_NAMES) {
    out.push(
      mode === 'parquet'
        ? `CREATE OR REPLACE VIEW ${rel(schema, name)} AS SELECT ${typedSelectList(TABLES[name])}, ${quoteLiteral(remote)} AS "_source" FROM ${readTableFolder(join(cachedRemoteDir(layout, remote), name), TABLES[name])}`
        : `CREATE TABLE IF NOT EXISTS ${rel(schema, name)} (${columnDefinitions(TABLES[name])}, "_source" VARCHAR NOT NULL DEFAULT ${quoteLiteral(remote)})`,
    );
  }
  return out;
}

/** One part of a union view: a relation, plus extra select items (e.g. `_source`). */
export interface UnionBranch {
  readonly from: string;
  readonly extra?: string;
}

/**
 * The outer SELECT restores the table's column order; inside, every branch puts the hive
 * partition column `date` first. A bare `count(*)` over a union still makes each branch
 * produce one column, and DuckDB picks the first: `date` comes from the folder name, so the
 * count reads no column chunk at all (with `id` first it read every id: 13x slower at 1M rows).
 * A single branch needs neither the union nor the reordering: each layer costs bind time.
 */
export function unionView(table: TableName, branches: readonly UnionBranch[]): string {
  if (branches.length === 1) return `SELECT *${branches[0]!.extra ?? ''} FROM ${branches[0]!.from}`;
  const columns = [...TABLES[table].columns.map((c) => ident(c.name)), '"_source"'].join(', ');
  const parts = branches.map((b) => `SELECT "date", * EXCLUDE ("date")${b.extra ?? ''} FROM ${b.from}`);
  return `SELECT ${columns} FROM (${parts.join(' UNION ALL BY NAME ')})`;
}

/** `caches` (every `cached_*`) and `main` (`local` + every `cached_*`); unions by name, so a later column cannot misalign them. */
export function unionDdl(cachedSchemas: readonly string[]): string[] {
  const out = ['CREATE SCHEMA IF NOT EXISTS caches'];
  for (const name of TABLE_NAMES) {
    const branches = ['cached_placeholder', ...cachedSchemas].map((s) => ({ from: rel(s, name) }));
    out.push(`CREATE OR REPLACE VIEW ${rel('caches', name)} AS ${unionView(name, branches)}`);
  }
  // `main` is `local` + `caches`, but it unions the cached schemas directly rather than
  // through the `caches` view: with no remote pulled yet it is `local` alone, which spares
  // every query the bind of an empty placeholder branch (measured: ~1 ms of a 3 ms count).
  for (const name of TABLE_NAMES) {
    const branches = [
      { from: rel('local', name), extra: `, 'local' AS "_source"` },
      ...cachedSchemas.map((s) => ({ from: rel(s, name) })),
    ];
    out.push(`CREATE OR REPLACE VIEW ${rel('main', name)} AS ${unionView(name, branches)}`);
  }
  return out;
}
