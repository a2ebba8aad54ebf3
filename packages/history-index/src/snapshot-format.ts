// The snapshot file: a history index as its typed arrays laid end to end, so that reading it is
// one readFileSync and views onto the buffer, or (snapshot-reader.ts) positional reads of only
// the rows and strings a read needs. Strings are stored once each, NUL-separated.
//
//   "BIRDHIX1" | u32 header length | header JSON | padding to 8 | sections, each 8-aligned
//
// The header names every section's offset and length, so a reader never guesses, and a file cut
// short or from another version is rejected as a whole (the caller rebuilds it).
//
// Version 2 adds, for each string table, where every STRING_BLOCK-th string starts (u32, from
// the table's start): a reader finds string k by reading one block of at most STRING_BLOCK
// strings instead of splitting the whole table. A sparse list keeps the file within a few
// kilobytes of version 1's size (one start per string would add 4 bytes per distinct command).
// Version 1 files are still read whole, as before.
//
// Version 3 stores each interned column (cmd, cwd, session, host, source) in as few bytes as its
// table needs: 1 below 255 strings, 2 below 65,535, else 4 (section `width`). A year of a large
// team has a handful of sources, hundreds of hosts and tens of thousands of sessions: 8 of a
// row's 64 bytes (bench/team-scale.md). Readers widen them to the index's Uint32Arrays.
import { closeSync, openSync, readSync } from 'node:fs';
import type { HistoryIndex } from './history-index.ts';

const MAGIC = 'BIRDHIX1';
const VERSION = 3;
const READABLE_VERSIONS = [1, 2, 3];

/** Strings per block of a table's start list. */
export const STRING_BLOCK = 16;

export const NUMERIC = ['timestampUs', 'durationMs', 'exitCode', 'cmd', 'cwd', 'session', 'host', 'source', 'ids'] as const;
export const STRINGS = ['commands', 'dirs', 'sessions', 'hosts', 'sources'] as const;
export type StringTable = (typeof STRINGS)[number];
/** Each table's block starts (version 2). */
const STARTS = STRINGS.map((name) => `${name}Starts` as const);
type Section = (typeof NUMERIC)[number] | StringTable | (typeof STARTS)[number];

/** Bytes per row of each numeric section (an interned column's at most, in version 3). */
export const WIDTH: Record<(typeof NUMERIC)[number], number> = { timestampUs: 8, durationMs: 8, exitCode: 4, cmd: 4, cwd: 4, session: 4, host: 4, source: 4, ids: 16 };

/** The columns that hold numbers of strings, and the table each names. */
export const INTERNED = { cmd: 'commands', cwd: 'dirs', session: 'sessions', host: 'hosts', source: 'sources' } as const;
export type InternedColumn = keyof typeof INTERNED;
const isInterned = (name: string): name is InternedColumn => name in INTERNED;

/** The fewest bytes that hold every number of a table of `count` strings, and one number past them. */
export function internedWidth(count: number): 1 | 2 | 4 {
  return count < 0xff ? 1 : count < 0xffff ? 2 : 4;
}

export interface SectionPlace {
  offset: number;
  bytes: number;
  count?: number;
  /** Bytes per row of an interned column (version 3). */
  width?: number;
}

export interface Header {
  version: number;
  size: number;
  /** When the rows were read from the store, epoch ms. */
  builtAtMs: number;
  /** The id of the journal started with this snapshot (journal.ts's startJournal); absent in snapshots from before, and in a new store's empty one. */
  journal?: string;
  sections: Record<Section, SectionPlace>;
}

export class DamagedSnapshot extends Error {}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * A NUL cannot be typed on a command line; one read from elsewhere is shown as ␀ (as capture
 * stores it). Values are copied to replace it only when one holds it: copying millions of
 * commands for that cost seconds of a 10M-row rebuild.
 */
function joinStrings(values: readonly string[]): Buffer {
  const joined = values.join('\0');
  let separators = 0;
  for (let at = joined.indexOf('\0'); at >= 0; at = joined.indexOf('\0', at + 1)) separators++;
  const clean = separators === Math.max(values.length - 1, 0);
  return Buffer.from(clean ? joined : values.map((v) => v.replaceAll('\0', '\u2400')).join('\0'), 'utf8');
}

/** Where every STRING_BLOCK-th string of `joined` (NUL-separated, no NUL inside) starts. */
function blockStarts(joined: Buffer, count: number): Uint32Array {
  const starts = new Uint32Array(Math.ceil(count / STRING_BLOCK));
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (k % STRING_BLOCK === 0) starts[k / STRING_BLOCK] = at;
    if (k < count - 1) at = joined.indexOf(0, at) + 1;
  }
  return starts;
}

