import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TABLES, TABLE_NAMES, duckdbTempOptions, quoteLiteral, writeFileAtomicWith, typedEmptySelect, type BirdLayout, type TableName } from '@bird/core';
import { LEGACY_PLACEHOLDER_PARTITION, PLACEHOLDER_FILE, cachedRemoteDir, localTableDir, placeholderPath } from './layout.ts';

/** A placeholder to write: where, and the table whose columns it carries. */
export interface PlaceholderTarget {
  readonly path: string;
  readonly table: TableName;
}

export const localPlaceholderTargets = (layout: BirdLayout): PlaceholderTarget[] =>
  TABLE_NAMES.map((table) => ({ path: placeholderPath(localTableDir(layout, table)), table }));

export const cachedPlaceholderTargets = (layout: BirdLayout, remote: string): PlaceholderTarget[] =>
  TABLE_NAMES.map((table) => ({ path: placeholderPath(join(cachedRemoteDir(layout, remote), table)), table }));

/** The placeholders of every remote pulled into this root (`db/data/cached/<name>/`). */
export function pulledPlaceholderTargets(layout: BirdLayout): PlaceholderTarget[] {
  let remotes: string[];
  try {
    remotes = readdirSync(layout.cachedData);
  } catch {
    // nothing pulled yet: no pulled placeholders
    return [];
  }
  const out: PlaceholderTarget[] = [];
  for (const remote of remotes) {
    try {
      out.push(...cachedPlaceholderTargets(layout, remote));
    } catch {
      // not a folder a pull made (its name is no remote name)
    }
  }
  return out;
}

/**
 * Whether `path` reads as a whole Parquet file: `PAR1` at both ends. Cut short, overwritten or
 * missing, it does not. Two small reads: cheap enough for every connection.
 */
export function looksLikeParquet(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // missing or unreadable: not a whole Parquet file, so it is written again
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 12) return false;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 4, size - 4);
    return head.toString('latin1') === 'PAR1' && tail.toString('latin1') === 'PAR1';
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes each placeholder (zero rows, typed exactly like the table) that is missing or does not
 * read as Parquet, atomically through `db/tmp`, so a reader glob never sees half of one. They are
 * bird's own and hold no rows, so a damaged one is written over, not quarantined. Sound ones are
 * left alone, so this is cheap to call on every connection. `force` writes them all.
 */
export async function ensurePlaceholderFiles(layout: BirdLayout, targets: readonly PlaceholderTarget[], { force = false } = {}): Promise<string[]> {
  const wanted = force ? targets : targets.filter((t) => !looksLikeParquet(t.path));
  if (wanted.length === 0) return [];
  return withScratchDuckDB(layout, async (connection) => {
    const written: string[] = [];
    for (const target of wanted) {
      await writeFileAtomicWith(target.path, (tmp) => connection.run(`COPY (${typedEmptySelect(TABLES[target.table])}) TO ${quoteLiteral(tmp)} (FORMAT parquet)`).then(() => {}), { tmpDir: layout.tmp, mode: 0o600 });
      written.push(target.path);
    }
    return written;
  });
}

/** `targets`, and beside each the placeholder a store made before kept in `date=1970-01-01`, where there is one. */
export function withLegacyPlaceholders(targets: readonly PlaceholderTarget[]): PlaceholderTarget[] {
  const out = [...targets];
  for (const t of targets) {
    const legacy = join(dirname(dirname(t.path)), LEGACY_PLACEHOLDER_PARTITION, PLACEHOLDER_FILE);
    if (existsSync(legacy)) out.push({ path: legacy, table: t.table });
  }
  return out;
}

/**
 * The placeholders among `targets` whose columns are not their table's (a Parquet file of
 * something else put in their place): DuckDB takes the schema from them, and its error then names
 * no file. Read from their footers, on a failed query only.
 */
export async function mistypedPlaceholders(connection: DuckDBConnection, targets: readonly PlaceholderTarget[]): Promise<PlaceholderTarget[]> {
  const describe = async (select: string) =>
    JSON.stringify((await connection.runAndReadAll(`DESCRIBE ${select}`)).getRows().map((r) => [String(r[0]), String(r[1])]));
  const out: PlaceholderTarget[] = [];
  for (const target of targets) {
    let actual: string;
    try {
      actual = await describe(`SELECT * FROM read_parquet(${quoteLiteral(target.path)})`);
    } catch {
      out.push(target); // unreadable (or gone): written again too
      continue;
    }
    if (actual !== (await describe(typedEmptySelect(TABLES[target.table])))) out.push(target);
  }
  return out;
}

/** Writes again every placeholder of this root (this machine's, pulled remotes', old stores') whose columns are wrong; true if any was. */
export async function repairMistypedPlaceholders(layout: BirdLayout, connection: DuckDBConnection): Promise<boolean> {
  const wrong = await mistypedPlaceholders(connection, withLegacyPlaceholders([...localPlaceholderTargets(layout), ...pulledPlaceholderTargets(layout)]));
  return wrong.length > 0 && (await ensurePlaceholderFiles(layout, wrong, { force: true })).length > 0;
}

/** Runs `work` on an in-memory DuckDB of its own, closed after. */
export async function withScratchDuckDB<T>(layout: BirdLayout, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', duckdbTempOptions(layout));
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
