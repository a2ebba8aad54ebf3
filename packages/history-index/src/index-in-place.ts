// A history index whose rows stay in the snapshot file, for Ctrl-R over millions of rows. Read
// whole (loadHistory), a 10M-row index holds the file's 533 MB, every column widened and 3.3M
// command strings at once: 1.1 GB (bench/team-scale.md). This one holds the command table as the
// file's bytes and where each string starts (no JS string per command: commandText), the small
// string tables decoded, and no column: a scan of every row reads the columns it needs a chunk
// at a time (forEachRowChunk), and a row on screen is read where it lies (rowOf). A column asked
// for whole (`index.exitCode`…: the rarer reads, a command's details, a forget) is read whole on
// first use and kept. Journal rows newer than every snapshot row follow its rows; any other
// journal row (an older one pulled, a copy) needs loadHistory's merge: openIndexInPlace gives null.
import { compareIds, firstOfEachId, idBytes, idText, rowAt } from './build-index.ts';
import { UNKNOWN_EXIT, type HistoryIndex, type HistoryRow } from './history-index.ts';
import { INTERNED, type InternedColumn, type StringTable, WIDTH } from './snapshot-format.ts';
import type { SnapshotReader } from './snapshot-reader.ts';

/** Rows read at a time by a scan: 1M rows, 8 MB of a start column. */
const CHUNK_ROWS = 1 << 20;

export type RowColumn = keyof typeof WIDTH;
type Numbers = Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
/** A chunk of rows: each column asked for, its value for row `from + k` at `k`. */
export type RowChunk<C extends RowColumn> = { readonly [K in C]: ArrayLike<number> };

/**
 * The commands as the snapshot stores them: UTF-8, one after another, each followed by a NUL
 * (the last may not be). Command `c` is `bytes[starts[c]]` up to `starts[c + 1] - 1`.
 */
export interface CommandText {
  readonly count: number;
  readonly bytes: Uint8Array;
  readonly starts: Uint32Array;
}

/** The text table of an index's commands (an index in memory: a copy; one read in place: its own). */
export function commandTextOf(index: HistoryIndex): CommandText {
  return index instanceof IndexInPlace ? index.commandText : commandTextOfStrings(index.commands);
}

export function commandTextOfStrings(commands: readonly string[]): CommandText {
  const bytes = Buffer.from(commands.join('\0'), 'utf8');
  const starts = new Uint32Array(commands.length + 1);
  let at = 0;
  for (let c = 0; c < commands.length; c++) {
    starts[c] = at;
    at += Buffer.byteLength(commands[c]!, 'utf8') + 1;
  }
  starts[commands.length] = at;
  return { count: commands.length, bytes, starts };
}

/**
 * Calls `each` with the columns `names` of every row: once for an index in memory, a chunk at a
 * time for one read in place, the chunks in row order (`backwards`: newest chunk first). A chunk
 * is valid only during its call (the next one reads into the same buffers).
 */
export function forEachRowChunk<C extends RowColumn>(index: HistoryIndex, names: readonly C[], each: (chunk: RowChunk<C>, from: number, rows: number) => void, { backwards = false } = {}): void {
  if (index instanceof IndexInPlace) {
    index.forEachChunk(names, each, backwards);
    return;
  }
  const whole = {} as Record<C, ArrayLike<number>>;
  for (const name of names) whole[name] = index[name];
  each(whole, 0, index.size);
}

/** Row `r`, as rowAt gives it; an index read in place reads only that row. */
export function rowOf(index: HistoryIndex, r: number): HistoryRow {
  return index instanceof IndexInPlace ? index.row(r) : rowAt(index, r);
}

/**
 * The snapshot `reader` opened with the journal's `journalRows` as an index read in place, or
 * null when some journal row is not newer than every snapshot row (read it whole instead).
 * Checks what decodeSnapshot checks (every number names a string); throws DamagedSnapshot.
 * The index owns the reader from here: closing it closes the reader.
 */
export function openIndexInPlace(reader: SnapshotReader, journalRows: readonly HistoryRow[], { chunkRows = CHUNK_ROWS }: { chunkRows?: number } = {}): IndexInPlace | null {
  const fresh = new Uint8Array(journalRows.length * 16);
  journalRows.forEach((row, i) => idBytes(row.id, fresh, i));
  const tail = firstOfEachId(journalRows).sort((a, b) => journalRows[a]!.timestampUs - journalRows[b]!.timestampUs || compareIds(fresh, a, fresh, b));
  if (tail.length > 0 && reader.size > 0) {
    const last = reader.key(reader.size - 1);
    const first = journalRows[tail[0]!]!;
    if (!(first.timestampUs > last.timestampUs || (first.timestampUs === last.timestampUs && compareIds(last.id, 0, fresh, tail[0]!) < 0))) return null;
  }
  for (const name of Object.keys(INTERNED) as InternedColumn[]) reader.checkInterned(name, INTERNED[name]);
  return new IndexInPlace(reader, tail.map((i) => journalRows[i]!), chunkRows);
}

