/**
 * The single writer of the catalog: `initStore` (create or repair), `runMigration`
 * (upgrade an older catalog in place) and `registerCachedRemote`. Each takes bird.duckdb
 * read-write only for the few statements it runs.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  TABLES,
  TABLE_NAMES,
  BirdError,
  STORAGE_MODES,
  SQL_TYPES,
  classifyDuckDBError,
  ensureRoot,
  loadConfig,
  quoteIdent,
  quoteLiteral,
  editConfigFile,
  planStorageMode,
  type BirdLayout,
  type StorageMode,
} from '@bird/core';
import type { InitResult } from './api.ts';
import { SCHEMA_VERSION, cachedDdl, localDdl, metaDdl, placeholderDdl, setMeta, unionDdl } from './catalog-ddl.ts';
import { openCatalog, type LockOptions, type OpenCatalog } from './catalog-lock.ts';
import { setAsideDamagedCatalog } from './catalog-recovery.ts';
import { StoreModeError } from './errors.ts';
import { META_SCHEMA, PLACEHOLDER_FILE, assertPlainRoot, cachedSchema, checkRemoteName } from './layout.ts';
import { cachedPlaceholderTargets, ensurePlaceholderFiles, localPlaceholderTargets } from './placeholders.ts';
import { catalogKnownToHold, noteCatalogHolds } from './registered-remotes.ts';

export interface CatalogState {
  /** 0: no catalog objects at all (a new file). */
  readonly version: number;
  readonly mode: StorageMode | null;
  /** Remote name of every `cached_*` schema, by schema name. */
  readonly cachedRemotes: ReadonlyMap<string, string>;
  /** The root (real path) the views were made for; null in catalogs older than the record. */
  readonly root: string | null;
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** Reads the catalog's version, mode and cached remotes; understands catalogs older than `bird_meta`. */
export async function readCatalogState(connection: DuckDBConnection): Promise<CatalogState> {
  const hasMeta = (await rows(connection, `SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ${quoteLiteral(META_SCHEMA)} AND table_name = 'catalog'`)).length > 0;
  const cachedRemotes = new Map<string, string>();
  if (hasMeta) {
    const meta = new Map((await rows(connection, `SELECT key, value FROM ${quoteIdent(META_SCHEMA)}.catalog`)).map((r) => [String(r.key), String(r.value)]));
    for (const [key, value] of meta) if (key.startsWith('cached_remote:')) cachedRemotes.set(key.slice('cached_remote:'.length), value);
    const mode = meta.get('mode');
    return {
      version: Number(meta.get('schema_version') ?? 1),
      mode: STORAGE_MODES.includes(mode as StorageMode) ? (mode as StorageMode) : null,
      cachedRemotes,
      root: meta.get('root') ?? null,
    };
  }
  // Version 1 (the foundation's `bird init`) kept no metadata: tell the mode from what `local.invocations` is.
  const local = await rows(connection, `SELECT 'table' AS kind FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'local' AND table_name = 'invocations'
    UNION ALL SELECT 'view' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'local' AND view_name = 'invocations'`);
  if (local.length === 0) return { version: 0, mode: null, cachedRemotes, root: null };
  return { version: 1, mode: local[0]!.kind === 'table' ? 'duckdb' : 'parquet', cachedRemotes, root: null };
}

/** The root as the catalog records it: its real path, so a symlink to it is not a move. */
export function realRoot(layout: BirdLayout): string {
  try {
    return realpathSync(layout.root);
  } catch {
    // a root that cannot be resolved: recorded as given; the next run compares the same way
    return layout.root;
  }
}

/**
 * What a repair would change in a catalog, in words for `bird init`; empty when it is current.
 * Parquet-mode views hold the absolute paths of the folders they read: a store copied or moved
 * elsewhere would go on reading the old place, so a catalog made for another root is remade.
 */
export function catalogChanges(state: CatalogState, layout: BirdLayout): string[] {
  if (state.version === 0) return [];
  const changes: string[] = [];
  if (state.version < SCHEMA_VERSION) changes.push(`upgraded its catalog from version ${state.version} to ${SCHEMA_VERSION}`);
  if (catalogMoved(state, layout)) changes.push(`remade its views, made for ${state.root}, to read the files in ${realRoot(layout)}`);
  return changes;
}

