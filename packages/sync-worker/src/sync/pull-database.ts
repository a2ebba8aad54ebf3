// `bird pull` from a database remote (its uri names a `.duckdb` file, the seed's form). It has
// no index of who wrote what, so a pull reads the database through the filters (every client but
// this machine, or --client; --since; the synced tables), and only when it changed or an earlier
// read of this version did not cover as much. The rows go through the same keyed ingest as a
// lake's, so a repeated or interrupted pull adds nothing twice.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES, duckdbTempOptions, quoteIdent, quoteLiteral, typedSelectList, type BirdConfig, type BirdLayout, type RemoteConfig, type TableName } from '@bird/core';
import { databaseColumns, databaseCopy, databaseTables, registerCachedRemote, storageModeOf, type IncomingGroup } from '@bird/store';
import { advanceDatabaseCursor, planDatabaseRead, type DatabaseRead } from './plan-sync.ts';
import { ownSeries, type PullOptions, type PullSummary } from './pull.ts';
import { SYNC_ATTEMPTS } from './push.ts';
import { readPullState, writePullState, type SyncPaths } from './sync-state.ts';
import { syncedTables } from './sync-tables.ts';

/** Runs with the remote's sync lock held (pull.ts takes it). */
export async function pullDatabase(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, paths: SyncPaths, options: PullOptions): Promise<Omit<PullSummary, 'seconds'>> {
  const self = ownSeries(paths, config, options.env ?? process.env);
  const copy = await databaseCopy(layout, remote, { attempts: SYNC_ATTEMPTS });
  const tables = [...syncedTables(config.sync)].sort();
  const wanted: DatabaseRead = { client: options.client ?? null, since: options.since ?? null, tables: tables.join(',') };
  const source = `database ${remote.uri}`;
  const state = readPullState(paths, source);
  const summary = { remote: remote.name, outcome: 'done' as const, rows: 0, objects: copy.downloaded > 0 ? 1 : 0, bytes: copy.downloaded };
  if (!planDatabaseRead(state.database, copy.etag, wanted)) return summary;

  rmSync(paths.incoming, { recursive: true, force: true });
  mkdirSync(paths.incoming, { recursive: true, mode: 0o700 });
  const groups = await exportRows(layout, copy.path, paths.incoming, tables, self, wanted);
  let rows = 0;
  if (groups.length > 0) {
    await registerCachedRemote(layout, remote.name);
    rows = await storageModeOf(layout, config).ingestFiles(remote.name, groups, { fromSeries: false, nameOf: (file) => `rows exported from database ${remote.name} (${file})`, warn: options.onWarning ?? (() => undefined) });
  }
  // After the rows are in: a crash before this reads the database again, and adds nothing twice.
  writePullState(paths, { ...state, database: advanceDatabaseCursor(state.database, copy.etag, wanted) });
  rmSync(paths.incoming, { recursive: true, force: true });
  return { ...summary, rows };
}

/**
 * Copies the wanted rows out of the database into `incoming/<table>/date=<d>/*.parquet`, the
 * shape the ingest reads. Rows of this machine stay out (they are `local` here) unless --client
 * asks for them; outputs and events follow the invocations they belong to.
 */
async function exportRows(layout: BirdLayout, path: string, incoming: string, tables: readonly TableName[], self: ReadonlySet<string>, wanted: DatabaseRead): Promise<IncomingGroup[]> {
  const instance = await DuckDBInstance.create(':memory:', duckdbTempOptions(layout));
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH ${quoteLiteral(path)} AS source (READ_ONLY)`);
    const where = await databaseTables(connection, 'source');
    const rel = (table: TableName) => `source.${quoteIdent(where.get(table)!)}.${quoteIdent(table)}`;
    // IS DISTINCT FROM, not <> or NOT IN: a row with a NULL client_id is another machine's, not a reason to drop it.
    const ofClient = wanted.client === null ? [...self].map((c) => `client_id IS DISTINCT FROM ${quoteLiteral(c)}`).join(' AND ') : `client_id = ${quoteLiteral(wanted.client)}`;
    const groups: IncomingGroup[] = [];
    for (const table of tables) {
      if (!where.has(table)) continue;
      const filters: string[] = [];
      if (TABLES[table].columns.some((c) => c.name === 'client_id')) filters.push(ofClient);
      else if (where.has('invocations')) filters.push(`invocation_id IN (SELECT id FROM ${rel('invocations')} WHERE ${ofClient})`);
      if (wanted.since !== null) filters.push(`"date" >= DATE ${quoteLiteral(wanted.since)}`);
      const dir = join(incoming, table);
      const select = `SELECT ${typedSelectList(TABLES[table], '', await databaseColumns(connection, 'source', where.get(table)!, table))} FROM ${rel(table)}${filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : ''}`;
      const copied = await connection.runAndReadAll(`COPY (${select}) TO ${quoteLiteral(dir)} (FORMAT parquet, PARTITION_BY ("date"))`);
      if (Number(copied.getRows()[0]?.[0] ?? 0) === 0 || !existsSync(dir)) continue;
      for (const part of readdirSync(dir)) {
        const date = /^date=(\d{4}-\d{2}-\d{2})$/.exec(part)?.[1];
        if (date === undefined) continue;
        groups.push({ table, date, files: readdirSync(join(dir, part)).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, part, f)) });
      }
    }
    return groups;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
