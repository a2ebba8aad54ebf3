/**
 * A project's store (`.bird/` at a repository's root: core's project-store.ts finds it), attached
 * read-only as `project`, with the relations of `local` and `_source = 'project'`. It comes from a
 * repository someone else wrote, so nothing of it is trusted: its files are listed here, by
 * name and shape, before DuckDB reads any (no symlink, no glob character, Parquet at both ends,
 * a bounded size), and nothing is ever written into it. A file that fails is left out and named.
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { GLOB_CHARS, ROW_KEY, TABLES, TABLE_NAMES, projectCacheLayout, quoteIdent, quoteLiteral, typedEmptySelect, type BirdLayout, type ProjectStore, type StorageMode, type TableName } from '@bird/core';
import { isLakeDate } from '@bird/remote';
import { localTableDir, placeholderPath } from './layout.ts';
import { ensurePlaceholderFiles, localPlaceholderTargets } from './placeholders.ts';
import { databaseTableSelect, databaseTables, filesSelect } from './remotes.ts';
import { isInside } from './bad-files.ts';

/** The catalog name a connection attaches a project's store as. */
export const PROJECT_SCHEMA = 'project';
const PROJECT_DATABASE = 'project__database';
/** A project file larger than this is not one a CI's commands wrote; it is left out. */
const MAX_PROJECT_FILE_BYTES = 1024 ** 3;
const FILE_NAME = /^[0-9A-Za-z][0-9A-Za-z._-]*\.parquet$/;

/** A project file left out, and why. */
export interface LeftOut {
  readonly path: string;
  readonly why: string;
}

/** Why the file is not read, or null: it starts and ends with Parquet's magic and is within the bound. */
function parquetProblem(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_PROJECT_FILE_BYTES) return `is larger than ${MAX_PROJECT_FILE_BYTES / 1024 ** 3} GiB`;
    if (size < 12) return 'is not a Parquet file';
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 4, size - 4);
    return head.toString('latin1') === 'PAR1' && tail.toString('latin1') === 'PAR1' ? null : 'is not a Parquet file';
  } finally {
    closeSync(fd);
  }
}

/**
 * The files of one table of a project store that pass the checks, and those that do not: a
 * parquet-mode project's own (a duckdb-mode one's rows are in its database), with what `bird
 * pull --project` pulled of its lakes into its cache (core's projectCacheLayout:
 * `cached/<lake>/<table>/…`, laid out as a parquet-mode store's own). The cache is our folder,
 * but what is in it came from a lake: it is checked the same. Only
 * `<table>/date=<a real day>/<plain name>.parquet` regular files are read; a store's own
 * zero-row placeholders (`date=-infinity`) are not rows.
 */
export function projectTableFiles(project: Pick<AttachedProject, 'layout' | 'mode' | 'cache'>, table: TableName): { files: string[]; leftOut: LeftOut[] } {
  const files: string[] = [];
  const leftOut: LeftOut[] = [];
  const { cache } = project;
  const own = project.mode === 'parquet' ? [localTableDir(project.layout, table)] : [];
  const dirs = [...own, ...(cache ? subfolders(cache.cachedData).map((lake) => join(cache.cachedData, lake, table)) : [])];
  for (const dir of dirs) tableFiles(dir, files, leftOut);
  return { files: files.sort(), leftOut };
}

/** The folders in `dir` (none when it is not there). */
function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    // never pulled (no such folder): nothing cached to read
    return [];
  }
}

/** Adds the files of one table folder that pass the checks to `files`, the others to `leftOut`. */
function tableFiles(dir: string, files: string[], leftOut: LeftOut[]): void {
  let days;
  try {
    if (!lstatSync(dir).isDirectory()) return;
    days = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // no such table folder: no rows
  }
  for (const day of days) {
    const dayDir = join(dir, day.name);
    if (day.name === 'date=-infinity') continue;
    if (!day.isDirectory() || !day.name.startsWith('date=') || !isLakeDate(day.name.slice(5))) {
      leftOut.push({ path: dayDir, why: day.isSymbolicLink() ? 'is a symbolic link' : 'is not a day folder (date=YYYY-MM-DD)' });
      continue;
    }
    for (const file of readdirSync(dayDir, { withFileTypes: true })) {
      const path = join(dayDir, file.name);
      if (file.name === '_bird_placeholder.parquet') continue;
      if (!file.isFile()) {
        leftOut.push({ path, why: file.isSymbolicLink() ? 'is a symbolic link' : 'is not a file' });
        continue;
      }
      if (!FILE_NAME.test(file.name)) {
        // bird's own temporaries (`.…bird-partial`) are not rows yet; anything else is named
        if (!file.name.startsWith('.')) leftOut.push({ path, why: 'is not named as a store file is' });
        continue;
      }
      const problem = parquetProblem(path);
      if (problem) leftOut.push({ path, why: problem });
      else files.push(path);
    }
  }
}

