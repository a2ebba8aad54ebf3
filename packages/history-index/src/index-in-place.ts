// A history index whose rows stay in the snapshot file, for Ctrl-R over millions of rows. Read
// whole (loadHistory), a 10M-row index holds the file's 533 MB, every column widened and 3.3M
// command strings at once: 1.1 GB (bench/team-scale.md). This one holds the command table as the
// file's bytes and where each string starts (no JS string per command: commandText), the small
// string tables decoded, and no column: a scan of every row reads the columns it needs a chunk
// at a time (forEachRowChunk), and a row on screen is read where it lies (rowOf). A column asked
// for whole (`index.exitCode`…: the rarer reads, a command's details, a forget) is read whole on
// first use and kept. The journal's rows (a few thousand at most: compaction folds it past 256
// KB) are held as columns of their own and placed among the snapshot's rows as loadHistory's
// merge places them: each before the first snapshot row that sorts after it, a copy of a row the
// snapshot holds left out.
import { compareIds, firstOfEachId, forEachIdIn, idBytes, idText, rowAt } from './build-index.ts';
import { UNKNOWN_EXIT, type HistoryIndex, type HistoryRow } from './history-index.ts';
import { INTERNED, type InternedColumn, type StringTable, WIDTH } from './snapshot-format.ts';
import type { SnapshotReader } from './snapshot-reader.ts';

/** Rows read at a time by a scan: 256k rows, 2 MB of a start column (the buffers a scan holds). */
const CHUNK_ROWS = 1 << 18;

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
 * The snapshot `reader` opened with the journal's `journalRows` as an index read in place: the
 * rows loadHistory would give, in its order. Checks what decodeSnapshot checks (every number
 * names a string); throws DamagedSnapshot. The index owns the reader from here: closing it
 * closes the reader.
 */
export function openIndexInPlace(reader: SnapshotReader, journalRows: readonly HistoryRow[], { chunkRows = CHUNK_ROWS }: { chunkRows?: number } = {}): IndexInPlace {
  const fresh = new Uint8Array(journalRows.length * 16);
  journalRows.forEach((row, i) => idBytes(row.id, fresh, i));
  let tail = firstOfEachId(journalRows).sort((a, b) => journalRows[a]!.timestampUs - journalRows[b]!.timestampUs || compareIds(fresh, a, fresh, b));
  if (tail.length > 0 && reader.size > 0) {
    // A copy of a row the snapshot holds is its row: only rows since the earliest one can be.
    const held = new Set<number>();
    reader.forEachIdChunk((ids, _first, n) => forEachIdIn(ids, n, fresh, tail, (_, i) => held.add(i)), reader.firstAtOrAfter(journalRows[tail[0]!]!.timestampUs));
    tail = tail.filter((i) => !held.has(i));
  }
  const places: number[] = [];
  for (const i of tail) places.push(placeOf(reader, journalRows[i]!.timestampUs, fresh, i, places.at(-1) ?? 0));
  for (const name of Object.keys(INTERNED) as InternedColumn[]) reader.checkInterned(name, INTERNED[name]);
  return new IndexInPlace(reader, tail.map((i) => journalRows[i]!), Uint32Array.from(places), chunkRows);
}

