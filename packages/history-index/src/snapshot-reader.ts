// A snapshot read in place: positional reads of only the rows and strings a read needs, so that
// `bird history -n 20` over a million rows reads a few hundred kilobytes, not the whole file.
// Everything read is checked as decodeSnapshot checks it (an interned number names a string the
// table holds, a block holds as many strings as its starts say); anything else throws
// DamagedSnapshot and the caller rebuilds. Version 2 and 3 files: a version 1 file lacks the
// string starts, and its reader reads it whole (decodeSnapshot).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { idText } from './build-index.ts';
import { UNKNOWN_EXIT, type HistoryRow } from './history-index.ts';
import { DamagedSnapshot, decodeSnapshot, HEADER_AT, headerLength, parseHeader, sectionWidth, STRING_BLOCK, widenInterned, WIDTH, type DecodedSnapshot, type Header, type InternedColumn, type StringTable } from './snapshot-format.ts';

/** Rows of ids read at a time when looking for a few ids in all of them: 16 MB. */
const ID_CHUNK_ROWS = 1 << 20;

export class SnapshotReader {
  private readonly starts = new Map<StringTable, Uint32Array>();
  private readonly blocks = new Map<string, readonly string[]>();

  private constructor(
    private readonly fd: number,
    private readonly fileBytes: number,
    private readonly header: Header,
  ) {}

