// A team's lake at scale, made in seconds: the series of many clients written straight into a
// file lake in the layout and schema bird's push writes (keys from lakeKey, columns and types from
// core's table definitions, `date` only in the folder name), with an index (`_bird/`) a bird pull
// can follow. Rows are a pure function of the client's number, so every run builds the same lake.
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral, SQL_TYPES, TABLES, type ColumnDef, type TableName } from '@bird/core';
import { headDoc, lakeFormatDoc, LAKE_FORMAT_KEY, headKey, lakeKey, segmentKey, segmentDoc, type SegmentBatch } from '../../packages/remote/src/index.ts';

/** The days every generated series covers (UTC). */
export const TEAM_DAYS = ['2024-06-01', '2024-06-02'] as const;

export interface TeamLake {
  /** Commands per client, as written. */
  readonly invocations: Map<string, number>;
  /** Sessions per client (one per client and day it has commands on). */
  readonly sessions: Map<string, number>;
  readonly batches: number;
}

// Row number `i` of series number `k` (3 to 13 commands each, over TEAM_DAYS); the session is the day's, so each day's batch holds one.
const DAY = `(i % ${TEAM_DAYS.length})`;
const START = `TIMESTAMPTZ '${TEAM_DAYS[0]} 08:00:00+00' + to_microseconds(${DAY} * 86400000000 + i * 60000000)`;
const SPECIAL: Record<string, string> = {
  id: `printf('%08x-0000-7000-8000-%012x', k, i)`,
  session_id: `printf('s-%d-%d', k, ${DAY})`,
  invocation_id: `printf('%08x-0000-7000-8000-%012x', k, i)`,
  client_id: 'client',
  timestamp: START,
  registered_at: START,
};

const hex32 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** A value for one column of row `i` of series `k`: the key columns as above, others plain, nullable ones sometimes null. */
function valueOf(column: ColumnDef): string {
  const plain =
    SPECIAL[column.name] ??
    { text: `'${column.name}-' || i`, int32: 'i', int64: 'i * 1000', timestamptz: START, date: 'NULL' }[column.kind];
  return column.nullable && !(column.name in SPECIAL) ? `CASE WHEN i % 5 = 4 THEN NULL ELSE ${plain} END` : plain;
}

function rowsSql(table: TableName, clients: readonly string[]): string {
  const columns = TABLES[table].columns.filter((c) => c.name !== 'date');
  const list = columns.map((c) => `CAST(${valueOf(c)} AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`).join(', ');
  const names = `[${clients.map(quoteLiteral).join(', ')}]`;
  const perClient = `SELECT k, ${names}[k + 1] AS client, i FROM range(${clients.length}) c(k), LATERAL range(3 + (k % 11)) r(i)`;
  const day = `(DATE '${TEAM_DAYS[0]}' + ${DAY}::INTEGER)`;
  // Sessions: one row per client and day, the day's first command's.
  const source = table === 'sessions' ? `(${perClient}) WHERE i < ${TEAM_DAYS.length}` : `(${perClient})`;
  return `SELECT k, ${day} AS "date", ${list} FROM ${source} ORDER BY k, "date", ${quoteIdent(table === 'sessions' ? 'registered_at' : 'timestamp')}`;
}

/**
 * Writes the series of `clients` (numbered by position) into the file lake at `root`: tables
 * invocations and sessions, one batch per client, table and day, and for each client one log
 * segment listing its batches and a head naming it.
 */
export async function writeTeamLake(root: string, clients: readonly string[]): Promise<TeamLake> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const listed = new Map<string, SegmentBatch[]>(clients.map((c) => [c, []]));
  // Outside the lake: a COPY's folders are no part of it.
  const scratch = mkdtempSync(join(tmpdir(), 'bird-team-lake-copy-'));
  try {
    for (const table of ['invocations', 'sessions'] as const) {
      const out = join(scratch, table);
      // Partitioned by the client's number, not its id: the folder names are bird's to choose.
      await conn.run(`COPY (${rowsSql(table, clients)}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (k, "date"), FILENAME_PATTERN 'rows')`);
      const counts = await conn.runAndReadAll(`SELECT k, CAST("date" AS VARCHAR), count(*) FROM (${rowsSql(table, clients)}) GROUP BY ALL`);
      const rowsIn = new Map(counts.getRows().map(([k, d, n]) => [`${k}/${d}`, Number(n)]));
      for (const kDir of readdirSync(out)) {
        const k = Number(kDir.slice('k='.length));
        const client = clients[k]!;
        for (const dDir of readdirSync(join(out, kDir))) {
          const date = dDir.slice('date='.length);
          const key = lakeKey({ table, client, date, batch: hex32(`${table}\n${client}\n${date}`) });
          mkdirSync(dirname(join(root, key)), { recursive: true });
          renameSync(join(out, kDir, dDir, 'rows0.parquet'), join(root, key));
          listed.get(client)!.push({ key, table, date, rows: rowsIn.get(`${k}/${date}`) ?? 0, bytes: statSync(join(root, key)).size });
        }
      }
    }
  } finally {
    conn.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  }
  mkdirSync(join(root, dirname(LAKE_FORMAT_KEY)), { recursive: true });
  writeFileSync(join(root, LAKE_FORMAT_KEY), JSON.stringify(lakeFormatDoc()));
  for (const [client, batches] of listed) {
    const token = hex32(client);
    for (const [key, doc] of [[segmentKey(client, 1), segmentDoc(client, 1, token, batches)], [headKey(client), headDoc(client, 1, token, 'team-lake')]] as const) {
      mkdirSync(dirname(join(root, key)), { recursive: true });
      writeFileSync(join(root, key), JSON.stringify(doc));
    }
  }
  const count = (table: TableName) => new Map(clients.map((c) => [c, listed.get(c)!.filter((b) => b.table === table).reduce((n, b) => n + b.rows, 0)]));
  return { invocations: count('invocations'), sessions: count('sessions'), batches: [...listed.values()].reduce((n, b) => n + b.length, 0) };
}