/** Values numbered in the order first met, after those of `initial`. */
function intern(initial: readonly string[], values: readonly string[]): { table: string[]; numbers: Uint32Array } {
  const table = [...initial];
  const numberOf = new Map<string, number>();
  for (const [n, v] of table.entries()) if (!numberOf.has(v)) numberOf.set(v, n);
  const numbers = new Uint32Array(values.length);
  values.forEach((v, k) => {
    let n = numberOf.get(v);
    if (n === undefined) numberOf.set(v, (n = table.push(v) - 1));
    numbers[k] = n;
  });
  return { table, numbers };
}

/** FNV-1a of `bytes[from..to)`. */
function hashOf(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

export class IndexInPlace implements HistoryIndex {
  readonly size: number;
  readonly commandText: CommandText;
  readonly commands: readonly string[];
  readonly dirs: readonly string[];
  readonly sessions: readonly string[];
  readonly hosts: readonly string[];
  readonly sources: readonly string[];
  /** Rows from the journal, after the snapshot's: each column's values, interned into the tables here. */
  private readonly tail: Record<RowColumn, Numbers>;
  private readonly snapshotRows: number;
  private readonly whole = new Map<RowColumn, Numbers>();
  /** Strings decoded lately: the rows on screen ask for the same ones every frame. */
  private readonly recent = new Map<number, string>();

  constructor(
    private readonly reader: SnapshotReader,
    journal: readonly HistoryRow[],
    /** Rows a scan reads at a time (tests make it small, to read many chunks). */
    private readonly chunkRows = CHUNK_ROWS,
  ) {
    this.snapshotRows = reader.size;
    this.size = reader.size + journal.length;
    const small = (table: StringTable, column: 'cwd' | 'session' | 'host' | 'source') => intern(reader.strings(table), journal.map((r) => r[column]));
    const [dirs, sessions, hosts, sources] = [small('dirs', 'cwd'), small('sessions', 'session'), small('hosts', 'host'), small('sources', 'source')];
    [this.dirs, this.sessions, this.hosts, this.sources] = [dirs.table, sessions.table, hosts.table, sources.table];
    const { commandText, numbers } = this.readCommands(journal.map((r) => r.cmd));
    this.commandText = commandText;
    const ids = new Uint8Array(journal.length * 16);
    journal.forEach((row, i) => idBytes(row.id, ids, i));
    this.tail = {
      timestampUs: Float64Array.from(journal, (r) => r.timestampUs),
      durationMs: Float64Array.from(journal, (r) => r.durationMs ?? NaN),
      exitCode: Int32Array.from(journal, (r) => r.exitCode ?? UNKNOWN_EXIT),
      cmd: numbers,
      cwd: dirs.numbers,
      session: sessions.numbers,
      host: hosts.numbers,
      source: sources.numbers,
      ids,
    };
    this.commands = this.commandList();
  }

  /** The snapshot's command table with the journal's new commands after it, and the journal's commands' numbers. */
  private readCommands(texts: readonly string[]): { commandText: CommandText; numbers: Uint32Array } {
    const distinct = [...new Set(texts)];
    const encoded = distinct.map((t) => Buffer.from(t, 'utf8'));
    const room = encoded.reduce((sum, b) => sum + b.length + 1, 0);
    const { bytes, starts } = this.reader.tableBytes('commands', room);
    const count = this.reader.stringCount('commands');
    const numberOf = new Map<string, number>();
    if (distinct.length > 0) {
      // One pass over the table's bytes, comparing only strings whose hash is a new one's.
      const byHash = new Map<number, number[]>();
      for (const [k, b] of encoded.entries()) {
        const h = hashOf(b, 0, b.length);
        byHash.set(h, [...(byHash.get(h) ?? []), k]);
      }
      for (let c = 0; c < count; c++) {
        const from = starts[c]!;
        const to = starts[c + 1]! - 1;
        const hits = byHash.get(hashOf(bytes, from, to));
        if (hits === undefined) continue;
        for (const k of hits) if (!numberOf.has(distinct[k]!) && Buffer.compare(encoded[k]!, bytes.subarray(from, to)) === 0) numberOf.set(distinct[k]!, c);
      }
    }
    const added = distinct.map((_, k) => k).filter((k) => !numberOf.has(distinct[k]!));
    const allStarts = new Uint32Array(count + added.length + 1);
    allStarts.set(starts.subarray(0, count));
    // The file's table has no NUL after its last string: the first added one starts after one.
    let at = count === 0 ? 0 : starts[count]! - 1;
    added.forEach((k, j) => {
      if (count + j > 0) bytes[at++] = 0;
      allStarts[count + j] = at;
      encoded[k]!.copy(bytes, at);
      at += encoded[k]!.length;
      numberOf.set(distinct[k]!, count + j);
    });
    allStarts[count + added.length] = at + 1;
    const numbers = Uint32Array.from(texts, (t) => numberOf.get(t)!);
    return { commandText: { count: count + added.length, bytes: bytes.subarray(0, at), starts: allStarts }, numbers };
  }

  /** `commands` as an array whose strings are decoded when read. */
  private commandList(): readonly string[] {
    const { count } = this.commandText;
    const isIndex = (p: string | symbol): p is string => typeof p === 'string' && /^(0|[1-9]\d*)$/.test(p) && Number(p) < count;
    return new Proxy([] as string[], {
      get: (target, p, receiver) => (p === 'length' ? count : isIndex(p) ? this.command(Number(p)) : Reflect.get(target, p, receiver)),
      has: (target, p) => isIndex(p) || Reflect.has(target, p),
    });
  }

  /** Command `c`'s text. */
  command(c: number): string {
    let text = this.recent.get(c);
    if (text === undefined) {
      const { bytes, starts } = this.commandText;
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8', starts[c]!, starts[c + 1]! - 1);
      if (this.recent.size >= 4096) this.recent.clear();
      this.recent.set(c, text);
    }
    return text;
  }

  forEachChunk<C extends RowColumn>(names: readonly C[], each: (chunk: RowChunk<C>, from: number, rows: number) => void, backwards = false): void {
    const starts: number[] = [];
    for (let from = 0; from < this.snapshotRows; from += this.chunkRows) starts.push(from);
    // One buffer per column for every chunk: a scan's garbage would otherwise be its whole columns.
    const buffers = new Map(names.map((name) => [name, new ArrayBuffer(Math.min(this.chunkRows, this.snapshotRows) * WIDTH[name])]));
    const read = (from: number) => {
      const n = Math.min(this.chunkRows, this.snapshotRows - from);
      const chunk = {} as Record<C, Numbers>;
      for (const name of names) chunk[name] = this.reader.numbers(name, from, n, buffers.get(name));
      each(chunk, from, n);
    };
    const tail = () => {
      if (this.size === this.snapshotRows) return;
      const chunk = {} as Record<C, Numbers>;
      for (const name of names) chunk[name] = this.tail[name];
      each(chunk, this.snapshotRows, this.size - this.snapshotRows);
    };
    if (backwards) {
      tail();
      for (const from of starts.reverse()) read(from);
    } else {
      for (const from of starts) read(from);
      tail();
    }
  }

  row(r: number): HistoryRow {
    if (!(r >= 0 && r < this.size)) throw new RangeError(`row ${r} is past the index's ${this.size}`);
    const value = (name: RowColumn) => (r < this.snapshotRows ? this.reader.numbers(name, r, 1)[0]! : this.tail[name][r - this.snapshotRows]!);
    const duration = value('durationMs');
    const exit = value('exitCode');
    const ids = r < this.snapshotRows ? (this.reader.numbers('ids', r, 1) as Uint8Array) : this.tail.ids.subarray((r - this.snapshotRows) * 16);
    return {
      id: idText(ids as Uint8Array, 0),
      timestampUs: value('timestampUs'),
      durationMs: Number.isNaN(duration) ? null : duration,
      exitCode: exit === UNKNOWN_EXIT ? null : exit,
      cmd: this.command(value('cmd')),
      cwd: this.dirs[value('cwd')]!,
      session: this.sessions[value('session')]!,
      host: this.hosts[value('host')]!,
      source: this.sources[value('source')]!,
    };
  }

  /** A column of every row, read on first use and kept. */
  private column<T extends Numbers>(name: RowColumn, make: (n: number) => T): T {
    let values = this.whole.get(name) as T | undefined;
    if (values === undefined) {
      const perRow = name === 'ids' ? 16 : 1;
      const out = make(this.size * perRow);
      this.forEachChunk([name], (chunk, from) => out.set(chunk[name] as ArrayLike<number>, from * perRow));
      this.whole.set(name, (values = out));
    }
    return values;
  }

  get timestampUs(): Float64Array {
    return this.column('timestampUs', (n) => new Float64Array(n));
  }
  get durationMs(): Float64Array {
    return this.column('durationMs', (n) => new Float64Array(n));
  }
  get exitCode(): Int32Array {
    return this.column('exitCode', (n) => new Int32Array(n));
  }
  get cmd(): Uint32Array {
    return this.column('cmd', (n) => new Uint32Array(n));
  }
  get cwd(): Uint32Array {
    return this.column('cwd', (n) => new Uint32Array(n));
  }
  get session(): Uint32Array {
    return this.column('session', (n) => new Uint32Array(n));
  }
  get host(): Uint32Array {
    return this.column('host', (n) => new Uint32Array(n));
  }
  get source(): Uint32Array {
    return this.column('source', (n) => new Uint32Array(n));
  }
  get ids(): Uint8Array {
    return this.column('ids', (n) => new Uint8Array(n));
  }

  close(): void {
    this.reader.close();
  }
}