/** True when the catalog's views were made for another root (the store was copied or moved). */
export function catalogMoved(state: CatalogState, layout: BirdLayout): boolean {
  return state.root !== null && state.root !== realRoot(layout);
}

/** Brings every catalog object to the current version; never drops a table or deletes a row. */
async function repairCatalog(connection: DuckDBConnection, layout: BirdLayout, mode: StorageMode, state: CatalogState): Promise<void> {
  const statements = [...metaDdl(), ...localDdl(layout, mode), ...placeholderDdl()];
  for (const [, remote] of state.cachedRemotes) statements.push(...cachedDdl(layout, remote, mode));
  if (mode === 'duckdb') {
    // Columns added to core since a table was made (e.g. events.ref_column in version 2).
    const schemas = ['local', ...state.cachedRemotes.keys()];
    for (const schema of schemas) {
      for (const name of TABLE_NAMES) {
        const have = new Set((await rows(connection, `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(name)}`)).map((r) => String(r.column_name)));
        if (have.size === 0) continue;
        for (const column of TABLES[name].columns) {
          if (!have.has(column.name)) statements.push(`ALTER TABLE ${quoteIdent(schema)}.${quoteIdent(name)} ADD COLUMN ${quoteIdent(column.name)} ${SQL_TYPES[column.kind]}`);
        }
      }
    }
  }
  statements.push(...unionDdl([...state.cachedRemotes.keys()]));
  statements.push(setMeta('schema_version', String(SCHEMA_VERSION)), setMeta('mode', mode), setMeta('root', realRoot(layout)));
  for (const [schema, remote] of state.cachedRemotes) statements.push(setMeta(`cached_remote:${schema}`, remote));
  await inTransaction(connection, statements);
}

async function inTransaction(connection: DuckDBConnection, statements: readonly string[]): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const sql of statements) await connection.run(sql);
    await connection.run('COMMIT');
  } catch (error) {
    // a failed statement may have ended the transaction already; the statement's error is the one to report
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await connection.run('CHECKPOINT');
}

export interface InitOptions extends LockOptions {
  /** Where a warning goes (a damaged catalog set aside); default: `bird: warning: …` on stderr. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Opens bird.duckdb read-write; a damaged one is set aside to be made again in parquet mode.
 * `mode`: the mode the caller will make it in, refused before anything moves when config.toml
 * says another (the new catalog can only follow the config).
 */
async function openWriter(layout: BirdLayout, options: InitOptions, mode?: StorageMode): Promise<OpenCatalog> {
  try {
    return await openCatalog(layout.catalog, 'read_write', options);
  } catch (error) {
    if (classifyDuckDBError(error).kind !== 'damaged-catalog') throw error;
    const configured = loadConfig(layout).storage.mode;
    if (configured === 'parquet' && mode !== undefined && mode !== configured) throw new StoreModeError(layout.root, configured);
    setAsideDamagedCatalog(layout, error, options.onWarning);
    return openCatalog(layout.catalog, 'read_write', options);
  }
}

/** Runs `work` with bird.duckdb open read-write, closing it right after. */
async function withWriter<T>(layout: BirdLayout, options: InitOptions, work: (c: DuckDBConnection) => Promise<T>, mode?: StorageMode): Promise<T> {
  const catalog = await openWriter(layout, options, mode);
  try {
    const connection = await catalog.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    catalog.release();
  }
}

function hasLocalParquetData(layout: BirdLayout): boolean {
  for (const table of TABLE_NAMES) {
    const dir = join(layout.localData, table);
    if (!existsSync(dir)) continue;
    for (const part of readdirSync(dir)) {
      const files = existsSync(join(dir, part)) ? readdirSync(join(dir, part)).filter((f) => f.endsWith('.parquet') && f !== PLACEHOLDER_FILE) : [];
      if (files.length > 0) return true;
    }
  }
  return false;
}

/** `db/data/cached/<name>/` folders (what pulls wrote) as the catalog records them: remote name by schema. */
function pulledRemotes(layout: BirdLayout): Map<string, string> {
  const out = new Map<string, string>();
  const dir = layout.cachedData;
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      out.set(cachedSchema(entry.name), entry.name);
    } catch {
      // not a folder a pull made (its name is no remote name)
    }
  }
  return out;
}

/**
 * Creates the root and `db/bird.duckdb`, or checks and repairs an existing one (idempotent;
 * never destroys data). `mode` defaults to the config's; asking for another mode than the
 * existing store's is a StoreModeError.
 *
 * @example await initStore(birdLayout(resolveBirdRoot()), 'parquet')
 */
