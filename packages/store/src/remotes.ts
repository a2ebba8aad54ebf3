/**
 * Live, read-only access to remotes, made per connection and never persisted: each
 * auto-attach remote, and each asked for by name (`bird sql --attach NAME`), becomes an
 * in-memory database `remote_<name>` whose views read the remote's Parquet lake (`<root>/<table>/client=<id>/date=<d>/<batch>.parquet`).
 *
 * S3 remotes: DuckDB's httpfs cannot be loaded on these machines, so DuckDB never reads S3
 * itself. On connect, the remote's prefix is listed with @aws-sdk/client-s3 and the batches
 * not yet copied are downloaded into a local mirror, `db/mirror/<name>/` (remote/mirror.ts;
 * each lands by rename, so no glob sees half a file); the mirror is then attached exactly
 * like a file remote. Batches are immutable, so a connect costs one listing plus the new
 * batches, and a repeated connect downloads nothing; within LISTING_MAX_AGE_MS of the last
 * listing it lists nothing either. An unreachable endpoint, missing
 * bucket or refused credentials leave an auto-attach remote unattached with one warning (the
 * S3 client gives up within seconds), and fail the connect of one asked for by name; `main.*`
 * never depends on either.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQL_TYPES, TABLES, parquetRead, TABLE_NAMES, makeDirs, quoteIdent, quoteLiteral, typedEmptySelect, typedSelectList, writeFileAtomicWith, type BirdLayout, type RemoteConfig, type TableName } from '@bird/core';
import { unionView } from './catalog-ddl.ts';
import { GLOB_CHARS, lakePlaceholderPath, remoteSchema } from './layout.ts';
import { createRemoteBackend, fileRemoteRoot, lakeTableFiles, lakeTableGlob, lakeTableIsPlain, parseS3Uri, s3Location } from '@bird/remote';
import { mirrorDir, mirrorIsFresh, syncMirror } from './remote/mirror.ts';
import { looksLikeParquet } from './placeholders.ts';
import { databaseCopy, isDatabaseRemote } from './remote/database-copy.ts';
import { RemoteAttachError } from './errors.ts';

export { fileRemoteRoot };

export interface AttachedRemote {
  readonly name: string;
  readonly schema: string;
  readonly root: string;
  /** Files skipped because DuckDB could not read them (per connection; the remote is never modified). */
  readonly excluded: Set<string>;
}


/** Every batch of one table of a lake (lake-layout's walk, re-exported for the store's callers). */
export const lakeFiles = lakeTableFiles;

/** The SELECT behind `remote_<name>.<table>`: the local placeholder first (it fixes the schema), then the lake. */
export function remoteTableSelect(layout: BirdLayout, remote: AttachedRemote, table: TableName): string {
  let files: string[];
  if (remote.excluded.size === 0 && lakeTableIsPlain(remote.root, table)) {
    files = lakeFiles(remote.root, table, 1).length > 0 ? [lakeTableGlob(remote.root, table)] : [];
  } else {
    files = lakeFiles(remote.root, table).filter((f) => !remote.excluded.has(f));
  }
  // Batches need not hold `date`: it is the partition folder (LAKE.md), and engines such as
  // pyarrow refuse a file column that repeats a partition. The lake-shaped placeholder comes
  // first and fixes the schema; a batch that also holds `date` (older lakes) reads the same.
  return filesSelect(lakePlaceholderPath(layout, table), files, table, remote.name);
}

/**
 * The SELECT over files in hive partitions `…/date=<day>/` (a lake's batches, a project's files),
 * typed like our table and tagged `_source`, `placeholder` first (a zero-row file of bird's own,
 * laid out like the files, that fixes the schema); typed and empty when there are no files.
 */
export function filesSelect(placeholder: string, files: readonly string[], table: TableName, sourceName: string): string {
  const def = TABLES[table];
  const source = `${quoteLiteral(sourceName)} AS "_source"`;
  if (files.length === 0) return `SELECT *, ${source} FROM (${typedEmptySelect(def)})`;
  const list = [placeholder, ...files].map(quoteLiteral).join(', ');
  return `SELECT ${typedSelectList(def)}, ${source} FROM ${parquetRead(def, `[${list}], hive_partitioning = true, hive_types = {'date': DATE}`)}`;
}