/** A project store attached to a connection; `excluded` are files a query found bad (left out from then on). */
export interface AttachedProject {
  readonly root: string;
  readonly layout: BirdLayout;
  readonly mode: StorageMode;
  readonly excluded: Set<string>;
  /** Where `bird pull --project` put what it pulled of the project's lakes (read with the project's own rows). */
  readonly cache?: BirdLayout;
}

/**
 * Attaches `project` to a connection: views over the project's files (parquet mode) or its
 * database's tables, attached READ_ONLY (duckdb mode), each with what was pulled of the project's
 * lakes. Returns the warnings to show (files left
 * out, or why the project could not be attached at all); the connection goes on either way.
 */
export async function attachProject(connection: DuckDBConnection, layout: BirdLayout, found: Extract<ProjectStore, { found: true }>): Promise<{ project: AttachedProject | null; warnings: string[] }> {
  const root = found.layout.root;
  if (GLOB_CHARS.test(root)) return { project: null, warnings: [`the project store ${root} was not read: its path contains glob characters (* ? [ ] { }).`] };
  const project: AttachedProject = { root, layout: found.layout, mode: found.mode, excluded: new Set(), cache: projectCacheLayout(layout, found.layout) };
  try {
    await connection.run(`ATTACH ':memory:' AS ${quoteIdent(PROJECT_SCHEMA)} (READ_WRITE)`);
    if (project.mode === 'duckdb') {
      await connection.run(`ATTACH ${quoteLiteral(project.layout.catalog)} AS ${quoteIdent(PROJECT_DATABASE)} (READ_ONLY)`);
    }
    return { project, warnings: await createProjectViews(connection, layout, project) };
  } catch (error) {
    // Half attached, or not at all: the attach error is the one to report, not a failed detach.
    await connection.run(`DETACH DATABASE IF EXISTS ${quoteIdent(PROJECT_SCHEMA)}`).catch(() => undefined);
    // The same for the project's database file.
    await connection.run(`DETACH DATABASE IF EXISTS ${quoteIdent(PROJECT_DATABASE)}`).catch(() => undefined);
    return { project: null, warnings: [`the project store ${root} was not read (${(error as Error).message.split('\n')[0]}).`] };
  }
}

/**
 * (Re)makes the views of a project: its own rows (its files that pass the checks in parquet mode,
 * its attached database's tables in duckdb mode) and the pulled files that pass them, less
 * files a query found bad; returns a warning for each file left out by the checks.
 */
export async function createProjectViews(connection: DuckDBConnection, layout: BirdLayout, project: AttachedProject): Promise<string[]> {
  const warnings: string[] = [];
  // The project's files are laid out as this store's own (parquet mode) are: its own zero-row
  // files fix their schema (never the project's, which anyone could have written).
  await ensurePlaceholderFiles(layout, localPlaceholderTargets(layout));
  const inDatabase = project.mode === 'duckdb' ? await databaseTables(connection, PROJECT_DATABASE, 'local') : null;
  for (const table of TABLE_NAMES) {
    const { files, leftOut } = projectTableFiles(project, table);
    for (const l of leftOut) warnings.push(`the project store's file ${l.path} ${l.why}; left out.`);
    const read = files.filter((f) => !project.excluded.has(f));
    const fromFiles = filesSelect(placeholderPath(localTableDir(layout, table)), read, table, PROJECT_SCHEMA);
    const fromDatabase = inDatabase === null ? null : await databaseTableSelect(connection, PROJECT_DATABASE, inDatabase.get(table), table, PROJECT_SCHEMA);
    const select = fromDatabase === null ? fromFiles : read.length === 0 ? fromDatabase : `${fromDatabase} UNION ALL BY NAME ${fromFiles}`;
    // A run CI committed and pushed too is in both the project's own rows and its lake's: read once.
    const pulled = project.cache !== undefined && read.some((f) => isInside(project.cache!.root, f));
    const deduped = pulled ? `SELECT * FROM (${select}) QUALIFY row_number() OVER (PARTITION BY ${quoteIdent(ROW_KEY[table])}) = 1` : select;
    await connection.run(`CREATE OR REPLACE VIEW ${quoteIdent(PROJECT_SCHEMA)}.${quoteIdent(table)} AS ${deduped}`);
  }
  return warnings;
}

/**
 * TEMPORARY macros `project_<table>()`: the project's rows when one is attached, else none (typed
 * like the table, with `_source`), so a query or a saved script works inside a project and out.
 */
export function projectMacroDdl(attached: boolean): string[] {
  return TABLE_NAMES.map((table) => {
    const body = attached ? `SELECT * FROM ${quoteIdent(PROJECT_SCHEMA)}.${quoteIdent(table)}` : `SELECT *, CAST(NULL AS VARCHAR) AS "_source" FROM (${typedEmptySelect(TABLES[table])})`;
    return `CREATE OR REPLACE TEMPORARY MACRO ${quoteIdent(`project_${table}`)}() AS TABLE ${body}`;
  });
}
