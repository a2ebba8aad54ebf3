/**
 * What was forgotten on this machine, kept for good so that nothing brings it back: not a redo of
 * a drainer's claim, not an import of a history file that still holds the command, not a pull of a
 * lake that still holds a copy. One file per forget in `db/tombstones/`, `<uuidv7>.jsonl`, written
 * whole or not at all, a line per command: `{"id","series","at","by","why"}`. This machine's
 * forgets and the ones pulled from teammates' series (`by` says whose) are kept alike.
 *
 * Read back as untrusted input (a crash or a hand can damage any of it): a line that does not
 * parse, or whose id is not a plain id, is skipped; a forget that left no readable file is simply
 * run again. Reading needs no DuckDB: the capture path checks it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

/** The fingerprint a tombstone keeps of a command's text. */
export function commandFingerprint(cmd: string): string {
  return toHex(sha256(cmd));
}

/** A command's id as bird makes them (UUIDv7) or other tools may: plain, short, no control character. */
export const COMMAND_ID = /^[0-9A-Za-z][0-9A-Za-z_.:-]{0,127}$/;

/** Writes one forget's tombstones as a new file (durably: it must outlive the rows it removes). Returns its path. */
export function writeTombstones(layout: BirdLayout, tombstones: readonly Tombstone[]): string {
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

/** Forgotten commands, by series and id, and by what they were. */
export class Forgotten {
  private readonly keys = new Set<string>();
  private readonly starts = new Map<string, bigint[]>();
  readonly all: Tombstone[] = [];
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
  /** True when command `id` of series `series` (its client_id) was forgotten. */
  has(series: string, id: string): boolean {
    return this.keys.has(`${series}\0${id}`);
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
  get size(): number {
    return this.all.length;
  }
}

let cached: { key: string; forgotten: Forgotten } | null = null;

/** Every command forgotten here. Kept in memory while the folder is unchanged (a drainer asks at every batch). */
export function forgotten(layout: BirdLayout): Forgotten {
  const names = tombstoneFiles(layout);
  const key = `${layout.tombstones}\n${names.map((n) => `${n}:${statSync(join(layout.tombstones, n), { throwIfNoEntry: false })?.size ?? -1}`).join('\n')}`;
  if (cached?.key === key) return cached.forgotten;
  const set = new Forgotten();
  for (const t of readTombstones(layout, names)) set.add(t);
  cached = { key, forgotten: set };
  return set;
}

/** Every tombstone kept here, damaged lines left out. */
export function readTombstones(layout: BirdLayout, names?: readonly string[]): Tombstone[] {
  const out: Tombstone[] = [];
  for (const name of names ?? tombstoneFiles(layout)) {
    let text: string;
    try {
      text = readFileSync(join(layout.tombstones, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed since the listing
      throw unreadable(join(layout.tombstones, name), error);
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const t = JSON.parse(line) as Partial<Tombstone>;
        if (typeof t.id === 'string' && COMMAND_ID.test(t.id) && typeof t.series === 'string' && t.series !== '' && typeof t.at === 'string' && typeof t.by === 'string' && TOMBSTONE_REASONS.includes(t.why as TombstoneReason)) {
          out.push({
            id: t.id,
            series: t.series,
            at: t.at,
            by: t.by,
            why: t.why as TombstoneReason,
            ...(typeof t.cmdHash === 'string' && /^[0-9a-f]{64}$/.test(t.cmdHash) ? { cmdHash: t.cmdHash } : {}),
            ...(typeof t.startUs === 'string' ? { startUs: t.startUs } : {}),
          });
        }
      } catch {
        // a damaged line: its command is left as it is, and a forget of it can be run again
      }
    }
  }
  return out;
}
