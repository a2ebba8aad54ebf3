import { sha256 } from './sha256.ts';

/** Ten random bytes. `globalThis.crypto` loads on first use, so the capture path (content ids only) never pays for it. */
const randomEntropy = () => globalThis.crypto.getRandomValues(new Uint8Array(10));

/** Reused: an id's bytes live only until its text is made. */
const uuidBytes = new Uint8Array(16);
const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 0x2d;
const uuidCodes = new Array<number>(36);

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 bits from `entropy`.
 * Time-ordered, so ids sort the way the commands happened.
 */
export function uuidv7(unixMs: number, entropy: Uint8Array = randomEntropy()): string {
  if (entropy.length < 10) throw new Error('uuidv7 needs 10 bytes of entropy');
  const b = uuidBytes;
  let ms = Math.max(0, Math.floor(unixMs));
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  for (let i = 0; i < 10; i++) b[6 + i] = entropy[i]!;
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  return uuidText(b);
}

/**
 * The 8-4-4-4-12 hex text of 16 bytes, made at once from its character codes: one flat string.
 * A string concatenated a byte at a time is a tree of pieces, which a bulk import holds for
 * every row of a batch and the garbage collector copies at each scavenge (3x the cost).
 */
function uuidText(b: Uint8Array): string {
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidCodes[at++] = DASH;
    uuidCodes[at++] = HEX_DIGITS[b[i]! >> 4]!;
    uuidCodes[at++] = HEX_DIGITS[b[i]! & 0x0f]!;
  }
  return String.fromCharCode.apply(null, uuidCodes);
}

/**
 * A UUIDv7 whose random part is a hash of `content`: the same record always gets the same id,
 * which makes re-writing it after a crash idempotent instead of a duplicate. `hash` is SHA-256:
 * core's own by default (the capture path does not load node:crypto); a bulk caller such as
 * import passes node:crypto's, ~10x faster per id once loaded, with the same result.
 */
export function contentUuidv7(unixMs: number, content: string | Uint8Array, hash: (content: string | Uint8Array) => Uint8Array = sha256): string {
  return uuidv7(unixMs, hash(content));
}
