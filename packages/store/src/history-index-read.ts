// The history index read from the store, with DuckDB doing the set work: each distinct string is
// read once, and rows arrive as numbers only, sorted, in chunks that go straight into the index's
// typed arrays. Reading every row whole as JS values (a string per column per row) took 11.7 s
// and 1.5 GB at 1M rows, most of it making and collecting strings; at 10M it would not fit.
import { newColumns, orderedIndex, UNKNOWN_EXIT, type HistoryIndex, type HistoryRow } from '@bird/history-index';
import type { QueryResult } from './api.ts';

export interface RowSource {
  query(sql: string): Promise<QueryResult>;
}

// A row without an id, a time or a command cannot be shown or searched: it stays out of the
// index (a hand-written file, or a cache filled by a bird from before pulls checked rows), so
// one such row cannot fail every search, `bird history` and `bird stats`.
/** The index's columns of the invocations in `relation`, each row's source given by `source` (an SQL expression); rows as `historyRowOfValues` reads them. */
export const historyRowsSql = (relation: string, source = '_source') => `SELECT CAST(id AS VARCHAR), CAST(epoch_us("timestamp") AS DOUBLE), CAST(duration_ms AS DOUBLE), exit_code,
  cmd, coalesce(cwd, ''), coalesce(session_id, ''), coalesce(hostname, ''), ${source} FROM ${relation}
  WHERE id IS NOT NULL AND "timestamp" IS NOT NULL AND cmd IS NOT NULL`;

/** One row of `historyRowsSql`'s result. */
export function historyRowOfValues(r: readonly unknown[]): HistoryRow {
  return {
    id: r[0] as string,
    timestampUs: r[1] as number,
    durationMs: r[2] === null ? null : (r[2] as number),
    exitCode: r[3] === null ? null : Number(r[3]),
    cmd: r[4] as string,
    cwd: r[5] as string,
    session: r[6] as string,
    host: r[7] as string,
    source: r[8] as string,
  };
}

/** Rows (or distinct strings) per query: bounds what one result holds in memory. */
const CHUNK = 100_000;

/** The index's string tables: its column, the store's column it interns. */
const STRING_COLUMNS = [
  ['commands', 'cmd'],
  ['dirs', 'cwd'],
  ['sessions', 'ses'],
  ['hosts', 'host'],
  ['sources', 'src'],
] as const;

/** An id the index keeps as its own 16 bytes (packages/history-index idBytes): any other is hashed there. */
const IS_UUID = `regexp_full_match(id, '[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}')`;
/** Word `k` (of four) of a UUID's 16 bytes, from its hex digits (NULL for any other id). */
const idWord = (k: number) => `CASE WHEN uuid THEN ('0x' || substr(hex, ${k * 8 + 1}, 8))::UINTEGER END`;

/**
 * Every row `historyRowsSql` gives of main.invocations, as an index. The rows are copied once
 * into a temporary table, so every later query of this read sees one state of the store however
 * the store changes meanwhile (the caller journals what is added since).
 */
export async function readIndexFromStore(source: RowSource): Promise<HistoryIndex> {
  const tables = ['bird_hix_rows', 'bird_hix_sorted', ...STRING_COLUMNS.map(([, c]) => `bird_hix_${c}`)];
  try {
    await source.query(`CREATE OR REPLACE TEMP TABLE bird_hix_rows AS SELECT CASE WHEN NOT uuid THEN id END AS other, ${[0, 1, 2, 3].map((k) => `${idWord(k)} AS i${k}`).join(', ')}, ts, dur, ex, cmd, cwd, ses, host, src
      FROM (SELECT *, ${IS_UUID} AS uuid, lower(replace(id, '-', '')) AS hex, coalesce(src0, '') AS src FROM (${historyRowsSql('main.invocations')}) t(id, ts, dur, ex, cmd, cwd, ses, host, src0))`);
    const strings: Partial<Record<(typeof STRING_COLUMNS)[number][0], string[]>> = {};
    for (const [name, column] of STRING_COLUMNS) {
      await source.query(`CREATE OR REPLACE TEMP TABLE bird_hix_${column} AS SELECT v, (row_number() OVER () - 1)::UINTEGER AS n FROM (SELECT DISTINCT ${column} AS v FROM bird_hix_rows)`);
      strings[name] = await readStrings(source, `bird_hix_${column}`);
    }
    // Sorted as the index is (start, then id bytes): a UUID's four big-endian words sort as its
    // bytes, as numbers (sorting by its hex text took 21 s of a 10M-row rebuild, this 12 s, and
    // the rows hold no id text); other ids are hashed into bytes by the index, so orderedIndex
    // puts their rows in place.
    await source.query(`CREATE OR REPLACE TEMP TABLE bird_hix_sorted AS SELECT (row_number() OVER (ORDER BY ts, i0, i1, i2, i3) - 1)::UINTEGER AS rn,
      ts, dur, ex, ${STRING_COLUMNS.map(([, c]) => `bird_hix_${c}.n AS ${c}`).join(', ')},
      i0, i1, i2, i3, other
      FROM bird_hix_rows ${STRING_COLUMNS.map(([, c]) => `JOIN bird_hix_${c} ON bird_hix_${c}.v = bird_hix_rows.${c}`).join(' ')}`);
    // What the sorted rows need is in them: the rest goes before they are read out.
    for (const table of tables.filter((t) => t !== 'bird_hix_sorted')) await source.query(`DROP TABLE ${table}`);
    const size = Number((await source.query('SELECT count(*) FROM bird_hix_sorted')).rows[0]?.[0] ?? 0);
    const index = {
      size,
      ...newColumns(size),
      commands: strings.commands!,
      dirs: strings.dirs!,
      sessions: strings.sessions!,
      hosts: strings.hosts!,
      sources: strings.sources!,
    };
    const ids = new DataView(index.ids.buffer);
    const others: { row: number; id: string }[] = [];
    for (let from = 0; from < size; from += CHUNK) {
      const { rows } = await source.query(`SELECT ts, dur, ex, cmd, cwd, ses, host, src, i0, i1, i2, i3, other FROM bird_hix_sorted WHERE rn >= ${from} AND rn < ${from + CHUNK} ORDER BY rn`);
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        const row = from + k;
        index.timestampUs[row] = r[0] as number;
        index.durationMs[row] = r[1] === null ? NaN : (r[1] as number);
        index.exitCode[row] = r[2] === null ? UNKNOWN_EXIT : (r[2] as number);
        index.cmd[row] = r[3] as number;
        index.cwd[row] = r[4] as number;
        index.session[row] = r[5] as number;
        index.host[row] = r[6] as number;
        index.source[row] = r[7] as number;
        if (r[12] !== null) others.push({ row, id: r[12] as string });
        else for (let w = 0; w < 4; w++) ids.setUint32(row * 16 + w * 4, r[8 + w] as number); // big-endian: the hex's order
      }
    }
    return orderedIndex(index, others);
  } finally {
    // Temporary tables go with the connection anyway: a drop that fails (the connection broken
    // by the error being thrown) must not hide that error.
    for (const table of tables) await source.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
}

async function readStrings(source: RowSource, table: string): Promise<string[]> {
  const values: string[] = [];
  for (let from = 0; ; from += CHUNK) {
    const { rows } = await source.query(`SELECT v FROM ${table} WHERE n >= ${from} AND n < ${from + CHUNK} ORDER BY n`);
    for (const r of rows) values.push(r[0] as string);
    if (rows.length < CHUNK) return values;
  }
}
