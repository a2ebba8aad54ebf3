/**
 * Reads a Thrift compact-protocol struct (a Parquet footer) into plain objects keyed by field
 * id, for bytes that may be anyone's: every length is checked against the buffer, nesting is
 * bounded, and anything malformed throws a ThriftDecodeError rather than reading past the end.
 * Only the fields a ThriftFields names are kept (the rest are stepped over: a footer's other
 * fields are most of its bytes). Integers come back as numbers (an i64 past 2^53 loses
 * precision, never its magnitude), binary fields as views into the buffer.
 */
export type ThriftValue = boolean | number | Uint8Array | ThriftValue[] | ThriftStruct;
export interface ThriftStruct {
  readonly [field: number]: ThriftValue | undefined;
}

/** The fields to keep, by id: `true` for a value (or a list of them), a ThriftFields for a struct (or a list of structs). */
export interface ThriftFields {
  readonly [field: number]: true | ThriftFields;
}

export class ThriftDecodeError extends Error {}

const STOP = 0;
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;
/** Deeper than any Parquet footer nests (a schema is a flat list; statistics sit 5 levels down). */
const MAX_DEPTH = 32;

export function readThriftStruct(bytes: Uint8Array, fields: ThriftFields, offset = 0): ThriftStruct {
  return new Reader(bytes, offset).struct(fields, 0);
}

/** As readThriftStruct, with the bytes each of the outermost struct's kept fields was read from. */
export function readThriftStructSpans(bytes: Uint8Array, fields: ThriftFields): { struct: ThriftStruct; spans: Map<number, Uint8Array> } {
  const reader = new Reader(bytes, 0);
  const spans = new Map<number, Uint8Array>();
  reader.spans = spans;
  return { struct: reader.struct(fields, 0), spans };
}

class Reader {
  /** Where the outermost struct's kept fields' bytes are noted, when asked. */
  spans: Map<number, Uint8Array> | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
  ) {}

  /** A struct's wanted fields; null `wanted` steps over it. */
  struct(wanted: ThriftFields | null, depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftDecodeError('structures nest too deep');
    const fields: Record<number, ThriftValue> = {};
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === STOP) return fields;
      const delta = header >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      const want = wanted?.[id];
      if (type === BOOL_TRUE || type === BOOL_FALSE) {
        if (want) fields[id] = type === BOOL_TRUE;
      } else if (want === undefined) this.value(type, null, depth);
      else {
        const start = this.at;
        fields[id] = this.value(type, want === true ? {} : want, depth);
        if (depth === 0) this.spans?.set(id, this.bytes.subarray(start, this.at));
      }
    }
  }

  private value(type: number, wanted: ThriftFields | null, depth: number): ThriftValue {
    switch (type) {
      case BYTE:
        return this.byte();
      case I16:
      case I32:
      case I64:
        return this.zigzag();
      case DOUBLE:
        this.take(8);
        return 0;
      case BINARY:
        return this.take(this.varint());
      case LIST:
      case SET:
        return this.list(wanted, depth);
      case MAP:
        return this.map(depth);
      case STRUCT:
        return this.struct(wanted, depth + 1);
      default:
        throw new ThriftDecodeError(`unknown field type ${type}`);
    }
  }

  private list(wanted: ThriftFields | null, depth: number): ThriftValue[] {
    const header = this.byte();
    const type = header & 0x0f;
    const size = header >> 4 === 15 ? this.varint() : header >> 4;
    // Each element takes at least a byte: a size past what is left is a lie.
    if (size > this.bytes.length - this.at) throw new ThriftDecodeError('a list is longer than the bytes left');
    const items: ThriftValue[] = [];
    for (let i = 0; i < size; i++) {
      const item = type === BOOL_TRUE || type === BOOL_FALSE ? this.byte() === BOOL_TRUE : this.value(type, wanted, depth + 1);
      if (wanted !== null) items.push(item);
    }
    return items;
  }

  /** Skipped: no field a footer reader needs is a map. */
  private map(depth: number): ThriftValue[] {
    const size = this.varint();
    if (size === 0) return [];
    if (size > this.bytes.length - this.at) throw new ThriftDecodeError('a map is longer than the bytes left');
    const types = this.byte();
    for (let i = 0; i < size * 2; i++) {
      const type = i % 2 === 0 ? types >> 4 : types & 0x0f;
      if (type === BOOL_TRUE || type === BOOL_FALSE) this.byte();
      else this.value(type, null, depth + 1);
    }
    return [];
  }

  private byte(): number {
    if (this.at >= this.bytes.length) throw new ThriftDecodeError('the bytes end inside a structure');
    return this.bytes[this.at++]!;
  }

  private take(n: number): Uint8Array {
    if (n > this.bytes.length - this.at) throw new ThriftDecodeError('a value is longer than the bytes left');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ThriftDecodeError('an integer runs past 10 bytes');
  }

  private zigzag(): number {
    const n = this.varint();
    // Not bitwise: an i64 is wider than JS's 32-bit operators.
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}
