/**
 * Folds a SQLite write-ahead log into the database image it belongs to, as SQLite does when it
 * opens a database whose `-wal` file is still there (https://sqlite.org/fileformat2.html#walformat).
 *
 * atuin keeps `history.db` in WAL mode, and while any atuin process has it open (or after one
 * was killed) the newest commands exist only in `history.db-wal`. sql.js reads a database from
 * a byte array and never sees that file, so the frames are applied here: every frame up to the
 * last commit frame whose salts and running checksum are valid. A torn last transaction (or a
 * log left over from before the last checkpoint, whose salts no longer match) is ignored, as
 * SQLite ignores it. Anything that is not a WAL at all leaves the database as it was.
 */
export function applyWal(db: Uint8Array, wal: Uint8Array): Uint8Array {
  if (wal.length < 32) return db;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return db;
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return db;
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let sum = checksum(view, 0, 24, bigEndian, [0, 0]);
  if (sum[0] !== view.getUint32(24) || sum[1] !== view.getUint32(28)) return db;

  const committed = new Map<number, number>(); // page number → offset of its data in the log
  const pending = new Map<number, number>();
  let pages = 0;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    if (view.getUint32(off + 8) !== salt1 || view.getUint32(off + 12) !== salt2) break;
    sum = checksum(view, off, 8, bigEndian, sum);
    sum = checksum(view, off + 24, pageSize, bigEndian, sum);
    if (sum[0] !== view.getUint32(off + 16) || sum[1] !== view.getUint32(off + 20)) break;
    const page = view.getUint32(off);
    if (page === 0) break;
    pending.set(page, off + 24);
    const sizeAfterCommit = view.getUint32(off + 4);
    if (sizeAfterCommit !== 0) {
      for (const [p, at] of pending) committed.set(p, at);
      pending.clear();
      pages = sizeAfterCommit;
    }
  }
  if (pages === 0) return db;
  const out = new Uint8Array(pages * pageSize);
  out.set(db.subarray(0, Math.min(db.length, out.length)));
  for (const [page, at] of committed) {
    if (page <= pages) out.set(wal.subarray(at, at + pageSize), (page - 1) * pageSize);
  }
  return out;
}

/** SQLite's WAL checksum: two running 32-bit sums over pairs of words in the log's byte order. */
function checksum(view: DataView, off: number, length: number, bigEndian: boolean, [s1, s2]: readonly number[]): [number, number] {
  let a = s1!;
  let b = s2!;
  const littleEndian = !bigEndian;
  for (let i = off; i < off + length; i += 8) {
    a = (a + view.getUint32(i, littleEndian) + b) >>> 0;
    b = (b + view.getUint32(i + 4, littleEndian) + a) >>> 0;
  }
  return [a, b];
}
