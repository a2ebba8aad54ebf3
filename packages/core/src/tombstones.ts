/**
 * What was forgotten on this machine, kept for good so that nothing brings it back: not a redo of
 * a drainer's claim, not an import of a history file that still holds the command, not a pull of a
 * lake that still holds a copy. One file per forget in `db/tombstones/`, `<uuidv7>.jsonl`, written
 * whole or not at all, a line per command: `{"id","series","at","by","why"}`. This machine's
 * forgets and the ones pulled from teammates' series (`by` says whose) are kept alike.
 *
 * A range forget is one line for a whole series: `{"series","before","at","by","why"}` takes every
 * command of the series that started before `before` (retention, `bird forget --before`), so that
 * forgetting a million commands is one line, not a million, for every capture to read.
 *
 * Read back as untrusted input (a crash or a hand can damage any of it): a line that does not
 * parse, or whose id is not a plain id, is skipped; a forget that left no readable file is simply
 * run again. Reading needs no DuckDB: the capture path checks it.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { BirdError } from './errors.ts';
import { uuidv7 } from './ids.ts';
import { sha256, toHex } from './sha256.ts';
import type { BirdLayout } from './paths.ts';

export const TOMBSTONE_REASONS = ['forget', 'retention', 'redact'] as const;
export type TombstoneReason = (typeof TOMBSTONE_REASONS)[number];

export interface Tombstone {
  /** The command's id (an invocation's; what hangs off it goes with it). */
  readonly id: string;
  /**
   * The series the command belongs to: its client_id. A tombstone holds only there: a teammate's
   * tombstone, pulled from their series, can never take another series' rows.
   */
  readonly series: string;
  /** When it was forgotten, ISO 8601. */
  readonly at: string;
  /** The client id of the store that forgot it. */
  readonly by: string;
  readonly why: TombstoneReason;
  /**
   * This machine's forgets also keep what the command was, as a fingerprint (SHA-256 of its text,
   * hex) and its start (epoch µs, decimal): an import of a history file that still holds the line
   * makes another id for it, and is recognised by these instead.
   */
  readonly cmdHash?: string;
  readonly startUs?: string;
}

/** Every command of one series that started before an instant: a range forget. */
export interface RangeTombstone {
  /** The series (a client_id): the range holds there only, as an id tombstone does. */
  readonly series: string;
  /** The instant, ISO 8601 in UTC to the millisecond (`2026-01-01T00:00:00.000Z`); commands that started at it or later stay. */
  readonly before: string;
  readonly at: string;
  readonly by: string;
  readonly why: TombstoneReason;
}

/** An instant as a range forget writes it: UTC, to the millisecond, nothing else. */
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

