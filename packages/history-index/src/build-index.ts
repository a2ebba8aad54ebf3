import { UNKNOWN_EXIT, type HistoryIndex, type HistoryRow } from './history-index.ts';

/** Interns strings: each distinct value gets the next number. */
class Interner {
  readonly values: string[] = [];
  private readonly numbers = new Map<string, number>();
  constructor(initial: readonly string[] = []) {
    for (const value of initial) this.number(value);
  }
  number(value: string): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.values.push(value);
      this.numbers.set(value, n);
    }
    return n;
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

export function idText(ids: Uint8Array, row: number): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += ids[row * 16 + i]!.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
    const seen = new Set<string>();
    candidates = candidates.filter((i) => {
      const key = rows[i]!.id.toLowerCase().replaceAll('-', '');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
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
  const out = {
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
  let b = 0;
  let n = 0;
  const copyBase = () => {
    out.timestampUs[n] = base.timestampUs[b]!;
    out.durationMs[n] = base.durationMs[b]!;
    out.exitCode[n] = base.exitCode[b]!;
    out.cmd[n] = base.cmd[b]!;
    out.cwd[n] = base.cwd[b]!;
    out.session[n] = base.session[b]!;
    out.host[n] = base.host[b]!;
    out.source[n] = base.source[b]!;
    out.ids.set(base.ids.subarray(b * 16, b * 16 + 16), n * 16);
    b++;
    n++;
  };
  for (const i of keep) {
    const row = rows[i]!;
    while (b < base.size && (base.timestampUs[b]! < row.timestampUs || (base.timestampUs[b] === row.timestampUs && compareIds(base.ids, b, fresh, i) < 0))) copyBase();
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
  while (b < base.size) copyBase();
  return { size, ...out, commands: commands.values, dirs: dirs.values, sessions: sessions.values, hosts: hosts.values, sources: sources.values };
}

/** Which of the candidate rows' ids the base holds. */
function idsInBase(base: HistoryIndex, ids: Uint8Array, candidates: readonly number[]): Set<number> {
  const found = new Set<number>();
  forEachIdInBase(base, ids, candidates, (_, i) => found.add(i));
  return found;
}

/**
 * Calls `hit(r, i)` for each base row `r` whose id is candidate `i`'s. One pass over the base
 * comparing four bytes per row against a table of the (few) candidates; full ids are compared
 * only on a hit.
 */
function forEachIdInBase(base: HistoryIndex, ids: Uint8Array, candidates: readonly number[], hit: (r: number, i: number) => void): void {
  if (candidates.length === 0 || base.size === 0) return;
  const tail = (bytes: Uint8Array, row: number) => ((bytes[row * 16 + 12]! << 24) | (bytes[row * 16 + 13]! << 16) | (bytes[row * 16 + 14]! << 8) | bytes[row * 16 + 15]!) >>> 0;
  const byTail = new Map<number, number[]>();
  for (const i of candidates) {
    const key = tail(ids, i);
    (byTail.get(key) ?? byTail.set(key, []).get(key)!).push(i);
  }
  for (let r = 0; r < base.size; r++) {
    const hits = byTail.get(tail(base.ids, r));
    if (!hits) continue;
    for (const i of hits) if (compareIds(base.ids, r, ids, i) === 0) hit(r, i);
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
  const out = {
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
  let n = 0;
  // Runs of kept rows are copied whole: a forget drops a few rows of a million.
  let from = 0;
  const copyRun = (to: number) => {
    if (to <= from) return;
    out.timestampUs.set(base.timestampUs.subarray(from, to), n);
    out.durationMs.set(base.durationMs.subarray(from, to), n);
    out.exitCode.set(base.exitCode.subarray(from, to), n);
    out.cmd.set(base.cmd.subarray(from, to), n);
    out.cwd.set(base.cwd.subarray(from, to), n);
    out.session.set(base.session.subarray(from, to), n);
    out.host.set(base.host.subarray(from, to), n);
    out.source.set(base.source.subarray(from, to), n);
    out.ids.set(base.ids.subarray(from * 16, to * 16), n * 16);
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
