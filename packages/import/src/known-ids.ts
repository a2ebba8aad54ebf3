/**
 * The ids an earlier import stored, as an import asks of them (`has`): 16 bytes an id, sorted,
 * instead of a Set of strings. A re-import of a million entries held ~80 bytes a string in
 * the Set and as much again in the rows they were read as, and peaked at 800 MB; ten million
 * would not fit. An id is a UUID (contentUuidv7): its 32 hex digits are four 32-bit words.
 *
 * The store gives its ids a page at a time in id order, so they are collected sorted, and a
 * lookup is a binary search.
 */
const WORDS = 4;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface KnownIds {
  has(id: string): boolean;
  readonly size: number;
}

/** The four words of a lower-case UUID, into `out` at `at`; false (and nothing written) for anything else. */
export function uuidWordsInto(id: string, out: Uint32Array, at: number): boolean {
  if (id.length !== 36 || !UUID.test(id)) return false;
  out[at] = parseInt(id.slice(0, 8), 16);
  out[at + 1] = parseInt(id.slice(9, 13) + id.slice(14, 18), 16);
  out[at + 2] = parseInt(id.slice(19, 23) + id.slice(24, 28), 16);
  out[at + 3] = parseInt(id.slice(28, 36), 16);
  return true;
}

/**
 * Collects ids in ascending order (as `ORDER BY id` reads them: a lower-case UUID's text sorts
 * as its words do). One that is no UUID, or not above the last, is left out: no id an import
 * makes can equal it, or it is already in.
 */
export class KnownIdsBuilder {
  private words = new Uint32Array(WORDS * 1024);
  private count = 0;
  private readonly probe = new Uint32Array(WORDS);

  add(id: string): void {
    if (!uuidWordsInto(id, this.probe, 0)) return;
    if (this.count > 0 && compareAt(this.words, this.count - 1, this.probe) <= 0) return;
    if ((this.count + 1) * WORDS > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words.set(this.probe, this.count * WORDS);
    this.count++;
  }

  build(): KnownIds {
    const words = this.words.slice(0, this.count * WORDS);
    const size = this.count;
    const probe = new Uint32Array(WORDS);
    return {
      size,
      has(id: string): boolean {
        if (size === 0 || !uuidWordsInto(id, probe, 0)) return false;
        return searchSorted(words, size, probe);
      },
    };
  }
}

/** The ids of `ids`, in any order (for tests and small callers): sorted, then collected. */
export function knownIdsOf(ids: Iterable<string>): KnownIds {
  const builder = new KnownIdsBuilder();
  for (const id of [...ids].sort()) builder.add(id);
  return builder.build();
}

function searchSorted(words: Uint32Array, count: number, probe: Uint32Array): boolean {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(words, mid, probe);
    if (c === 0) return true;
    if (c > 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Sign of probe minus the id at `index` of `words`: positive when the probe sorts after it. */
function compareAt(words: Uint32Array, index: number, probe: Uint32Array): number {
  const at = index * WORDS;
  for (let k = 0; k < WORDS; k++) {
    const d = probe[k]! - words[at + k]!;
    if (d !== 0) return d;
  }
  return 0;
}
