// A footer read in JS must say what DuckDB says of the same file (rows, columns, a column's
// range), and any other bytes must end in a ParquetFooterError: a pull reads strangers' files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetFooterError, byteArrayRange, parseFooter, readParquetFooter } from './parquet-footer.ts';
import { encodeParquet } from './encode.ts';
import { INVOCATIONS } from '@bird/core';

const dir = mkdtempSync(join(tmpdir(), 'bird-parquet-footer-'));
let db: DuckDBConnection;
beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function duckdbFile(name: string, select: string, options = ''): Promise<string> {
  const path = join(dir, name);
  await db.run(`COPY (${select}) TO '${path}' (FORMAT parquet${options})`);
  return path;
}

const valueOf = async (sql: string) => (await db.runAndReadAll(sql)).getRows()[0]!;
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('readParquetFooter', () => {
  it('reads rows, top-level columns and a text column\'s range as DuckDB does, over several row groups', async () => {
    const file = await duckdbFile(
      'groups.parquet',
      `SELECT printf('id-%06d', (i * 7919) % 5000) AS id, i AS n, {'inner': i, 'id': 'x'} AS nested, [i, i] AS list FROM range(5000) t(i)`,
      ', ROW_GROUP_SIZE 1000',
    );
    const footer = readParquetFooter(file);
    expect(footer.rows).toBe(5000);
    expect([...footer.columns].sort()).toEqual(['id', 'list', 'n', 'nested']);
    expect(footer.rowGroups.length).toBe(Number((await valueOf(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${file}')`))[0]));
    const [min, max] = await valueOf(`SELECT min(id), max(id) FROM '${file}'`);
    const range = byteArrayRange(footer, 'id');
    expect(range && [text(range.min), text(range.max)]).toEqual([min, max]);
    // Not a byte-array column: no range to compare text with.
    expect(byteArrayRange(footer, 'n')).toBeNull();
    expect(byteArrayRange(footer, 'absent')).toBeNull();
  });

  it('reads a file bird writes itself (hyparquet-writer)', () => {
    const file = join(dir, 'bird.parquet');
    const row = { id: '018bcfe5-6800-7000-8000-000000000001', session_id: 's', timestamp: 1_700_000_000_123_456n, duration_ms: 1, cwd: '/', cmd: 'ls', executable: 'ls', exit_code: 0, client_id: 'a@b', hostname: 'b', shell: 'zsh', date: '2023-11-14' };
    writeFileSync(file, encodeParquet(INVOCATIONS, [row]));
    const footer = readParquetFooter(file);
    expect(footer.rows).toBe(1);
    expect(footer.columns).toEqual(new Set(INVOCATIONS.columns.map((c) => c.name)));
  });

  it.each([
    ['an empty file', () => Buffer.alloc(0), /shorter than a Parquet file/],
    ['text', () => Buffer.from('this is not parquet, not at all'), /does not end as a Parquet file/],
    ['a footer length past the file', () => Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(8), le32(1 << 30), Buffer.from('PAR1')]), /names a footer of/],
    ['a footer of garbage', () => Buffer.concat([Buffer.from('PAR1'), Buffer.from([0x19, 0xfc, 0xff, 0xff, 0xff, 0x0f]), le32(6), Buffer.from('PAR1')]), /does not decode/],
    ['structs nested past any footer', () => Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 0x1c), le32(100), Buffer.from('PAR1')]), /does not decode \(structures nest too deep\)/],
    ['a footer without a schema', () => Buffer.concat([Buffer.from('PAR1'), Buffer.from([0x15, 0x02, 0x00]), le32(3), Buffer.from('PAR1')]), /without its row count or schema/],
  ])('says what is wrong with %s', (_name, bytes, message) => {
    const file = join(dir, 'bad.parquet');
    writeFileSync(file, bytes());
    expect(() => readParquetFooter(file)).toThrow(ParquetFooterError);
    expect(() => readParquetFooter(file)).toThrow(message);
  });

  it('a damaged footer either reads or throws a ParquetFooterError, whatever byte is changed', async () => {
    const file = await duckdbFile('damaged.parquet', `SELECT printf('id-%03d', i) AS id, {'a': i} AS s FROM range(10) t(i)`);
    const bytes = readFileSync(file);
    const length = bytes.readUInt32LE(bytes.length - 8);
    const footer = bytes.subarray(bytes.length - 8 - length, bytes.length - 8);
    for (let at = 0; at < footer.length; at++) {
      for (const value of [0x00, 0xff, footer[at]! ^ 0x10]) {
        const changed = Buffer.from(footer);
        changed[at] = value;
        try {
          parseFooter(changed);
        } catch (error) {
          expect(error).toBeInstanceOf(ParquetFooterError);
        }
      }
    }
  });
});

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