/** `version: 2` writes what a bird before version 3 wrote (tests of reading old files). */
export function encodeSnapshot(index: HistoryIndex, builtAtMs: number, journal?: string, { version = VERSION }: { version?: 2 | 3 } = {}): Buffer {
  const parts: { name: Section; bytes: Uint8Array; count?: number; width?: number }[] = [];
  for (const name of NUMERIC) {
    const width = version >= 3 && isInterned(name) ? internedWidth(index[INTERNED[name]].length) : WIDTH[name];
    const array = width === 1 ? Uint8Array.from(index[name]) : width === 2 ? Uint16Array.from(index[name]) : index[name];
    parts.push({ name, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength), ...(isInterned(name) && version >= 3 ? { width } : {}) });
  }
  for (const name of STRINGS) {
    const joined = joinStrings(index[name]);
    const starts = blockStarts(joined, index[name].length);
    parts.push({ name, bytes: joined, count: index[name].length });
    parts.push({ name: `${name}Starts`, bytes: new Uint8Array(starts.buffer, starts.byteOffset, starts.byteLength), count: starts.length });
  }

  const sections = {} as Header['sections'];
  // Offsets depend on the header's length, which depends on the offsets: lay out until the
  // length settles (offsets only grow, so it does within a few passes).
  let headerBytes = Buffer.alloc(0);
  for (let settled = false; !settled; ) {
    let offset = align8(MAGIC.length + 4 + headerBytes.length);
    for (const part of parts) {
      sections[part.name] = { offset, bytes: part.bytes.length, ...(part.count === undefined ? {} : { count: part.count }), ...(part.width === undefined ? {} : { width: part.width }) };
      offset = align8(offset + part.bytes.length);
    }
    const next = Buffer.from(JSON.stringify({ version, size: index.size, builtAtMs, ...(journal === undefined ? {} : { journal }), sections } satisfies Header), 'utf8');
    settled = next.length === headerBytes.length;
    headerBytes = next;
  }
  const last = parts[parts.length - 1]!;
  const out = Buffer.alloc(align8(sections[last.name].offset + last.bytes.length));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerBytes.length, MAGIC.length);
  headerBytes.copy(out, MAGIC.length + 4);
  for (const part of parts) out.set(part.bytes, sections[part.name].offset);
  return out;
}

/**
 * True when the snapshot at `path` is one that names no journal (a new store's empty one, or one
 * from before journals were named): a deleted or replaced journal would go unnoticed with it, so
 * whatever would journal rows into it rebuilds instead, once. Reads the header only; a missing
 * or unreadable snapshot is false (its next reader rebuilds it anyway).
 */
