/**
 * Which entries of a file may repeat another's time and text, without holding every text: a
 * 53-bit hash per entry (8 bytes) of its start and command (its repeatKeyOf), sorted. A hash
 * seen once is a key seen once, so that entry is the first (and only) of its key; only entries
 * whose hash repeats are counted by their text (planImport's `occurrence`), so a collision costs
 * a lookup, never a wrong id.
 */
export function keyHash(startUs: bigint | null, cmd: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  // The time as a double (exact below 2^53 µs, year 2255; past that two times may share a
  // hash, which costs a lookup), not as text: a string of each key cost 3x the hash.
  const t = startUs === null ? -1 : Number(startUs);
  a = Math.imul(a ^ t % 0x100000000, 0x01000193);
  b = Math.imul(b ^ Math.floor(t / 0x100000000), 0x5bd1e995) ^ (b >>> 13);
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** The hashes among the first `count` of `hashes` that occur more than once. */
export function repeatedHashes(hashes: Float64Array, count: number): Set<number> {
  const sorted = hashes.slice(0, count).sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  return repeated;
}
