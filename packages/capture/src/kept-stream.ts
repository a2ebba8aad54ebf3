/**
 * What `bird run` and passive capture keep of one stream: all of it up to `maxBytes`, else its first and last
 * `maxBytes / 2` (the start says what ran, the end how it ended), and how many bytes there were.
 */
export class KeptStream {
  private readonly headMax: number;
  private readonly tailMax: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** The newest chunks, trimmed to tailMax from the front when they are taken. */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(maxBytes: number) {
    this.headMax = Math.floor(maxBytes / 2);
    this.tailMax = maxBytes - this.headMax;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headMax) {
      const take = Math.min(this.headMax - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    // Drop whole chunks that lie wholly before the tail's window, so memory stays near maxBytes.
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.tailMax) this.tailBytes -= this.tail.shift()!.length;
  }

  /** Every byte seen. */
  get byteLength(): number {
    return this.total;
  }

  /** The bytes kept: the head, then the last tailMax bytes. */
  kept(): Buffer {
    const tail = Buffer.concat(this.tail);
    return Buffer.concat([...this.head, tail.subarray(Math.max(0, tail.length - this.tailMax))]);
  }
}