  /**
   * The snapshot at `path`, its header checked; null for a version 1 file (read it whole).
   * Throws ENOENT when there is none, {@link DamagedSnapshot} when it is not whole.
   */
  static open(path: string): SnapshotReader | null {
    const fd = openSync(path, 'r');
    try {
      const fileBytes = fstatSync(fd).size;
      const start = readAt(fd, Buffer.alloc(HEADER_AT), 0, fileBytes);
      const length = headerLength(start);
      const header = parseHeader(readAt(fd, Buffer.alloc(length), HEADER_AT, fileBytes), fileBytes);
      if (header.version < 2) {
        closeSync(fd);
        return null;
      }
      return new SnapshotReader(fd, fileBytes, header);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get size(): number {
    return this.header.size;
  }

  get builtAtMs(): number {
    return this.header.builtAtMs;
  }

  get journal(): string | undefined {
    return typeof this.header.journal === 'string' ? this.header.journal : undefined;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Rows `from` to `to` (exclusive), oldest first, as decodeSnapshot and rowAt would give them. */
  rows(from: number, to: number): HistoryRow[] {
    const n = to - from;
    if (n <= 0) return [];
    const timestampUs = new Float64Array(this.column('timestampUs', from, n));
    const durationMs = new Float64Array(this.column('durationMs', from, n));
    const exitCode = new Int32Array(this.column('exitCode', from, n));
    const cmd = this.interned('cmd', from, n);
    const cwd = this.interned('cwd', from, n);
    const session = this.interned('session', from, n);
    const host = this.interned('host', from, n);
    const source = this.interned('source', from, n);
    const ids = new Uint8Array(this.column('ids', from, n));
    const rows: HistoryRow[] = [];
    for (let r = 0; r < n; r++) {
      const duration = durationMs[r]!;
      const exit = exitCode[r]!;
      rows.push({
        id: idText(ids, r),
        timestampUs: timestampUs[r]!,
        durationMs: Number.isNaN(duration) ? null : duration,
        exitCode: exit === UNKNOWN_EXIT ? null : exit,
        cmd: this.string('commands', cmd[r]!),
        cwd: this.string('dirs', cwd[r]!),
        session: this.string('sessions', session[r]!),
        host: this.string('hosts', host[r]!),
        source: this.string('sources', source[r]!),
      });
    }
    return rows;
  }

  /** The whole snapshot, decoded as loadHistory decodes it: for a read of most rows. */
  whole(): DecodedSnapshot {
    // One read of the size fstat gave (readFileSync of an fd reads it in small pieces: twice as slow).
    const file = Buffer.allocUnsafeSlow(this.fileBytes);
    readExactly(this.fd, file, 0);
    return decodeSnapshot(file);
  }

  /** Row `r`'s start and id bytes, for placing rows of elsewhere (the journal) among these. */
  key(r: number): { timestampUs: number; id: Uint8Array } {
    return { timestampUs: new Float64Array(this.column('timestampUs', r, 1))[0]!, id: new Uint8Array(this.column('ids', r, 1)) };
  }

  /**
   * Calls `each` with the ids of rows `start` to `end` (exclusive; every row by default), a chunk
   * at a time (16 bytes a row), and the row the chunk starts at. A chunk is valid only during its
   * call: every chunk is read into the same buffer.
   */
  forEachIdChunk(each: (ids: Uint8Array, firstRow: number, rows: number) => void, start = 0, end = this.size): void {
    const buffer = new ArrayBuffer(Math.max(0, Math.min(ID_CHUNK_ROWS, end - start)) * 16);
    for (let from = start; from < end; from += ID_CHUNK_ROWS) {
      const n = Math.min(ID_CHUNK_ROWS, end - from);
      each(new Uint8Array(this.column('ids', from, n, buffer), 0, n * 16), from, n);
    }
  }

  /** The first row whose start is at or after `us`: a binary search of a few positional reads. */
  firstAtOrAfter(us: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.key(mid).timestampUs < us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The header's count of strings in a table. */
  stringCount(table: StringTable): number {
    return this.header.sections[table].count!;
  }

  /**
   * `n` rows of a numeric section from row `from`, as the file holds them: an interned column as
   * narrow as its table allows (1, 2 or 4 bytes; unchecked: see checkInterned), ids 16 bytes a row.
   */
  numbers(name: keyof typeof WIDTH, from: number, n: number, into?: ArrayBuffer): Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array {
    const bytes = this.column(name, from, n, into);
    if (name === 'timestampUs' || name === 'durationMs') return new Float64Array(bytes, 0, n);
    if (name === 'exitCode') return new Int32Array(bytes, 0, n);
    const width = sectionWidth(this.header, name);
    return width === 1 || name === 'ids' ? new Uint8Array(bytes, 0, n * (name === 'ids' ? 16 : 1)) : width === 2 ? new Uint16Array(bytes, 0, n) : new Uint32Array(bytes, 0, n);
  }

  /**
   * A string table's bytes (UTF-8, NUL-separated) at the start of a buffer `room` bytes longer,
   * and where each string starts (one more entry: the end of the last one plus one). Damaged
   * when it holds another number of strings than the header says.
   */
  tableBytes(table: StringTable, room = 0): { bytes: Buffer; starts: Uint32Array } {
    const section = this.header.sections[table];
    const count = section.count!;
    const bytes = Buffer.allocUnsafeSlow(section.bytes + room);
    readExactly(this.fd, bytes.subarray(0, section.bytes), section.offset);
    const starts = new Uint32Array(count + 1);
    // One pass in JS: a native indexOf per string costs more in calls than it saves at 3M strings.
    let k = 1;
    for (let i = 0; i < section.bytes; i++) {
      if (bytes[i] !== 0) continue;
      if (k >= count) throw new DamagedSnapshot(`its ${table} section is damaged`);
      starts[k++] = i + 1;
    }
    if (count === 0 ? section.bytes !== 0 : k !== count) throw new DamagedSnapshot(`its ${table} section is damaged`);
    starts[count] = section.bytes + 1;
    return { bytes, starts };
  }

  /** A whole string table, decoded (the small ones: folders, sessions, hosts, sources). */
  strings(table: StringTable): string[] {
    const section = this.header.sections[table];
    if (section.count === 0) return [];
    const bytes = Buffer.alloc(section.bytes);
    readExactly(this.fd, bytes, section.offset);
    const values = bytes.toString('utf8').split('\0');
    if (values.length !== section.count) throw new DamagedSnapshot(`its ${table} section is damaged`);
    return values;
  }

  /** Every row's number in an interned column names a string of its table; throws {@link DamagedSnapshot} otherwise. Reads it a chunk at a time. */
  checkInterned(name: InternedColumn, table: StringTable): void {
    const count = this.header.sections[table].count!;
    const buffer = new ArrayBuffer(Math.min(ID_CHUNK_ROWS, this.size) * 4);
    for (let from = 0; from < this.size; from += ID_CHUNK_ROWS) {
      const values = this.numbers(name, from, Math.min(ID_CHUNK_ROWS, this.size - from), buffer);
      for (let i = 0; i < values.length; i++) if (values[i]! >= count) throw new DamagedSnapshot('it names a string it does not hold');
    }
  }

  /** `n` rows of an interned column from row `from`, as the index holds them. */
  private interned(name: InternedColumn, from: number, n: number): Uint32Array {
    return widenInterned(this.column(name, from, n), 0, n, sectionWidth(this.header, name));
  }

  /**
   * `n` rows of a numeric section from row `from`, in a buffer of their own (aligned for any
   * typed array), or at the start of `into` (a scan reusing one buffer for every chunk).
   */
  private column(name: keyof typeof WIDTH, from: number, n: number, into?: ArrayBuffer): ArrayBuffer | SharedArrayBuffer {
    if (from < 0 || from + n > this.size) throw new RangeError(`rows ${from}..${from + n} are past the snapshot's ${this.size}`);
    const width = sectionWidth(this.header, name);
    const out = into === undefined ? new ArrayBuffer(n * width) : into;
    readExactly(this.fd, new Uint8Array(out, 0, n * width), this.header.sections[name].offset + from * width);
    return out;
  }

  /** String `k` of a table, reading (once) the block that holds it. */
  private string(table: StringTable, k: number): string {
    const { count } = this.header.sections[table];
    if (k >= count!) throw new DamagedSnapshot('it names a string it does not hold');
    const block = Math.floor(k / STRING_BLOCK);
    const key = `${table}:${block}`;
    let values = this.blocks.get(key);
    if (values === undefined) {
      values = this.readBlock(table, block);
      this.blocks.set(key, values);
    }
    return values[k - block * STRING_BLOCK]!;
  }

  private readBlock(table: StringTable, block: number): readonly string[] {
    const section = this.header.sections[table];
    const starts = this.startsOf(table);
    const from = starts[block]!;
    // A block ends at the NUL before the next one's start, or at the table's end.
    const to = block + 1 < starts.length ? starts[block + 1]! - 1 : section.bytes;
    const want = Math.min(STRING_BLOCK, section.count! - block * STRING_BLOCK);
    if (to < from) throw new DamagedSnapshot(`its ${table} section is damaged`);
    const bytes = Buffer.alloc(to - from);
    readExactly(this.fd, bytes, section.offset + from);
    const values = bytes.toString('utf8').split('\0');
    if (values.length !== want) throw new DamagedSnapshot(`its ${table} section is damaged`);
    return values;
  }

  /** A table's block starts, checked: the first at 0, never going back, within the table. */
  private startsOf(table: StringTable): Uint32Array {
    let starts = this.starts.get(table);
    if (starts !== undefined) return starts;
    const section = this.header.sections[`${table}Starts`];
    starts = new Uint32Array(section.bytes / 4);
    readExactly(this.fd, new Uint8Array(starts.buffer), section.offset);
    const tableBytes = this.header.sections[table].bytes;
    for (let b = 0; b < starts.length; b++) {
      const ok = b === 0 ? starts[0] === 0 : starts[b]! > starts[b - 1]! && starts[b]! <= tableBytes;
      if (!ok) throw new DamagedSnapshot(`its ${table} section is damaged`);
    }
    this.starts.set(table, starts);
    return starts;
  }
}

/** Fills `into` from `position`; a file shorter than its header says is damaged. */
function readExactly(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw new DamagedSnapshot('it is cut short');
    done += got;
  }
}

function readAt(fd: number, into: Buffer, position: number, fileBytes: number): Buffer {
  if (position + into.length > fileBytes) throw new DamagedSnapshot('it is cut short');
  readExactly(fd, into, position);
  return into;
}
