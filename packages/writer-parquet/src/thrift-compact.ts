/**
 * The few pieces of Thrift's compact protocol a Parquet footer and page header need: structs of
 * integer, binary, boolean, list and nested-struct fields. Field ids are written as deltas from
 * the previous field of the same struct, so fields must be written in increasing id order.
 *
 * It also writes the raw little-endian values a PLAIN data page holds, so a whole file is
 * written into one buffer: in the fresh process every capture is, Node's Buffer helpers
 * (alloc, writeInt32LE, concat) cost ~0.1 ms each on their first call (bench/capture-start.md).
 */
export class ThriftCompactWriter {
  private bytes: Uint8Array;
  private length = 0;
  private readonly lastField: number[] = [0];

  constructor(initialSize = 512) {
    this.bytes = new Uint8Array(initialSize);
  }

  get size(): number {
    return this.length;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  i32(id: number, value: number): this {
    this.fieldHeader(id, TYPE_I32);
    this.varint(zigzag32(value));
    return this;
  }

  i64(id: number, value: bigint | number): this {
    this.fieldHeader(id, TYPE_I64);
    this.varintBig(zigzag64(BigInt(value)));
    return this;
  }

  binary(id: number, value: Uint8Array): this {
    this.fieldHeader(id, TYPE_BINARY);
    this.varint(value.length);
    this.raw(value);
    return this;
  }

  string(id: number, value: string): this {
    return this.binary(id, Buffer.from(value, 'utf8'));
  }

  bool(id: number, value: boolean): this {
    this.fieldHeader(id, value ? TYPE_TRUE : TYPE_FALSE);
    return this;
  }

  /** A nested struct: `body` writes its fields. */
  struct(id: number, body: (w: this) => void): this {
    this.fieldHeader(id, TYPE_STRUCT);
    this.structBody(body);
    return this;
  }

  listOfI32(id: number, values: readonly number[]): this {
    this.listHeader(id, values.length, TYPE_I32);
    for (const v of values) this.varint(zigzag32(v));
    return this;
  }

  listOfStrings(id: number, values: readonly string[]): this {
    this.listHeader(id, values.length, TYPE_BINARY);
    for (const v of values) {
      const b = Buffer.from(v, 'utf8');
      this.varint(b.length);
      this.raw(b);
    }
    return this;
  }

  listOfStructs<T>(id: number, items: readonly T[], body: (w: this, item: T) => void): this {
    this.listHeader(id, items.length, TYPE_STRUCT);
    for (const item of items) this.structBody((w) => body(w, item));
    return this;
  }

  /** Bytes as they are, outside any struct (a data page's values, the file's magic). */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A 32-bit integer, little-endian, two's complement. */
  int32LE(n: number): this {
    this.ensure(4);
    const v = n >>> 0;
    const b = this.bytes;
    const at = this.length;
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
    b[at + 2] = (v >>> 16) & 0xff;
    b[at + 3] = v >>> 24;
    this.length += 4;
    return this;
  }

  /** A 64-bit integer, little-endian, two's complement. */
  int64LE(n: bigint): this {
    return this.int32LE(Number(n & 0xffffffffn)).int32LE(Number((n >> 32n) & 0xffffffffn));
  }

  /** A top-level struct (a page header, the file metadata). */
  message(body: (w: this) => void): this {
    this.structBody(body);
    return this;
  }

  private structBody(body: (w: this) => void): void {
    this.lastField.push(0);
    body(this);
    this.lastField.pop();
    this.byte(TYPE_STOP);
  }

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.lastField[this.lastField.length - 1]!;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.varint(zigzag32(id));
    }
    this.lastField[this.lastField.length - 1] = id;
  }

  private listHeader(id: number, size: number, elementType: number): void {
    this.fieldHeader(id, TYPE_LIST);
    if (size < 15) this.byte((size << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  private varint(value: number): void {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
  }

  private varintBig(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private byte(b: number): void {
    this.ensure(1);
    this.bytes[this.length++] = b;
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

const TYPE_STOP = 0;
const TYPE_TRUE = 1;
const TYPE_FALSE = 2;
const TYPE_I32 = 5;
const TYPE_I64 = 6;
const TYPE_BINARY = 8;
const TYPE_LIST = 9;
const TYPE_STRUCT = 12;

const zigzag32 = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;
const zigzag64 = (n: bigint): bigint => (n << 1n) ^ (n >> 63n);