/** Writes the lake-shaped placeholders that remote views list first, once per root. */
export async function ensureLakePlaceholders(connection: DuckDBConnection, layout: BirdLayout): Promise<void> {
  for (const table of TABLE_NAMES) {
    const dest = lakePlaceholderPath(layout, table);
    if (looksLikeParquet(dest)) continue; // missing, cut short or overwritten: written (again)
    makeDirs(dirname(dest));
    const columns = TABLES[table].columns.filter((c) => c.name !== 'date');
    const select = `SELECT ${columns.map((c) => `CAST(NULL AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE false`;
    await writeFileAtomicWith(dest, (tmp) => connection.run(`COPY (${select}) TO ${quoteLiteral(tmp)} (FORMAT parquet)`).then(() => {}), { tmpDir: layout.tmp, mode: 0o600 });
  }
}

export async function createRemoteViews(connection: DuckDBConnection, layout: BirdLayout, remote: AttachedRemote): Promise<void> {
  await ensureLakePlaceholders(connection, layout);
  for (const table of TABLE_NAMES) {
    await connection.run(`CREATE OR REPLACE VIEW ${quoteIdent(remote.schema)}.${quoteIdent(table)} AS ${remoteTableSelect(layout, remote, table)}`);
  }
}

/** Attaches one remote, or returns why it was not attached (the caller decides whether that fails the connection). */
export async function attachRemote(connection: DuckDBConnection, layout: BirdLayout, config: RemoteConfig): Promise<AttachedRemote | RemoteAttachError> {
  let schema: string;
  try {
    schema = remoteSchema(config.name);
  } catch (error) {
    return new RemoteAttachError(config.name, (error as Error).message);
  }
  if (isDatabaseRemote(config, layout)) return attachDatabaseRemote(connection, layout, config, schema);
  let root: string;
  if (config.type === 's3') {
    const mirrored = await mirrorS3Remote(layout, config);
    if (!mirrored.ok) return new RemoteAttachError(config.name, mirrored.why);
    root = mirrored.dir;
  } else {
    try {
      // A relative folder in config.toml is relative to the root, not to wherever bird runs.
      root = fileRemoteRoot(config.uri, layout.root);
    } catch (error) {
      return new RemoteAttachError(config.name, (error as Error).message);
    }
  }
  if (GLOB_CHARS.test(root)) return new RemoteAttachError(config.name, `its path ${root} contains glob characters (* ? [ ] { }); move it to a plain path.`);
  try {
    if (!statSync(root).isDirectory()) return new RemoteAttachError(config.name, `${root} is not a folder.`);
    readdirSync(root);
  } catch (error) {
    return new RemoteAttachError(config.name, `${root} is not reachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  const remote: AttachedRemote = { name: config.name, schema, root, excluded: new Set() };
  try {
    await connection.run(`ATTACH ':memory:' AS ${quoteIdent(schema)} (READ_WRITE)`);
    await createRemoteViews(connection, layout, remote);
  } catch (error) {
    // never attached, or half: the attach error is the one to report
    await connection.run(`DETACH DATABASE IF EXISTS ${quoteIdent(schema)}`).catch(() => undefined);
    return new RemoteAttachError(config.name, (error as Error).message.split('\n')[0]!);
  }
  return remote;
}

/**
 * Where each of our tables is in an attached database `db`: the first schema that has it,
 * `main` first (the seed's databases keep them in `main`, BIRD's own in `local`).
 */
export async function databaseTables(connection: DuckDBConnection, db: string, onlySchema?: string): Promise<Map<TableName, string>> {
  const only = onlySchema === undefined ? '' : ` AND schema_name = ${quoteLiteral(onlySchema)}`;
  const found = await connection.runAndReadAll(`SELECT table_name, schema_name FROM duckdb_tables() WHERE database_name = ${quoteLiteral(db)}${only} ORDER BY schema_name <> 'main', schema_name`);
  const where = new Map<TableName, string>();
  for (const [table, inSchema] of found.getRows() as [string, string][]) {
    if ((TABLE_NAMES as readonly string[]).includes(table) && !where.has(table as TableName)) where.set(table as TableName, inSchema);
  }
  return where;
}

/** The columns of `db`.`schema`.`table` (an attached database: a BIRD older than ours may lack some). */
export async function databaseColumns(connection: DuckDBConnection, db: string, schema: string, table: TableName): Promise<Set<string>> {
  const found = await connection.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE database_name = ${quoteLiteral(db)} AND schema_name = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(table)}`);
  return new Set(found.getRows().map((r) => String(r[0])));
}

/**
 * Views in `schema` over our tables in the attached database `db` (in `onlySchema` when given),
 * typed like ours and tagged `_source`; a table it lacks is empty. Base tables only: a view in
 * someone else's file could read anything this user can.
 */
export async function createDatabaseViews(connection: DuckDBConnection, db: string, schema: string, sourceName: string, onlySchema?: string): Promise<void> {
  const where = await databaseTables(connection, db, onlySchema);
  for (const table of TABLE_NAMES) {
    await connection.run(`CREATE OR REPLACE VIEW ${quoteIdent(schema)}.${quoteIdent(table)} AS ${await databaseTableSelect(connection, db, where.get(table), table, sourceName)}`);
  }
}

/**
 * The SELECT over `table` in the attached database `db`, in schema `at` (none: the database
 * lacks it, and the SELECT is empty), typed like ours and tagged `_source`.
 */
export async function databaseTableSelect(connection: DuckDBConnection, db: string, at: string | undefined, table: TableName, sourceName: string): Promise<string> {
  const def = TABLES[table];
  const select =
    at === undefined ? `SELECT * FROM (${typedEmptySelect(def)})` : `SELECT ${typedSelectList(def, '', await databaseColumns(connection, db, at, table))} FROM ${quoteIdent(db)}.${quoteIdent(at)}.${quoteIdent(table)}`;
  return `SELECT *, ${quoteLiteral(sourceName)} AS "_source" FROM (${select})`;
}

/**
 * A remote whose uri is a DuckDB file (the seed's form): attached READ_ONLY under a name of its
 * own (an S3 one from its local copy), and `remote_<name>` made of views over its tables, typed
 * like ours and tagged with `_source`; a table it lacks is empty.
 */
async function attachDatabaseRemote(connection: DuckDBConnection, layout: BirdLayout, config: RemoteConfig, schema: string): Promise<AttachedRemote | RemoteAttachError> {
  let path: string;
  try {
    path = (await databaseCopy(layout, config)).path;
  } catch (error) {
    return new RemoteAttachError(config.name, (error as Error).message.split('\n')[0]!);
  }
  const db = `${schema}__database`;
  try {
    await connection.run(`ATTACH ${quoteLiteral(path)} AS ${quoteIdent(db)} (READ_ONLY)`);
    await connection.run(`ATTACH ':memory:' AS ${quoteIdent(schema)} (READ_WRITE)`);
    await createDatabaseViews(connection, db, schema, config.name);
  } catch (error) {
    // never attached, or half: the attach error is the one to report
    await connection.run(`DETACH DATABASE IF EXISTS ${quoteIdent(schema)}`).catch(() => undefined);
    // the same for the database file attached above
    await connection.run(`DETACH DATABASE IF EXISTS ${quoteIdent(db)}`).catch(() => undefined);
    return new RemoteAttachError(config.name, `${config.uri} could not be read as a DuckDB database (${(error as Error).message.split('\n')[0]}).`);
  }
  return { name: config.name, schema, root: path, excluded: new Set() };
}

/**
 * Brings the local mirror of an S3 remote up to date, unless it was listed within
 * LISTING_MAX_AGE_MS (then neither the remote nor the SDK is touched); on failure, the one
 * sentence that says what to check.
 */
async function mirrorS3Remote(layout: BirdLayout, config: RemoteConfig): Promise<{ ok: true; dir: string } | { ok: false; why: string }> {
  const dir = mirrorDir(layout, config.name);
  const source = s3Identity(config);
  if (source !== undefined && (await mirrorIsFresh(dir, source))) return { ok: true, dir };
  let backend;
  try {
    backend = await createRemoteBackend(config);
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
  try {
    await syncMirror(backend, dir);
    return { ok: true, dir };
  } catch (error) {
    return { ok: false, why: (error as Error).message.split('\n')[0]! };
  } finally {
    backend.close();
  }
}

/** The location an S3 remote's backend will report (the mirror's source); undefined when its uri does not parse (the backend then says why). */
function s3Identity(config: RemoteConfig): string | undefined {
  try {
    return s3Location({ ...parseS3Uri(config.uri), endpoint: config.endpoint });
  } catch {
    // a uri that does not parse: never fresh, so the backend is made and says what is wrong
    return undefined;
  }
}

/**
 * TEMPORARY macros, made on each connection: `remotes_<table>()` unions `remote_placeholder`
 * with every attached remote; `cwd_invocations()` keeps rows run in `cwd` or below it,
 * compared with `starts_with` so `%` and `_` in a path are plain characters.
 */
export function ephemeralMacroDdl(attached: readonly AttachedRemote[], cwd: string): string[] {
  const out = TABLE_NAMES.map((table) => {
    const branches = ['remote_placeholder', ...attached.map((r) => r.schema)].map((s) => ({ from: `${quoteIdent(s)}.${quoteIdent(table)}` }));
    return `CREATE OR REPLACE TEMPORARY MACRO ${quoteIdent(`remotes_${table}`)}() AS TABLE ${unionView(table, branches)}`;
  });
  const dir = cwd.length > 1 ? cwd.replace(/\/+$/, '') : cwd;
  const below = dir === '/' ? '/' : `${dir}/`;
  out.push(
    `CREATE OR REPLACE TEMPORARY MACRO cwd_invocations() AS TABLE SELECT * FROM main.invocations WHERE cwd = ${quoteLiteral(dir)} OR starts_with(cwd, ${quoteLiteral(below)})`,
  );
  return out;
}
