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
import { closeSync, openSync, readSync } from 'node:fs';
import type { HistoryIndex } from './history-index.ts';

const MAGIC = 'BIRDHIX1';
const VERSION = 2;
const READABLE_VERSIONS = [1, 2];

/** Strings per block of a table's start list. */
export const STRING_BLOCK = 16;

export const NUMERIC = ['timestampUs', 'durationMs', 'exitCode', 'cmd', 'cwd', 'session', 'host', 'source', 'ids'] as const;
export const STRINGS = ['commands', 'dirs', 'sessions', 'hosts', 'sources'] as const;
export type StringTable = (typeof STRINGS)[number];
/** Each table's block starts (version 2). */
const STARTS = STRINGS.map((name) => `${name}Starts` as const);
type Section = (typeof NUMERIC)[number] | StringTable | (typeof STARTS)[number];

/** Bytes per row of each numeric section. */
export const WIDTH: Record<(typeof NUMERIC)[number], number> = { timestampUs: 8, durationMs: 8, exitCode: 4, cmd: 4, cwd: 4, session: 4, host: 4, source: 4, ids: 16 };

export interface SectionPlace {
  offset: number;
  bytes: number;
  count?: number;
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

/** A NUL cannot be typed on a command line; one read from elsewhere is shown as ␀ (as capture stores it). */
const joinStrings = (values: readonly string[]) => Buffer.from(values.map((v) => v.replaceAll('\0', '\u2400')).join('\0'), 'utf8');

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

export function encodeSnapshot(index: HistoryIndex, builtAtMs: number, journal?: string): Buffer {
  const parts: { name: Section; bytes: Uint8Array; count?: number }[] = [];
  for (const name of NUMERIC) {
    const array = index[name];
    parts.push({ name, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) });
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
      sections[part.name] = { offset, bytes: part.bytes.length, ...(part.count === undefined ? {} : { count: part.count }) };
      offset = align8(offset + part.bytes.length);
    }
    const next = Buffer.from(JSON.stringify({ version: VERSION, size: index.size, builtAtMs, ...(journal === undefined ? {} : { journal }), sections } satisfies Header), 'utf8');
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
  for (const name of NUMERIC) place(name, size * WIDTH[name]);
  for (const name of STRINGS) {
    place(name);
    if (!isCount(sections[name].count)) throw new DamagedSnapshot(`its ${name} section is damaged`);
    if (header.version >= 2) place(`${name}Starts`, Math.ceil(sections[name].count! / STRING_BLOCK) * 4);
  }
  return header;
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
    cmd: view('cmd', (b, o, n) => new Uint32Array(b, o, n), 4),
    cwd: view('cwd', (b, o, n) => new Uint32Array(b, o, n), 4),
    session: view('session', (b, o, n) => new Uint32Array(b, o, n), 4),
    host: view('host', (b, o, n) => new Uint32Array(b, o, n), 4),
    source: view('source', (b, o, n) => new Uint32Array(b, o, n), 4),
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