export function snapshotNamesNoJournal(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // missing, or unreadable: the next reader rebuilds it
    return false;
  }
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    if (readSync(fd, start, 0, start.length, 0) !== start.length || start.toString('latin1', 0, MAGIC.length) !== MAGIC) return false;
    const length = start.readUInt32LE(MAGIC.length);
    if (length > 1024 * 1024) return false;
    const header = Buffer.alloc(length);
    if (readSync(fd, header, 0, length, start.length) !== length) return false;
    const parsed = JSON.parse(header.toString('utf8')) as Partial<Header>;
    return typeof parsed.journal !== 'string';
  } catch {
    // a header that is not JSON: damaged, and its next reader rebuilds it
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Where the header starts, and the most bytes it may take. */
export const HEADER_AT = MAGIC.length + 4;
export const MAX_HEADER_BYTES = 1024 * 1024;

/** The magic and header length at the start of a file; throws {@link DamagedSnapshot} when it is not a snapshot. */
export function headerLength(start: Buffer): number {
  if (start.length < HEADER_AT || start.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new DamagedSnapshot('not a history index snapshot');
  const length = start.readUInt32LE(MAGIC.length);
  if (length > MAX_HEADER_BYTES) throw new DamagedSnapshot('its header is damaged');
  return length;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * The header in `text`, each section checked against a file of `fileBytes`: in the file, aligned,
 * of the length its row count gives. Throws {@link DamagedSnapshot} otherwise.
 */
export function parseHeader(text: Buffer, fileBytes: number): Header {
  let header: Header;
  try {
    header = JSON.parse(text.toString('utf8')) as Header;
  } catch {
    throw new DamagedSnapshot('its header is cut short');
  }
  if (typeof header !== 'object' || header === null || !READABLE_VERSIONS.includes(header.version)) {
    throw new DamagedSnapshot(`it has version ${String((header as Partial<Header> | null)?.version)}, this bird reads ${READABLE_VERSIONS.join(' and ')}`);
  }
  const { size, sections } = header;
  if (!isCount(size) || typeof sections !== 'object' || sections === null) throw new DamagedSnapshot('its header is damaged');
  const place = (name: Section, bytes?: number): void => {
    const section = sections[name];
    const fits = section && isCount(section.offset) && isCount(section.bytes) && section.offset + section.bytes <= fileBytes;
    if (!fits || (bytes !== undefined && (section.offset % 8 !== 0 || section.bytes !== bytes))) throw new DamagedSnapshot(`its ${name} section is damaged`);
  };
  for (const name of STRINGS) {
    place(name);
    if (!isCount(sections[name].count)) throw new DamagedSnapshot(`its ${name} section is damaged`);
    if (header.version >= 2) place(`${name}Starts`, Math.ceil(sections[name].count! / STRING_BLOCK) * 4);
  }
  for (const name of NUMERIC) {
    // A width other than the one its table's size gives would let a number name past the table.
    if (header.version >= 3 && isInterned(name) && sections[name]?.width !== internedWidth(sections[INTERNED[name]].count!)) throw new DamagedSnapshot(`its ${name} section is damaged`);
    place(name, size * sectionWidth(header, name));
  }
  return header;
}

/** Bytes per row of a numeric section of a checked header. */
export function sectionWidth(header: Header, name: (typeof NUMERIC)[number]): number {
  return header.version >= 3 && isInterned(name) ? header.sections[name].width! : WIDTH[name];
}

/** An interned column's numbers as the index holds them, from the bytes of `width` a row that a file holds. */
export function widenInterned(buffer: ArrayBufferLike, offset: number, rows: number, width: number): Uint32Array {
  if (width === 4) return new Uint32Array(buffer, offset, rows);
  return Uint32Array.from(width === 1 ? new Uint8Array(buffer, offset, rows) : new Uint16Array(buffer, offset, rows));
}

export interface DecodedSnapshot {
  index: HistoryIndex;
  builtAtMs: number;
  /** The journal it was built with, when it records one. */
  journal?: string;
}

/** The index in `file`'s bytes; throws {@link DamagedSnapshot} for anything but a whole file of a version this reads. */
export function decodeSnapshot(file: Buffer): DecodedSnapshot {
  // Typed arrays need aligned views: copy a buffer that does not start on an 8-byte boundary.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const header = parseHeader(bytes.subarray(HEADER_AT, HEADER_AT + headerLength(bytes)), bytes.length);
  const { size, sections } = header;
  const view = <T>(name: Section, make: (buffer: ArrayBufferLike, offset: number, length: number) => T, width: number): T => {
    const section = sections[name];
    return make(bytes.buffer, bytes.byteOffset + section.offset, size * (width === 16 ? 16 : 1));
  };
  const interned = (name: InternedColumn) => widenInterned(bytes.buffer, bytes.byteOffset + sections[name].offset, size, sectionWidth(header, name));
  const strings = (name: (typeof STRINGS)[number]): string[] => {
    const section = sections[name];
    if (section.count === 0) return [];
    const values = bytes.toString('utf8', section.offset, section.offset + section.bytes).split('\0');
    if (values.length !== section.count) throw new DamagedSnapshot(`its ${name} section is damaged`);
    return values;
  };
  const index: HistoryIndex = {
    size,
    timestampUs: view('timestampUs', (b, o, n) => new Float64Array(b, o, n), 8),
    durationMs: view('durationMs', (b, o, n) => new Float64Array(b, o, n), 8),
    exitCode: view('exitCode', (b, o, n) => new Int32Array(b, o, n), 4),
    cmd: interned('cmd'),
    cwd: interned('cwd'),
    session: interned('session'),
    host: interned('host'),
    source: interned('source'),
    ids: view('ids', (b, o, n) => new Uint8Array(b, o, n), 16),
    commands: strings('commands'),
    dirs: strings('dirs'),
    sessions: strings('sessions'),
    hosts: strings('hosts'),
    sources: strings('sources'),
  };
  // Every interned number must name a string: a damaged file must not index past the tables.
  const within = (column: Uint32Array, table: readonly string[]) => {
    for (let i = 0; i < column.length; i++) if (column[i]! >= table.length) throw new DamagedSnapshot('it names a string it does not hold');
  };
  within(index.cmd, index.commands);
  within(index.cwd, index.dirs);
  within(index.session, index.sessions);
  within(index.host, index.hosts);
  within(index.source, index.sources);
  return { index, builtAtMs: header.builtAtMs, ...(typeof header.journal === 'string' ? { journal: header.journal } : {}) };
}