/** `before` of a range forget checked (read back from a file or a lake): the same text, or null when it is not an instant bird writes. */
export function checkInstant(value: unknown): string | null {
  if (typeof value !== 'string' || !INSTANT.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value ? value : null;
}

/** An instant (checkInstant's) in epoch microseconds, as the store's timestamps are compared. */
export function instantMicros(instant: string): bigint {
  return BigInt(Date.parse(instant)) * 1000n;
}

/** The fingerprint a tombstone keeps of a command's text. */
export function commandFingerprint(cmd: string): string {
  return toHex(sha256(cmd));
}

/** A command's id as bird makes them (UUIDv7) or other tools may: plain, short, no control character. */
export const COMMAND_ID = /^[0-9A-Za-z][0-9A-Za-z_.:-]{0,127}$/;

/** Writes one forget's tombstones as a new file (durably: it must outlive the rows it removes). Returns its path. */
export function writeTombstones(layout: BirdLayout, tombstones: readonly (Tombstone | RangeTombstone)[]): string {
  const path = join(layout.tombstones, `${uuidv7(Date.now())}.jsonl`);
  writeFileAtomic(path, tombstones.map((t) => `${JSON.stringify(t)}\n`).join(''), { tmpDir: layout.tmp, mode: 0o600 });
  return path;
}

/**
 * The tombstone files kept here, oldest first; none when nothing was ever forgotten. A folder
 * that is there but cannot be read stops whatever asked (rows must not come in past a forget
 * nobody can see): the caller fails and is retried later, and the sentence says what to fix.
 */
function tombstoneFiles(layout: BirdLayout): string[] {
  try {
    return readdirSync(layout.tombstones).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw unreadable(layout.tombstones, error);
  }
}

function unreadable(path: string, error: unknown): BirdError {
  const why = (error as NodeJS.ErrnoException).code ?? String(error);
  return new BirdError(`cannot read ${path}, which lists the commands forgotten here (${why}); make it readable (\`chmod -R u+rwX\` on it), then run the command again.`, { cause: error });
}

/** True when anything was ever forgotten here: one listing, for the hot path to skip the rest. */
export function hasTombstones(layout: BirdLayout): boolean {
  return tombstoneFiles(layout).length > 0;
}

/**
 * Writes range forgets as a new file, then deletes the older files it makes redundant: those
 * holding nothing but range forgets, each of a series the new file forgets as far or further. A
 * retention that moves its cutoff every day so keeps one file, not one per day; a crash between
 * the write and the deletes leaves both, which say together what the new one says alone.
 */
export function writeRangeTombstones(layout: BirdLayout, ranges: readonly RangeTombstone[]): string {
  const path = writeTombstones(layout, ranges);
  const written = basename(path);
  const reach = new Map(ranges.map((r) => [r.series, instantMicros(r.before)]));
  for (const name of tombstoneFiles(layout)) {
    if (name === written) continue;
    const read = readTombstoneFile(layout, name);
    if (read === null || read.damaged > 0 || read.ids.length > 0 || read.ranges.length === 0) continue;
    if (read.ranges.every((r) => (reach.get(r.series) ?? -1n) >= instantMicros(r.before))) rmSync(join(layout.tombstones, name), { force: true });
  }
  return path;
}

/**
 * The range forgets to write to forget every command of `series` before `before`: one for each
 * series whose range forget (in `known`) does not reach that far already. Empty when nothing moves.
 */
export function furtherRanges(known: Forgotten | null, series: Iterable<string>, before: string, note: Pick<RangeTombstone, 'at' | 'by' | 'why'>): RangeTombstone[] {
  const cutoff = instantMicros(before);
  return [...new Set(series)]
    .filter((s) => {
      const current = known?.rangeOf(s);
      return current === undefined || instantMicros(current.before) < cutoff;
    })
    .sort()
    .map((s) => ({ series: s, before, ...note }));
}

/** Forgotten commands, by series and id, and by what they were; and whole series before an instant. */
export class Forgotten {
  private readonly keys = new Set<string>();
  private readonly starts = new Map<string, bigint[]>();
  private readonly cutoffs = new Map<string, { range: RangeTombstone; us: bigint }>();
  readonly all: Tombstone[] = [];
  /** Each series' furthest range forget. */
  addRange(r: RangeTombstone): void {
    const us = instantMicros(r.before);
    const known = this.cutoffs.get(r.series);
    if (!known || us > known.us) this.cutoffs.set(r.series, { range: r, us });
  }
  /** The furthest range forget of each series. */
  get ranges(): RangeTombstone[] {
    return [...this.cutoffs.values()].map((c) => c.range);
  }
  /** The furthest range forget of `series`, if any. */
  rangeOf(series: string): RangeTombstone | undefined {
    return this.cutoffs.get(series)?.range;
  }
  /** True when a range forget of `series` takes a command that started at `startUs` (epoch µs). */
  before(series: string, startUs: bigint): boolean {
    const cutoff = this.cutoffs.get(series);
    return cutoff !== undefined && startUs < cutoff.us;
  }
  add(t: Tombstone): void {
    const key = `${t.series}\0${t.id}`;
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.all.push(t);
    if (t.cmdHash !== undefined && t.startUs !== undefined && /^-?[0-9]{1,20}$/.test(t.startUs)) {
      const list = this.starts.get(t.cmdHash) ?? this.starts.set(t.cmdHash, []).get(t.cmdHash)!;
      list.push(BigInt(t.startUs));
    }
  }
  /**
   * True when command `id` of series `series` (its client_id) was forgotten: by its id, or, given
   * its start (epoch µs), by a range forget of its series.
   */
  has(series: string, id: string, startUs?: bigint | null): boolean {
    return this.keys.has(`${series}\0${id}`) || (startUs !== undefined && startUs !== null && this.before(series, startUs));
  }
  /**
   * True when a command with this text was forgotten here and started within `withinUs` of
   * `startUs`; a history entry with no time of its own (`null`) matches any start of that text.
   */
  wasForgotten(cmd: string, startUs: bigint | null, withinUs: bigint): boolean {
    const starts = this.starts.get(commandFingerprint(cmd));
    if (!starts) return false;
    if (startUs === null) return true;
    return starts.some((s) => (s > startUs ? s - startUs : startUs - s) <= withinUs);
  }
  /** Tombstones held: commands by id, and series with a range forget. */
  get size(): number {
    return this.all.length + this.cutoffs.size;
  }
}

let cached: { key: string; forgotten: Forgotten } | null = null;

/**
 * Every command forgotten here. Kept in memory while the folder is unchanged (a drainer asks at
 * every batch). With `writtenSinceMs`, only the tombstones written since then, told by their
 * files' names (UUIDv7s, made when written): see withoutForgotten in store, the capture path.
 */
export function forgotten(layout: BirdLayout, writtenSinceMs?: number): Forgotten {
  const all = tombstoneFiles(layout);
  const names = writtenSinceMs === undefined ? all : all.filter((n) => (writtenAtMs(n) ?? Infinity) >= writtenSinceMs);
  const key = `${layout.tombstones}\n${names.map((n) => `${n}:${statSync(join(layout.tombstones, n), { throwIfNoEntry: false })?.size ?? -1}`).join('\n')}`;
  if (cached?.key === key) return cached.forgotten;
  const set = new Forgotten();
  for (const name of names) {
    const read = readTombstoneFile(layout, name);
    for (const t of read?.ids ?? []) set.add(t);
    for (const r of read?.ranges ?? []) set.addRange(r);
  }
  cached = { key, forgotten: set };
  return set;
}

/** When a tombstone file was written, from its UUIDv7 name; null for a name that is not one (read it). */
function writtenAtMs(name: string): number | null {
  const hex = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-/.exec(name);
  return hex ? parseInt(`${hex[1]}${hex[2]}`, 16) : null;
}

/** Every tombstone of commands by id kept here, damaged lines left out. */
export function readTombstones(layout: BirdLayout, names?: readonly string[]): Tombstone[] {
  return (names ?? tombstoneFiles(layout)).flatMap((name) => readTombstoneFile(layout, name)?.ids ?? []);
}

/** Every range forget kept here, damaged lines left out. */
export function readRangeTombstones(layout: BirdLayout): RangeTombstone[] {
  return tombstoneFiles(layout).flatMap((name) => readTombstoneFile(layout, name)?.ranges ?? []);
}

interface TombstoneFile {
  readonly ids: Tombstone[];
  readonly ranges: RangeTombstone[];
  /** Lines left out as damaged. */
  readonly damaged: number;
}

/** One file's lines, checked; null when it was removed since the listing. */
function readTombstoneFile(layout: BirdLayout, name: string): TombstoneFile | null {
  let text: string;
  try {
    text = readFileSync(join(layout.tombstones, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // removed since the listing
    throw unreadable(join(layout.tombstones, name), error);
  }
  const ids: Tombstone[] = [];
  const ranges: RangeTombstone[] = [];
  let damaged = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let value: Partial<Tombstone & RangeTombstone> | null = null;
    try {
      value = JSON.parse(line) as Partial<Tombstone & RangeTombstone>;
    } catch {
      // a damaged line: its command is left as it is, and a forget of it can be run again
    }
    const t = value !== null && typeof value === 'object' ? value : {};
    const common = typeof t.series === 'string' && t.series !== '' && typeof t.at === 'string' && typeof t.by === 'string' && TOMBSTONE_REASONS.includes(t.why as TombstoneReason);
    if (common && t.id === undefined && checkInstant(t.before) !== null) {
      ranges.push({ series: t.series!, before: t.before!, at: t.at!, by: t.by!, why: t.why as TombstoneReason });
    } else if (common && typeof t.id === 'string' && COMMAND_ID.test(t.id)) {
      ids.push({
        id: t.id,
        series: t.series!,
        at: t.at!,
        by: t.by!,
        why: t.why as TombstoneReason,
        ...(typeof t.cmdHash === 'string' && /^[0-9a-f]{64}$/.test(t.cmdHash) ? { cmdHash: t.cmdHash } : {}),
        ...(typeof t.startUs === 'string' ? { startUs: t.startUs } : {}),
      });
    } else damaged++;
  }
  return { ids, ranges, damaged };
}

/**
 * Range forgets whose removal was not seen to finish (a forget, a retention or a pull killed
 * between writing the tombstone and removing the rows): compaction removes their rows then.
 * What finished is kept in `removed.json` beside the tombstones, `{"<series>": "<before>"}`; a
 * file that is missing or damaged only makes a removal run again, which takes nothing twice.
 */
export function unfinishedRanges(layout: BirdLayout, all: readonly RangeTombstone[] = forgotten(layout).ranges): RangeTombstone[] {
  if (all.length === 0) return [];
  const done = readRangesRemoved(layout);
  return all.filter((r) => {
    const reached = done.get(r.series);
    return reached === undefined || reached < instantMicros(r.before);
  });
}

/**
 * Notes that the rows of `ranges` are removed. Read, changed and written whole: two writers at
 * once may lose one's note, which only makes that removal run once more.
 */
export function noteRangesRemoved(layout: BirdLayout, ranges: readonly RangeTombstone[]): void {
  if (ranges.length === 0) return;
  const done = readRangesRemoved(layout);
  for (const r of ranges) {
    const us = instantMicros(r.before);
    if ((done.get(r.series) ?? -1n) < us) done.set(r.series, us);
  }
  const doc = Object.fromEntries([...done].map(([series, us]) => [series, new Date(Number(us / 1000n)).toISOString()]));
  writeFileAtomic(layout.rangesRemoved, `${JSON.stringify(doc)}\n`, { tmpDir: layout.tmp, mode: 0o600 });
}

function readRangesRemoved(layout: BirdLayout): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(layout.rangesRemoved, 'utf8'));
  } catch {
    // missing or damaged: every range forget's removal runs (again), which is safe
    return out;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return out;
  for (const [series, before] of Object.entries(doc)) {
    const instant = checkInstant(before);
    if (instant !== null) out.set(series, instantMicros(instant));
  }
  return out;
}
