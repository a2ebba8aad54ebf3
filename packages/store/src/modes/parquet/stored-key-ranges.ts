/**
 * Which stored files may hold a key within a range: a pull compares what arrives only with
 * them. Each file's range comes from its footer's min/max statistics of the key column, read
 * once and kept in `db/stored-key-ranges.json` by the file's identity (inode, size, mtime: bird
 * never rewrites a file in place), so a pull stats the stored files rather than opening them.
 * Before, DuckDB opened every stored file's footer twice a pull (union_by_name, then the scan):
 * at 1M rows the largest part of the ingest after DuckDB's own start (bench/pull-scale.md).
 * The cache is derived and untrusted: an entry that does not check out is read from the footer
 * again, and a file whose footer gives no range is always compared.
 */
import { readFileSync, statSync } from 'node:fs';
import { ROW_KEY, TABLE_NAMES, writeFileAtomic, type BirdLayout, type TableName } from '@bird/core';
import { byteArrayRange, readParquetFooter } from '@bird/writer-parquet';

const MAX_TRUSTED_KEY_BYTES = 64;

/** A file's identity and its key range as text (min, max), or null when its footer gives none. */
type Entry = readonly [ino: number, size: number, mtimeMs: number, range: readonly [string, string] | null];

/** The files of `table` (all of them stored) that may hold a key between `lo` and `hi`, compared as DuckDB compares text. */
export function storedFilesMayHold(layout: BirdLayout, table: TableName, files: readonly string[], lo: string, hi: string): string[] {
  const key = ROW_KEY[table];
  const all = readCache(layout.storedKeyRanges);
  const cache = all.get(table) ?? new Map<string, Entry>();
  const next = new Map<string, Entry>();
  let changed = false;
  const kept = files.filter((file) => {
    const stat = statSync(file, { throwIfNoEntry: false });
    // gone since it was listed (a compaction cannot run: the ingest holds its lock): DuckDB says so
    if (!stat) return true;
    let entry = cache.get(file);
    if (!entry || entry[0] !== stat.ino || entry[1] !== stat.size || entry[2] !== stat.mtimeMs) {
      entry = [stat.ino, stat.size, stat.mtimeMs, rangeOf(file, key)];
      changed = true;
    }
    next.set(file, entry);
    const range = entry[3];
    return range === null || (compareText(range[0], hi) <= 0 && compareText(range[1], lo) >= 0);
  });
  if (changed || next.size !== cache.size) {
    // A cache: not fsynced, and a failed write only costs the next pull the footers again.
    try {
      all.set(table, next);
      const tables = Object.fromEntries([...all].map(([t, entries]) => [t, Object.fromEntries(entries)]));
      writeFileAtomic(layout.storedKeyRanges, JSON.stringify(tables), { durable: false, tmpDir: layout.tmp });
    } catch {
      // see above
    }
  }
  return kept;
}

/** The key column's range in `file`'s footer, as text; null when the footer does not give it (the file is then always compared). */
function rangeOf(file: string, key: string): [string, string] | null {
  try {
    const range = byteArrayRange(readParquetFooter(file), key);
    // A writer may cut long statistics short, and a max cut short is below the values it stands
    // for: keys (UUIDs) are far shorter than any such cut, and a longer max is not trusted.
    if (range === null || range.max.length >= MAX_TRUSTED_KEY_BYTES) return null;
    const [min, max] = [range.min, range.max].map((b) => Buffer.from(b).toString('utf8'));
    // Text that does not round-trip (not UTF-8) cannot be compared as DuckDB compares it.
    return Buffer.from(min!, 'utf8').equals(range.min) && Buffer.from(max!, 'utf8').equals(range.max) ? [min!, max!] : null;
  } catch {
    // unreadable here: DuckDB reads it and says what is wrong
    return null;
  }
}

/** Byte order of the UTF-8 text, as DuckDB compares VARCHARs. */
const compareText = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Each table's entries, by file; what does not check out is left out (its footer is read again). */
function readCache(path: string): Map<string, Map<string, Entry>> {
  const cache = new Map<string, Map<string, Entry>>();
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // none yet, or damaged: every footer is read again
    return cache;
  }
  for (const table of TABLE_NAMES) {
    const files: unknown = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[table] : undefined;
    if (typeof files !== 'object' || files === null) continue;
    cache.set(table, new Map(Object.entries(files).filter((e): e is [string, Entry] => isEntry(e[1]))));
  }
  return cache;
}

function isEntry(v: unknown): v is Entry {
  if (!Array.isArray(v) || v.length !== 4 || !v.slice(0, 3).every((n) => typeof n === 'number' && Number.isFinite(n))) return false;
  const range: unknown = v[3];
  return range === null || (Array.isArray(range) && range.length === 2 && range.every((t) => typeof t === 'string'));
}
