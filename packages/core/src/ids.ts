import { sha256 } from './sha256.ts';

/** Ten random bytes. `globalThis.crypto` loads on first use, so the capture path (content ids only) never pays for it. */
const randomEntropy = () => globalThis.crypto.getRandomValues(new Uint8Array(10));

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 bits from `entropy`.
 * Time-ordered, so ids sort the way the commands happened.
 */
export function uuidv7(unixMs: number, entropy: Uint8Array = randomEntropy()): string {
  if (entropy.length < 10) throw new Error('uuidv7 needs 10 bytes of entropy');
  const b = new Uint8Array(16);
  let ms = Math.max(0, Math.floor(unixMs));
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b.set(entropy.subarray(0, 10), 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  // From a table, byte by byte: a Buffer and five slices per id were a tenth of a bulk import's ids.
  const h = (from: number, to: number) => {
    let out = '';
    for (let i = from; i < to; i++) out += HEX_BYTES[b[i]!];
    return out;
  };
  return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 whose random part is a hash of `content`: the same record always gets the same id,
 * which makes re-writing it after a crash idempotent instead of a duplicate. `hash` is SHA-256:
 * core's own by default (the capture path does not load node:crypto); a bulk caller such as
 * import passes node:crypto's, ~10x faster per id once loaded, with the same result.
 */
export function contentUuidv7(unixMs: number, content: string | Uint8Array, hash: (content: string | Uint8Array) => Uint8Array = sha256): string {
  return uuidv7(unixMs, hash(content));
}
