import { sha256, toHex } from './sha256.ts';

/**
 * A safe, fixed-length file name for any text from outside (session ids, record ids): 32 hex
 * characters of its SHA-256, so no `/`, `..` or length can escape or collide in a folder.
 */
export function fileKeyOf(text: string): string {
  return toHex(sha256(text)).slice(0, 32);
}
