// The history index read from the store, with DuckDB doing the set work: each distinct string is
// read once, and rows arrive as numbers only, sorted, in chunks whose columns are copied straight
// into the index's typed arrays. Reading every row whole as JS values (a string per column per
// row) took 11.7 s and 1.5 GB at 1M rows, most of it making and collecting strings; at 10M it
// would not fit. Reading the numbers as JS rows still cost 3.5 s of 12 s at 1M.
import { newColumns, orderedIndex, UNKNOWN_EXIT, type HistoryIndex, type HistoryRow } from '@bird/history-index';
import type { BirdConnection, QueryResult } from './api.ts';
import { copyColumn, nullRows, type FixedWidthType } from './chunk-columns.ts';

export interface RowSource {
  query(sql: string): Promise<QueryResult>;
  readChunks: BirdConnection['readChunks'];
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

/** Distinct strings per query of a string table: bounds the one string a block is read as. */
const STRING_BLOCK = 65_536;

/** The index's string tables: its column, the store's column it interns. */
const STRING_COLUMNS = [
  ['commands', 'cmd'],
  ['dirs', 'cwd'],
  ['sessions', 'ses'],
  ['hosts', 'host'],
  ['sources', 'src'],
] as const;

/**
 * An id the index keeps as its own 16 bytes (packages/history-index idBytes): any other is hashed
 * there. A UUID cast accepts more (braces, dashes anywhere), so the cast is taken only for what
 * idBytes' pattern takes; the common case, 36 characters dashed as usual, by a cheaper pattern
 * that the cast then checks is hex (the full pattern costs ~0.6 s a million rows).
 */
const AS_UUID = `CASE WHEN id LIKE '________-____-____-____-____________' THEN TRY_CAST(id AS UUID)
  WHEN regexp_full_match(id, '[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}') THEN TRY_CAST(id AS UUID) END`;

/** The stream's columns: what each is read as, and into which of the index's arrays. */
const ROW_COLUMNS = [
  ['ts', 'DOUBLE', 'timestampUs'],
  ['dur', 'DOUBLE', 'durationMs'],
  ['ex', 'INTEGER', 'exitCode'],
  ['cmd', 'UINTEGER', 'cmd'],
  ['cwd', 'UINTEGER', 'cwd'],
  ['ses', 'UINTEGER', 'session'],
  ['host', 'UINTEGER', 'host'],
  ['src', 'UINTEGER', 'source'],
  ['u', 'UUID', 'ids'],
] as const satisfies readonly (readonly [string, FixedWidthType, keyof ReturnType<typeof newColumns>])[];
const U = ROW_COLUMNS.findIndex(([name]) => name === 'u');
/** The id of a row whose id is not a UUID, after the columns above. */
const OTHER = ROW_COLUMNS.length;

/**
 * Every row `historyRowsSql` gives of main.invocations, as an index. The rows are copied once
 * into a temporary table, so every later query of this read sees one state of the store however
 * the store changes meanwhile (the caller journals what is added since). Each string column is
 * numbered in DuckDB (its distinct values, joined back), and the rows arrive sorted, chunk by
 * chunk, as numbers only, copied column by column into the index's typed arrays.
 */
export async function readIndexFromStore(source: RowSource): Promise<HistoryIndex> {
  const tables = ['bird_hix_rows', ...STRING_COLUMNS.map(([, c]) => `bird_hix_${c}`)];
  const numbered = 'bird_hix_numbered';
  try {
    // NULLs become the index's own "unknown" in SQL, so the numbers are copied as they are.
    await source.query(`CREATE OR REPLACE TEMP TABLE bird_hix_rows AS SELECT ${AS_UUID} AS u, ts, coalesce(dur, 'NaN'::DOUBLE) AS dur, coalesce(ex, ${UNKNOWN_EXIT})::INTEGER AS ex,
      cmd, cwd, ses, host, coalesce(src0, '') AS src, CASE WHEN u IS NULL THEN id END AS other
      FROM (${historyRowsSql('main.invocations')}) t(id, ts, dur, ex, cmd, cwd, ses, host, src0)`);
    const strings: Partial<Record<(typeof STRING_COLUMNS)[number][0], string[]>> = {};
    for (const [name, column] of STRING_COLUMNS) {
      await source.query(`CREATE OR REPLACE TEMP TABLE bird_hix_${column} AS SELECT v, (row_number() OVER () - 1)::UINTEGER AS n FROM (SELECT DISTINCT ${column} AS v FROM bird_hix_rows)`);
      strings[name] = await readStrings(source, `bird_hix_${column}`);
    }
    const size = Number((await source.query('SELECT count(*) FROM bird_hix_rows')).rows[0]?.[0] ?? 0);
    const index = {
      size,
      ...newColumns(size),
      commands: strings.commands!,
      dirs: strings.dirs!,
      sessions: strings.sessions!,
      hosts: strings.hosts!,
      sources: strings.sources!,
    };
    const others: { row: number; id: string }[] = [];
    // The strings numbered, in a table of numbers only; the tables of strings go before the rows
    // are sorted, which keeps them out of DuckDB's peak (3.7 GB -> 3.0 GB at 10M rows).
    await source.query(`CREATE OR REPLACE TEMP TABLE ${numbered} AS
      SELECT ${ROW_COLUMNS.map(([c]) => (STRING_COLUMNS.some(([, s]) => s === c) ? `bird_hix_${c}.n AS ${c}` : c)).join(', ')}, other
      FROM bird_hix_rows ${STRING_COLUMNS.map(([, c]) => `JOIN bird_hix_${c} ON bird_hix_${c}.v = bird_hix_rows.${c}`).join(' ')}`);
    for (const table of tables) await source.query(`DROP TABLE ${table}`);
    let row = 0;
    // Sorted as the index is (start, then id bytes: a UUID sorts as its bytes); rows of other
    // ids are hashed into bytes by the index, so orderedIndex puts them in place.
    const sql = `SELECT ${ROW_COLUMNS.map(([c]) => c).join(', ')}, other FROM ${numbered} ORDER BY ts, u`;
    await source.readChunks(sql, (chunk) => {
      if (row + chunk.rowCount > size) throw new Error(`the history index read more rows than the ${size} it counted in the store; run \`bird-sync index\` again`);
      ROW_COLUMNS.forEach(([, type, array], column) => copyColumn(chunk, column, type, index[array], row));
      uuidBytesInOrder(index.ids, row, row + chunk.rowCount);
      for (const r of nullRows(chunk, U)) others.push({ row: row + r, id: String(chunk.getColumnVector(OTHER).getItem(r)) });
      row += chunk.rowCount;
    });
    if (row !== size) throw new Error(`the history index read ${row} of the ${size} rows it counted in the store; run \`bird-sync index\` again`);
    return orderedIndex(index, others);
  } finally {
    // Temporary tables go with the connection anyway: a drop that fails (the connection broken
    // by the error being thrown) must not hide that error.
    for (const table of [...tables, numbered]) await source.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
}

/**
 * DuckDB's 16 bytes of each UUID of rows `from`..`to` turned, in place, into the UUID's own: DuckDB
 * holds it as a little-endian 128-bit integer whose top bit is flipped (so that it sorts as the
 * text does), the index as the bytes of its text, in order.
 */
function uuidBytesInOrder(ids: Uint8Array, from: number, to: number): void {
  for (let at = from * 16, end = to * 16; at < end; at += 16) {
    for (let i = 0, j = 15; i < j; i++, j--) {
      const b = ids[at + i]!;
      ids[at + i] = ids[at + j]!;
      ids[at + j] = b;
    }
    ids[at] = ids[at]! ^ 0x80;
  }
}

/**
 * A string table's values by their number, read STRING_BLOCK at a time as one string each (a
 * string per value cost ~1 µs each, at millions of distinct commands). A block whose values
 * hold the separator, or that is too long for one JS string, is read value by value.
 */
async function readStrings(source: RowSource, table: string): Promise<string[]> {
  const count = Number((await source.query(`SELECT count(*) FROM ${table}`)).rows[0]?.[0] ?? 0);
  const values: string[] = [];
  for (let from = 0; from < count; from += STRING_BLOCK) {
    const range = `n >= ${from} AND n < ${from + STRING_BLOCK}`;
    const expected = Math.min(STRING_BLOCK, count - from);
    let block: string[] | null = null;
    try {
      const joined = (await source.query(`SELECT string_agg(v, chr(0) ORDER BY n) FROM ${table} WHERE ${range}`)).rows[0]?.[0];
      if (typeof joined === 'string') block = joined.split('\0');
    } catch {
      // a block longer than a JS string can be: its values one by one below
    }
    if (block === null || block.length !== expected) block = (await source.query(`SELECT v FROM ${table} WHERE ${range} ORDER BY n`)).rows.map((r) => r[0] as string);
    if (block.length !== expected) throw new Error(`${table} gave ${block.length} of its ${expected} strings from number ${from}`);
    for (const v of block) values.push(v);
  }
  return values;
}
