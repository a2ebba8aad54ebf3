import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES, TABLE_NAMES, quoteLiteral, writeFileAtomicWith, typedEmptySelect, type BirdLayout, type TableName } from '@bird/core';
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
 * Writes each missing zero-row placeholder (typed exactly like the table) atomically through
 * `db/tmp`, so a reader glob never sees half of one. Existing ones are left alone, so
 * this is cheap to call on every connection.
 */
export async function ensurePlaceholderFiles(layout: BirdLayout, targets: readonly PlaceholderTarget[]): Promise<string[]> {
  const missing = targets.filter((t) => !existsSync(placeholderPath(t.tableDir)));
  if (missing.length === 0) return [];
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const written: string[] = [];
  try {
    for (const target of missing) {
      const dest = placeholderPath(target.tableDir);
      await writeFileAtomicWith(dest, (tmp) => connection.run(`COPY (${typedEmptySelect(TABLES[target.table])}) TO ${quoteLiteral(tmp)} (FORMAT parquet)`).then(() => {}), { tmpDir: layout.tmp, mode: 0o600 });
      written.push(dest);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return written;
}
