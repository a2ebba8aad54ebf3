import { existsSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES, TABLE_NAMES, makeDirs, quoteLiteral, typedEmptySelect, type BirdLayout, type TableName } from '@bird/core';
import { cachedRemoteDir, localTableDir, placeholderPath } from './layout.ts';

export interface PlaceholderTarget {
  readonly tableDir: string;
  readonly table: TableName;
}

export const localPlaceholderTargets = (layout: BirdLayout): PlaceholderTarget[] =>
  TABLE_NAMES.map((table) => ({ tableDir: localTableDir(layout, table), table }));

export const cachedPlaceholderTargets = (layout: BirdLayout, remote: string): PlaceholderTarget[] =>
  TABLE_NAMES.map((table) => ({ tableDir: join(cachedRemoteDir(layout, remote), table), table }));

/**
 * Writes each missing zero-row placeholder (typed exactly like the table) through `db/tmp`
 * and a rename, so a reader glob never sees half of one. Existing ones are left alone, so
 * this is cheap to call on every connection.
 */
export async function ensurePlaceholderFiles(layout: BirdLayout, targets: readonly PlaceholderTarget[]): Promise<string[]> {
  const missing = targets.filter((t) => !existsSync(placeholderPath(t.tableDir)));
  if (missing.length === 0) return [];
  makeDirs(layout.tmp);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const written: string[] = [];
  try {
    for (const target of missing) {
      const dest = placeholderPath(target.tableDir);
      const tmp = join(layout.tmp, `placeholder.${process.pid}.${randomBytes(6).toString('hex')}.partial`);
      await connection.run(`COPY (${typedEmptySelect(TABLES[target.table])}) TO ${quoteLiteral(tmp)} (FORMAT parquet)`);
      makeDirs(dirname(dest));
      renameSync(tmp, dest);
      written.push(dest);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return written;
}
