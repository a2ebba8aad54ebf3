import { UNKNOWN_EXIT, type HistoryIndex, type HistoryRow } from './history-index.ts';

/**
 * Up to this many lookups an Interner scans its initial values instead of mapping them all: a
 * journal's few rows merged into a million-row index look up a few strings, and mapping the
 * index's ~300,000 distinct commands first cost more than the rest of the merge.
 */
const SCAN_LOOKUPS = 32;

/** Interns strings: each distinct value gets the next number, after `initial`'s, which keep theirs. */
class Interner {
  private readonly added: string[] = [];
  private numbers: Map<string, number> | null = null;
  private lookups = 0;
  constructor(private readonly initial: readonly string[] = []) {}

  number(value: string): number {
    if (this.numbers === null && ++this.lookups > SCAN_LOOKUPS) {
      this.numbers = new Map();
      // The first of two equal values keeps its number, as indexOf finds it.
      for (const [n, v] of this.values.entries()) if (!this.numbers.has(v)) this.numbers.set(v, n);
    }
    let n = this.numbers === null ? this.scan(value) : this.numbers.get(value);
    if (n === undefined) {
      n = this.initial.length + this.added.push(value) - 1;
      this.numbers?.set(value, n);
    }
    return n;
  }

  /** Every value by its number: `initial` itself when nothing was added. */
  get values(): readonly string[] {
    return this.added.length === 0 ? this.initial : [...this.initial, ...this.added];
  }

  private scan(value: string): number | undefined {
    const n = this.initial.indexOf(value);
    if (n >= 0) return n;
    const a = this.added.indexOf(value);
    return a >= 0 ? this.initial.length + a : undefined;
  }
}

