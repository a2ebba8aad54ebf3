// The snapshot file: a history index as its typed arrays laid end to end, so that reading it is
// one readFileSync and views onto the buffer. Strings are stored once each, NUL-separated.
//
//   "BIRDHIX1" | u32 header length | header JSON | padding to 8 | sections, each 8-aligned
//
// The header names every section's offset and length, so a reader never guesses, and a file cut
// short or from another version is rejected as a whole (the caller rebuilds it).
import { closeSync, openSync, readSync } from 'node:fs';
import type { HistoryIndex } from './history-index.ts';

const MAGIC = 'BIRDHIX1';
const VERSION = 1;

const NUMERIC = ['timestampUs', 'durationMs', 'exitCode', 'cmd', 'cwd', 'session', 'host', 'source', 'ids'] as const;
const STRINGS = ['commands', 'dirs', 'sessions', 'hosts', 'sources'] as const;
type Section = (typeof NUMERIC)[number] | (typeof STRINGS)[number];

interface Header {
  version: number;
  size: number;
  /** When the rows were read from the store, epoch ms. */
  builtAtMs: number;
  /** The id of the journal started with this snapshot (journal.ts's startJournal); absent in snapshots from before, and in a new store's empty one. */
  journal?: string;
  sections: Record<Section, { offset: number; bytes: number; count?: number }>;
}

export class DamagedSnapshot extends Error {}

const align8 = (n: number) => (n + 7) & ~7;

/** A NUL cannot be typed on a command line; one read from elsewhere is shown as ␀ (as capture stores it). */
const joinStrings = (values: readonly string[]) => Buffer.from(values.map((v) => v.replaceAll('\0', '\u2400')).join('\0'), 'utf8');

export function encodeSnapshot(index: HistoryIndex, builtAtMs: number, journal?: string): Buffer {
  const parts: { name: Section; bytes: Uint8Array; count?: number }[] = [];
  for (const name of NUMERIC) {
    const array = index[name];
    parts.push({ name, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) });
  }
  for (const name of STRINGS) parts.push({ name, bytes: joinStrings(index[name]), count: index[name].length });

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

export interface DecodedSnapshot {
  index: HistoryIndex;
  builtAtMs: number;
  /** The journal it was built with, when it records one. */
  journal?: string;
}

/** The index in `file`'s bytes; throws {@link DamagedSnapshot} for anything but a whole file of this version. */
export function decodeSnapshot(file: Buffer): DecodedSnapshot {
  if (file.length < MAGIC.length + 4 || file.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new DamagedSnapshot('not a history index snapshot');
  // Typed arrays need aligned views: copy a buffer that does not start on an 8-byte boundary.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as Header;
  } catch {
    throw new DamagedSnapshot('its header is cut short');
  }
  if (header.version !== VERSION) throw new DamagedSnapshot(`it has version ${header.version}, this bird reads ${VERSION}`);
  const { size, sections } = header;
  const view = <T>(name: Section, make: (buffer: ArrayBufferLike, offset: number, length: number) => T, width: number): T => {
    const section = sections[name];
    if (!section || section.offset % 8 !== 0 || section.offset + section.bytes > bytes.length || section.bytes !== size * width) {
      throw new DamagedSnapshot(`its ${name} section is damaged`);
    }
    return make(bytes.buffer, bytes.byteOffset + section.offset, size * (width === 16 ? 16 : 1));
  };
  const strings = (name: (typeof STRINGS)[number]): string[] => {
    const section = sections[name];
    if (!section || section.offset + section.bytes > bytes.length) throw new DamagedSnapshot(`its ${name} section is damaged`);
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

