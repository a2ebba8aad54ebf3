// Where a text is still stored: every file under a folder, or every object of a lake, read as raw
// bytes and, for Parquet and DuckDB files (which compress what they hold), through DuckDB too:
// each Parquet file's every column, and each database's every table. A test that says "no byte
// of it is left" calls this after, and shows the same scan finds it before.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral, type RemoteConfig } from '@bird/core';
import { createRemoteBackend } from '@bird/remote';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The files under `dir` that hold `text`, as bytes or as a value DuckDB reads out of them. */
export async function filesHolding(dir: string, text: string): Promise<string[]> {
  const needle = Buffer.from(text);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const found: string[] = [];
  try {
    for (const file of filesUnder(dir)) {
      if (statSync(file).size === 0) continue;
      if (readFileSync(file).includes(needle) || (await valuesHold(conn, file, text))) found.push(file);
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return found;
}

type Conn = Awaited<ReturnType<DuckDBInstance['connect']>>;

async function valuesHold(conn: Conn, file: string, text: string): Promise<boolean> {
  const like = `'%' || ${quoteLiteral(text)} || '%'`;
  if (file.endsWith('.parquet')) {
    try {
      const r = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${quoteLiteral(file)}) t WHERE CAST(t AS VARCHAR) LIKE ${like}`);
      return Number(r.getRows()[0]![0]) > 0;
    } catch {
      return false; // not a Parquet file DuckDB reads (a damaged one is judged by its bytes above)
    }
  }
  if (!file.endsWith('.duckdb')) return false;
  try {
    await conn.run(`ATTACH ${quoteLiteral(file)} AS scanned (READ_ONLY)`);
  } catch {
    return false; // held by a live writer, or not a database: its bytes were read above
  }
  try {
    const tables = (await conn.runAndReadAll(`SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'scanned'`)).getRows();
    for (const [schema, table] of tables) {
      const r = await conn.runAndReadAll(`SELECT count(*) FROM scanned.${quoteIdent(String(schema))}.${quoteIdent(String(table))} t WHERE CAST(t AS VARCHAR) LIKE ${like}`);
      if (Number(r.getRows()[0]![0]) > 0) return true;
    }
    return false;
  } finally {
    await conn.run('DETACH scanned');
  }
}

/** The objects of `remote`'s lake that hold `text` (each downloaded and scanned as a file). */
export async function lakeObjectsHolding(remote: RemoteConfig, text: string): Promise<string[]> {
  const backend = await createRemoteBackend(remote);
  const dir = mkdtempSync(join(tmpdir(), 'bird-scan-'));
  try {
    const keys = (await backend.list('')).map((o) => o.key);
    for (const key of keys) await backend.get(key, join(dir, key));
    return (await filesHolding(dir, text)).map((f) => f.slice(dir.length + 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