const HEX = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Row `row`'s 16 bytes in `into`: a UUID's own; an id that is not a UUID (a foreign lake's) hashed into 16. */
export function idBytes(id: string, into: Uint8Array, row: number): void {
  const at = row * 16;
  if (HEX.test(id)) {
    const hex = id.replaceAll('-', '');
    for (let i = 0; i < 16; i++) into[at + i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return;
  }
  // FNV-1a over the text, spread over 16 bytes: equal ids give equal bytes, which is all dedupe needs.
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) into[at + i] = 0;
  for (let i = 0; i < id.length; i++) {
    h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
    into[at + (i % 16)] = (into[at + (i % 16)]! ^ h) & 0xff;
  }
}

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Row `row`'s id as a UUID's text. A table, not toString(16) and padStart per byte: the output search makes one per row (4x faster). */
export function idText(ids: Uint8Array, row: number): string {
  const at = row * 16;
  const hex = (from: number, to: number) => {
    let text = '';
    for (let i = from; i < to; i++) text += BYTE_HEX[ids[at + i]!]!;
    return text;
  };
  return `${hex(0, 4)}-${hex(4, 6)}-${hex(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

/** An index of exactly these rows (a copy of the store), oldest first. */
export function buildIndex(rows: readonly HistoryRow[]): HistoryIndex {
  return mergeRows(EMPTY_INDEX, rows, { dedupe: false });
}

export const EMPTY_INDEX: HistoryIndex = {
  size: 0,
  timestampUs: new Float64Array(0),
  durationMs: new Float64Array(0),
  exitCode: new Int32Array(0),
  cmd: new Uint32Array(0),
  cwd: new Uint32Array(0),
  session: new Uint32Array(0),
  host: new Uint32Array(0),
  source: new Uint32Array(0),
  ids: new Uint8Array(0),
  commands: [],
  dirs: [],
  sessions: [],
  hosts: [],
  sources: [],
};

/**
 * `index` (built elsewhere, e.g. by the store in DuckDB) with the 16 bytes of the rows whose id
 * is not a UUID filled in (`others`: hashed, as idBytes does), and in the index's order: start,
 * then id bytes. Rows already in that order are kept as they are; otherwise they are sorted.
 */
export function orderedIndex(index: HistoryIndex, others: readonly { row: number; id: string }[]): HistoryIndex {
  const { size, timestampUs: ts, ids } = index;
  for (const { row, id } of others) idBytes(id, ids, row);
  let ordered = true;
  for (let r = 1; r < size && ordered; r++) ordered = ts[r - 1]! < ts[r]! || (ts[r - 1] === ts[r] && compareIds(ids, r - 1, ids, r) <= 0);
  if (ordered) return index;
  const order = Uint32Array.from({ length: size }, (_, r) => r).sort((a, b) => ts[a]! - ts[b]! || compareIds(ids, a, ids, b));
  const pick = <T extends Float64Array | Int32Array | Uint32Array>(column: T): T => {
    const out = new (column.constructor as new (n: number) => T)(size);
    for (let r = 0; r < size; r++) out[r] = column[order[r]!]!;
    return out;
  };
  const sortedIds = new Uint8Array(size * 16);
  for (let r = 0; r < size; r++) sortedIds.set(ids.subarray(order[r]! * 16, order[r]! * 16 + 16), r * 16);
  return {
    ...index,
    timestampUs: pick(index.timestampUs),
    durationMs: pick(index.durationMs),
    exitCode: pick(index.exitCode),
    cmd: pick(index.cmd),
    cwd: pick(index.cwd),
    session: pick(index.session),
    host: pick(index.host),
    source: pick(index.source),
    ids: sortedIds,
  };
}

function compareIds(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let i = 0; i < 16; i++) {
    const d = a[ai * 16 + i]! - b[bi * 16 + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The base index with these rows added. With `dedupe` (journal rows over a snapshot), a row
 * whose id the base or an earlier row already has is left out: a drainer that redid a batch
 * journaled it twice, and a rebuild may have taken in a row that is still in the live journal.
 * The id alone decides, since a redo can date a row a few milliseconds apart (clockless fish).
 * Rows are usually newer than the base, so this sorts only the new part, then merges.
 */
export function mergeRows(base: HistoryIndex, rows: readonly HistoryRow[], { dedupe = true }: { dedupe?: boolean } = {}): HistoryIndex {
  const fresh = new Uint8Array(rows.length * 16);
  rows.forEach((row, i) => idBytes(row.id, fresh, i));
  let candidates = rows.map((_, i) => i);
  if (dedupe) {
    candidates = firstOfEachId(rows);
    const inBase = idsInBase(base, fresh, candidates);
    candidates = candidates.filter((i) => !inBase.has(i));
  }
  const keep = candidates.sort((a, b) => rows[a]!.timestampUs - rows[b]!.timestampUs || compareIds(fresh, a, fresh, b));
  if (keep.length === 0) return base;

  const size = base.size + keep.length;
  const commands = new Interner(base.commands);
  const dirs = new Interner(base.dirs);
  const sessions = new Interner(base.sessions);
  const hosts = new Interner(base.hosts);
  const sources = new Interner(base.sources);
  const out = newColumns(size);
  let b = 0;
  let n = 0;
  // The base rows before each new one are copied as runs: new rows are few and mostly the newest.
  const copyBaseUntil = (to: number) => {
    if (to <= b) return;
    copyRows(base, b, to, out, n);
    n += to - b;
    b = to;
  };
  for (const i of keep) {
    const row = rows[i]!;
    // The first base row at or after this one, by start then id (the base is in that order).
    let lo = b;
    let hi = base.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = base.timestampUs[mid]!;
      if (t < row.timestampUs || (t === row.timestampUs && compareIds(base.ids, mid, fresh, i) < 0)) lo = mid + 1;
      else hi = mid;
    }
    copyBaseUntil(lo);
    out.timestampUs[n] = row.timestampUs;
    out.durationMs[n] = row.durationMs ?? NaN;
    out.exitCode[n] = row.exitCode ?? UNKNOWN_EXIT;
    out.cmd[n] = commands.number(row.cmd);
    out.cwd[n] = dirs.number(row.cwd);
    out.session[n] = sessions.number(row.session);
    out.host[n] = hosts.number(row.host);
    out.source[n] = sources.number(row.source);
    out.ids.set(fresh.subarray(i * 16, i * 16 + 16), n * 16);
    n++;
  }
  copyBaseUntil(base.size);
  return { size, ...out, commands: commands.values, dirs: dirs.values, sessions: sessions.values, hosts: hosts.values, sources: sources.values };
}

/** The rows that are the first with their id (ids compared as dedupe compares them: case and dashes aside). */
export function firstOfEachId(rows: readonly HistoryRow[]): number[] {
  const seen = new Set<string>();
  return rows.flatMap((row, i) => {
    const key = row.id.toLowerCase().replaceAll('-', '');
    if (seen.has(key)) return [];
    seen.add(key);
    return [i];
  });
}

/** Which of the candidate rows' ids the base holds. */
function idsInBase(base: HistoryIndex, ids: Uint8Array, candidates: readonly number[]): Set<number> {
  const found = new Set<number>();
  forEachIdInBase(base, ids, candidates, (_, i) => found.add(i));
  return found;
}

function forEachIdInBase(base: HistoryIndex, ids: Uint8Array, candidates: readonly number[], hit: (r: number, i: number) => void): void {
  forEachIdIn(base.ids, base.size, ids, candidates, hit);
}

/**
 * Calls `hit(r, i)` for each base row `r` whose id is candidate `i`'s. One pass over the base
 * reading two bytes of each row's id against a bit table of the (few) candidates' same two bytes;
 * full ids are compared only on a hit. The last bytes of a UUIDv7 are random, so a million-row
 * base costs about one table read a row.
 */
export function forEachIdIn(baseIds: Uint8Array, baseSize: number, ids: Uint8Array, candidates: readonly number[], hit: (r: number, i: number) => void): void {
  if (candidates.length === 0 || baseSize === 0) return;
  const key = (bytes: Uint8Array, row: number) => (bytes[row * 16 + 14]! << 8) | bytes[row * 16 + 15]!;
  const maybe = new Uint8Array(65_536);
  const byKey = new Map<number, number[]>();
  for (const i of candidates) {
    const k = key(ids, i);
    maybe[k] = 1;
    (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(i);
  }
  for (let r = 0, at = 14; r < baseSize; r++, at += 16) {
    if (maybe[(baseIds[at]! << 8) | baseIds[at + 1]!] === 0) continue;
    for (const i of byKey.get(key(baseIds, r))!) if (compareIds(baseIds, r, ids, i) === 0) hit(r, i);
  }
}

/**
 * The index without the rows of these ids (commands removed from the store), and without the
 * strings only those rows used: a forgotten command's text is in none of its tables.
 */
export function withoutIds(base: HistoryIndex, removed: readonly string[]): HistoryIndex {
  const ids = new Uint8Array(removed.length * 16);
  removed.forEach((id, i) => idBytes(id, ids, i));
  const drop = new Set<number>();
  forEachIdInBase(base, ids, removed.map((_, i) => i), (r) => drop.add(r));
  return drop.size === 0 ? base : withoutRows(base, drop);
}

/** The index without rows `drop`, and without the strings only they used. */
function withoutRows(base: HistoryIndex, drop: ReadonlySet<number>): HistoryIndex {
  const size = base.size - drop.size;
  const out = newColumns(size);
  let n = 0;
  // Runs of kept rows are copied whole: a forget drops a few rows of a million.
  let from = 0;
  const copyRun = (to: number) => {
    if (to <= from) return;
    copyRows(base, from, to, out, n);
    n += to - from;
  };
  for (const r of [...drop].sort((a, b) => a - b)) {
    copyRun(r);
    from = r + 1;
  }
  copyRun(base.size);
  const commands = keepUsed(base.commands, out.cmd);
  const dirs = keepUsed(base.dirs, out.cwd);
  const sessions = keepUsed(base.sessions, out.session);
  const hosts = keepUsed(base.hosts, out.host);
  const sources = keepUsed(base.sources, out.source);
  return { size, ...out, commands, dirs, sessions, hosts, sources };
}

/** The values some row of `column` refers to, in their order; `column` is renumbered to match. */
function keepUsed(values: readonly string[], column: Uint32Array): readonly string[] {
  const renumber = new Int32Array(values.length).fill(-1);
  for (let r = 0; r < column.length; r++) renumber[column[r]!] = 0;
  const kept: string[] = [];
  for (let v = 0; v < values.length; v++) if (renumber[v] === 0) renumber[v] = kept.push(values[v]!) - 1;
  if (kept.length === values.length) return values;
  for (let r = 0; r < column.length; r++) column[r] = renumber[column[r]!]!;
  return kept;
}

/** An index's per-row columns for `size` rows, zeroed: what a merge, a removal or a read fills. */
export function newColumns(size: number) {
  return {
    timestampUs: new Float64Array(size),
    durationMs: new Float64Array(size),
    exitCode: new Int32Array(size),
    cmd: new Uint32Array(size),
    cwd: new Uint32Array(size),
    session: new Uint32Array(size),
    host: new Uint32Array(size),
    source: new Uint32Array(size),
    ids: new Uint8Array(size * 16),
  };
}

/** Rows `from`..`to` (exclusive) of `base`, every column, copied into `out` from row `at`. */
function copyRows(base: HistoryIndex, from: number, to: number, out: ReturnType<typeof newColumns>, at: number): void {
  out.timestampUs.set(base.timestampUs.subarray(from, to), at);
  out.durationMs.set(base.durationMs.subarray(from, to), at);
  out.exitCode.set(base.exitCode.subarray(from, to), at);
  out.cmd.set(base.cmd.subarray(from, to), at);
  out.cwd.set(base.cwd.subarray(from, to), at);
  out.session.set(base.session.subarray(from, to), at);
  out.host.set(base.host.subarray(from, to), at);
  out.source.set(base.source.subarray(from, to), at);
  out.ids.set(base.ids.subarray(from * 16, to * 16), at * 16);
}

/** Row `r` of an index as a plain object (for tests, the journal, and printing). */
export function rowAt(index: HistoryIndex, r: number): HistoryRow {
  return {
    id: idText(index.ids, r),
    timestampUs: index.timestampUs[r]!,
    durationMs: Number.isNaN(index.durationMs[r]!) ? null : index.durationMs[r]!,
    exitCode: index.exitCode[r] === UNKNOWN_EXIT ? null : index.exitCode[r]!,
    cmd: index.commands[index.cmd[r]!]!,
    cwd: index.dirs[index.cwd[r]!]!,
    session: index.sessions[index.session[r]!]!,
    host: index.hosts[index.host[r]!]!,
    source: index.sources[index.source[r]!]!,
  };
}

/** The first row whose start is at or after `us` (rows are sorted by start). */
export function lowerBound(timestamps: Float64Array, size: number, us: number): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timestamps[mid]! < us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Start, then id bytes: the index's order, for readers that place rows among its rows (recent-history.ts). */
export { compareIds };