/** The first snapshot row at or after `from` that sorts after journal row `i` (start `us`, id in `ids`): the row it goes before. */
function placeOf(reader: SnapshotReader, us: number, ids: Uint8Array, i: number, from: number): number {
  let lo = Math.max(from, reader.firstAtOrAfter(us));
  for (;;) {
    if (lo >= reader.size) return reader.size;
    const key = reader.key(lo);
    if (key.timestampUs > us || compareIds(key.id, 0, ids, i) > 0) return lo;
    lo++;
  }
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
  /** Rows from the journal, oldest first: each column's values, interned into the tables here. */
  private readonly tail: Record<RowColumn, Numbers>;
  /** Where each journal row goes: before this snapshot row (the snapshot's size: after its last). */
  private readonly places: Uint32Array;
  /** Each journal row's number among all the rows. */
  private readonly tailRows: Uint32Array;
  private readonly snapshotRows: number;
  private readonly whole = new Map<RowColumn, Numbers>();
  /** Strings decoded lately: the rows on screen ask for the same ones every frame. */
  private readonly recent = new Map<number, string>();

  constructor(
    private readonly reader: SnapshotReader,
    journal: readonly HistoryRow[],
    places: Uint32Array,
    /** Rows a scan reads at a time (tests make it small, to read many chunks). */
    private readonly chunkRows = CHUNK_ROWS,
  ) {
    this.places = places;
    this.tailRows = places.map((place, j) => place + j);
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
    const { snapshotRows, places } = this;
    const starts: number[] = [];
    for (let from = 0; from < snapshotRows; from += this.chunkRows) starts.push(from);
    if (starts.length === 0) starts.push(0);
    // One buffer per column for every chunk: a scan's garbage would otherwise be its whole columns.
    const rows = Math.min(this.chunkRows, snapshotRows);
    const buffers = new Map(names.map((name) => [name, new ArrayBuffer(rows * WIDTH[name])]));
    const merged = new Map<C, Numbers>();
    const read = (from: number, last: boolean) => {
      const n = Math.min(this.chunkRows, snapshotRows - from);
      // The journal rows placed in this chunk: before one of its rows, or (the last) after them all.
      const first = lowerBound(places, from);
      const end = last ? places.length : lowerBound(places, from + n);
      const chunk = {} as Record<C, Numbers>;
      for (const name of names) {
        const values = n > 0 ? this.reader.numbers(name, from, n, buffers.get(name)) : new Float64Array(0);
        chunk[name] = first === end ? values : this.mergeTail(name, values, from, first, end, merged);
      }
      each(chunk, from + first, n + end - first);
    };
    const order = backwards ? [...starts].reverse() : starts;
    for (const from of order) read(from, from === starts.at(-1));
  }

  /** A chunk's values of `name` from row `from` with journal rows `first` to `end` placed among them. */
  private mergeTail<C extends RowColumn>(name: C, values: Numbers, from: number, first: number, end: number, buffers: Map<C, Numbers>): Numbers {
    const perRow = name === 'ids' ? 16 : 1;
    const size = values.length / perRow + end - first;
    let out = buffers.get(name);
    if (out === undefined || out.length < size * perRow) {
      const make = name === 'timestampUs' || name === 'durationMs' ? Float64Array : name === 'exitCode' ? Int32Array : name === 'ids' ? Uint8Array : Uint32Array;
      buffers.set(name, (out = new make(Math.max(size, this.chunkRows + this.places.length) * perRow)));
    }
    const tail = this.tail[name];
    let at = 0;
    let s = 0;
    for (let j = first; j <= end; j++) {
      const upTo = j < end ? this.places[j]! - from : values.length / perRow;
      out.set(values.subarray(s * perRow, upTo * perRow), at * perRow);
      at += upTo - s;
      s = upTo;
      if (j < end) out.set(tail.subarray(j * perRow, (j + 1) * perRow), at++ * perRow);
    }
    return out.subarray(0, size * perRow);
  }

  row(r: number): HistoryRow {
    if (!(r >= 0 && r < this.size)) throw new RangeError(`row ${r} is past the index's ${this.size}`);
    // A journal row's number, or the snapshot row after the journal rows before it.
    const before = lowerBound(this.tailRows, r);
    const j = this.tailRows[before] === r ? before : -1;
    const s = r - before;
    const value = (name: RowColumn) => (j < 0 ? this.reader.numbers(name, s, 1)[0]! : this.tail[name][j]!);
    const duration = value('durationMs');
    const exit = value('exitCode');
    const ids = j < 0 ? (this.reader.numbers('ids', s, 1) as Uint8Array) : this.tail.ids.subarray(j * 16);
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

/** The first position in `sorted` holding `value` or more. */
function lowerBound(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