export async function initStore(layout: BirdLayout, mode?: StorageMode, options: InitOptions = {}): Promise<InitResult> {
  assertPlainRoot(layout);
  const hadConfig = existsSync(layout.config);
  const config = ensureRoot(layout, mode ?? 'parquet');
  const requested = mode ?? config.storage.mode;
  const hadCatalog = existsSync(layout.catalog);
  if (!hadCatalog && hadConfig && config.storage.mode !== requested) {
    // A root made by the first capture (default mode) but never initialised: switching is safe while it holds no data.
    if (config.storage.mode === 'parquet' && !hasLocalParquetData(layout)) await editConfigFile(layout, ({ text, doc }) => planStorageMode(text, doc, requested));
    else throw new StoreModeError(layout.root, config.storage.mode);
  }
  if (requested === 'parquet') await ensurePlaceholderFiles(layout, localPlaceholderTargets(layout));

  return withWriter(layout, options, async (connection) => {
    let state = await readCatalogState(connection);
    if (state.mode && state.mode !== requested) throw new StoreModeError(layout.root, state.mode);
    // A new catalog next to data pulled before (the old one was damaged or removed) gets its cached_<name> schemas back.
    if (state.version === 0) state = { ...state, cachedRemotes: pulledRemotes(layout) };
    if (requested === 'parquet') for (const [, remote] of state.cachedRemotes) await ensurePlaceholderFiles(layout, cachedPlaceholderTargets(layout, remote));
    const changes = catalogChanges(state, layout);
    await repairCatalog(connection, layout, requested, state);
    return { mode: requested, created: state.version === 0, changes };
  }, requested);
}

export interface MigrationResult {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly migrated: boolean;
}

/** Upgrades an older catalog, or one made for another root, in place (views rebuilt, missing columns added; rows kept). */
export async function runMigration(layout: BirdLayout, options: InitOptions = {}): Promise<MigrationResult> {
  if (!existsSync(layout.catalog)) throw new BirdError(`there is no BIRD catalog at ${layout.catalog}; run \`bird init\` first.`);
  return withWriter(layout, options, async (connection) => {
    const state = await readCatalogState(connection);
    if (catalogChanges(state, layout).length === 0) return { fromVersion: state.version, toVersion: state.version, migrated: false };
    const mode = state.mode ?? loadConfig(layout).storage.mode;
    if (mode === 'parquet') await ensurePlaceholderFiles(layout, localPlaceholderTargets(layout));
    await repairCatalog(connection, layout, mode, state);
    return { fromVersion: state.version, toVersion: SCHEMA_VERSION, migrated: true };
  });
}

/**
 * Makes `cached_<name>` (views over `db/data/cached/<name>/`, or tables in duckdb mode) and
 * rebuilds `caches` and `main` to include it. Idempotent.
 */
export async function registerCachedRemote(layout: BirdLayout, remote: string, options: InitOptions = {}): Promise<void> {
  checkRemoteName(remote);
  if (catalogKnownToHold(layout, remote)) {
    // Still the catalog that held it: only the cache's placeholders (files, checked for PAR1) may be missing.
    if (loadConfig(layout).storage.mode === 'parquet') await ensurePlaceholderFiles(layout, cachedPlaceholderTargets(layout, remote));
    return;
  }
  if (!existsSync(layout.catalog)) await initStore(layout, undefined, options);
  const held = await withWriter(layout, options, async (connection) => {
    const state = await readCatalogState(connection);
    const mode = state.mode ?? loadConfig(layout).storage.mode;
    // Parquet mode reads the cache through a glob that must always match a file.
    if (mode === 'parquet') await ensurePlaceholderFiles(layout, cachedPlaceholderTargets(layout, remote));
    const schema = cachedSchema(remote);
    const existing = state.cachedRemotes.get(schema);
    if (existing !== undefined && existing !== remote) {
      throw new BirdError(`remote ${JSON.stringify(remote)} would share the schema ${schema} with remote ${JSON.stringify(existing)}; choose another name.`, { exitCode: 2 });
    }
    const cached = new Map(state.cachedRemotes).set(schema, remote);
    await repairCatalog(connection, layout, mode, { ...state, cachedRemotes: cached });
    return cached.values();
  });
  noteCatalogHolds(layout, held);
}

