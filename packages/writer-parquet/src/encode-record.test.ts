// The per-command encoder must be indistinguishable from hyparquet-writer's files to every
// reader: the same column types, the same values, statistics readers can prune with.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { INVOCATIONS, SESSIONS, TABLES, type InvocationRow, type TableDef } from '@bird/core';
import { duckdbRows, parquetColumnTypes, readParquet } from '../../../test/support/read-parquet.ts';
import { encodeParquet } from './encode.ts';
import { encodeRecords } from './encode-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'bird-encode-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function fileOf(bytes: Uint8Array): string {
  const path = join(dir, `f${++n}.parquet`);
  writeFileSync(path, bytes);
  return path;
}

const invocation = (over: Partial<InvocationRow> = {}): InvocationRow => ({
  id: '018bcfe5-6800-7000-8000-000000000001',
  session_id: 'session-1',
  timestamp: 1_700_000_000_123_456n,
  duration_ms: 1234,
  cwd: '/home/me/project',
  cmd: 'ls -la',
  executable: 'ls',
  exit_code: 0,
  client_id: 'me@laptop',
  hostname: 'laptop',
  shell: 'zsh',
  date: '2023-11-14',
  ...over,
});

/** A row for any table: every column filled with a value of its kind derived from `i`. */
function sampleRow(table: TableDef, i: number): Record<string, unknown> {
  const kinds: Record<string, (i: number) => unknown> = {
    text: (i) => `v${i} ✓`,
    int32: (i) => i * 7 - 3,
    int64: (i) => i * 1_000_003 - 5,
    timestamptz: (i) => 1_700_000_000_000_000n + BigInt(i) * 1_000_001n,
    date: (i) => `2024-02-${String(10 + i).padStart(2, '0')}`,
  };
  return Object.fromEntries(table.columns.map((c) => [c.name, kinds[c.kind]!(i)]));
}

const SELECT_EXACT = (path: string) =>
  `SELECT id, session_id, epoch_us("timestamp") AS ts_us, duration_ms, cwd, cmd, executable, exit_code,
          client_id, hostname, shell, CAST("date" AS VARCHAR) AS date FROM ${readParquet(path)}`;

describe('encodeRecords: read back by DuckDB exactly as hyparquet-writer files are', () => {
  it.each(Object.values(TABLES).map((t) => [t.name, t] as const))('%s: same column types as encodeParquet', async (_name, table) => {
    const row = sampleRow(table, 1);
    expect(await parquetColumnTypes(fileOf(encodeRecords(table, [row])))).toEqual(
      await parquetColumnTypes(fileOf(encodeParquet(table, [row]))),
    );
  });

  const cases: [string, Partial<InvocationRow>][] = [
    ['plain values', {}],
    ['nulls in every nullable column', { duration_ms: null, cwd: null, executable: null, exit_code: null, hostname: null, shell: null } as Partial<InvocationRow>],
    ['negative numbers', { exit_code: -1, duration_ms: -7 }],
    ['the largest exit code and a far-future instant', { exit_code: 2 ** 31 - 1, timestamp: 4_102_444_800_000_000n, date: '2100-01-01' }],
    ['an instant before 1970', { timestamp: -1_000_000n, date: '1969-12-31' }],
    ['multi-byte text', { cmd: 'echo "naïve ☃ 日本語 🚀"', cwd: '/tmp/ünï' }],
    ['an empty string', { cwd: '' }],
    ['a 100 KB command', { cmd: `echo ${'x'.repeat(100_000)}` }],
    ['text with a NUL and newlines', { cmd: 'printf "a\\0b"\nsecond line' }],
  ];
  it.each(cases)('%s: the same row as encodeParquet writes', async (_name, over) => {
    const row = invocation(over);
    const ours = await duckdbRows(SELECT_EXACT(fileOf(encodeRecords(INVOCATIONS, [row]))));
    const theirs = await duckdbRows(SELECT_EXACT(fileOf(encodeParquet(INVOCATIONS, [row]))));
    expect(ours).toEqual(theirs);
    expect(ours[0]!.cmd).toBe(row.cmd);
  });

  it('keeps many rows in order, with runs of nulls between values', async () => {
    const present = [true, false, false, true, true, true, false, true, ...Array<boolean>(200).fill(false), true];
    const rows = present.map((p, i) => invocation({ id: `id-${String(i).padStart(3, '0')}`, duration_ms: p ? i : null, cwd: p ? `/d/${i}` : null }));
    const got = await duckdbRows(`SELECT id, duration_ms::INTEGER AS duration_ms, cwd FROM ${readParquet(fileOf(encodeRecords(INVOCATIONS, rows)))}`);
    expect(got).toEqual(rows.map((r) => ({ id: r.id, duration_ms: r.duration_ms, cwd: r.cwd })));
  });

  it('a text column of few values (given to hyparquet as strings) reads back, with the bounds of its UTF-8 bytes', async () => {
    // 64 rows: hostname takes two values (a character above the surrogates, and one beyond them,
    // whose UTF-16 sorts first but whose UTF-8 sorts last), cmd one a row.
    const rows = Array.from({ length: 64 }, (_, i) => invocation({ id: `id-${String(i).padStart(3, '0')}`, hostname: i % 2 ? 'h\uff61' : 'h😀', cmd: `make test-${i}` }));
    const path = fileOf(encodeParquet(INVOCATIONS, rows));
    expect(await duckdbRows(`SELECT id, hostname, cmd FROM ${readParquet(path)}`)).toEqual(rows.map((r) => ({ id: r.id, hostname: r.hostname, cmd: r.cmd })));
    const [stats] = await duckdbRows(`SELECT stats_min_value AS min, stats_max_value AS max FROM parquet_metadata(${JSON.stringify(path).replaceAll('"', "'")}) WHERE path_in_schema = 'hostname'`);
    expect(stats).toEqual({ min: 'h\uff61', max: 'h😀' });
  });

  it('writes min/max statistics and null counts a reader can prune with', async () => {
    const rows = [invocation({ cmd: 'b', exit_code: 5, timestamp: 20n }), invocation({ cmd: 'a', exit_code: -2, timestamp: 30n }), invocation({ cmd: 'c', exit_code: null, timestamp: 10n })];
    const path = fileOf(encodeRecords(INVOCATIONS, rows));
    const stats = await duckdbRows(
      `SELECT path_in_schema AS col, stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls
         FROM parquet_metadata(${JSON.stringify(path).replaceAll('"', "'")}) WHERE path_in_schema IN ('cmd', 'exit_code', 'timestamp')`,
    );
    const byCol = Object.fromEntries(stats.map((s) => [s.col, s]));
    expect(byCol.cmd).toMatchObject({ min: 'a', max: 'c', nulls: 0n });
    expect(byCol.exit_code).toMatchObject({ min: '-2', max: '5', nulls: 1n });
    expect(String(byCol.timestamp!.min)).toMatch(/^1970-01-01 00:00:00\.00001/);
    // A filter outside the bounds finds nothing, inside finds the row (the stats are not inverted).
    expect(await duckdbRows(`SELECT count(*)::INT AS n FROM ${readParquet(path)} WHERE exit_code = 5`)).toEqual([{ n: 1 }]);
  });

  it('leaves out text bounds longer than 64 bytes instead of writing a wrong bound', async () => {
    const path = fileOf(encodeRecords(INVOCATIONS, [invocation({ cmd: 'y'.repeat(65) })]));
    const [cmd] = await duckdbRows(`SELECT stats_min_value AS min, stats_max_value AS max FROM parquet_metadata('${path}') WHERE path_in_schema = 'cmd'`);
    expect(cmd).toEqual({ min: null, max: null });
    expect(await duckdbRows(`SELECT length(cmd)::INT AS n FROM ${readParquet(path)}`)).toEqual([{ n: 65 }]);
  });

  it('is read by hyparquet with the same values and logical types', async () => {
    const rows = [invocation(), invocation({ id: 'x', cwd: null, exit_code: 127 })];
    const bytes = encodeRecords(INVOCATIONS, rows);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const read = await parquetReadObjects({ file: buffer });
    expect(read.map((r) => [r.id, r.cwd, r.exit_code, r.timestamp])).toEqual([
      [rows[0]!.id, rows[0]!.cwd, 0, new Date(1_700_000_000_123)],
      ['x', null, 127, new Date(1_700_000_000_123)],
    ]);
    const schema = parquetMetadata(buffer).schema;
    expect(schema.find((s) => s.name === 'timestamp')?.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    expect(schema.find((s) => s.name === 'date')?.converted_type).toBe('DATE');
  });

  it('refuses a row missing a required column', () => {
    const { id: _id, ...rest } = invocation();
    expect(() => encodeRecords(INVOCATIONS, [rest as Record<string, unknown>])).toThrow('invocations.id is required but missing');
  });

  it('refuses a date it cannot read', () => {
    expect(() => encodeRecords(SESSIONS, [{ ...sampleRow(SESSIONS, 1), date: 'yesterday' }])).toThrow('not a date');
  });
});

const hasPyarrow = spawnSync('python3', ['-c', 'import pyarrow'], { encoding: 'utf8' }).status === 0;
describe.skipIf(!hasPyarrow && !process.env.CI)('encodeRecords: read by pyarrow', () => {
  it('gives the values and Arrow types of the table definition', () => {
    const path = fileOf(encodeRecords(INVOCATIONS, [invocation({ cwd: null }), invocation({ id: 'z', cmd: 'ünï' })]));
    const script = `import sys, json, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
print(json.dumps({"types": {f.name: str(f.type) for f in t.schema}, "cmd": t.column("cmd").to_pylist(), "cwd": t.column("cwd").to_pylist(), "ts": [str(v) for v in t.column("timestamp").to_pylist()]}))`;
    const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.types).toMatchObject({ id: 'string', timestamp: 'timestamp[us, tz=UTC]', duration_ms: 'int64', exit_code: 'int32', date: 'date32[day]' });
    expect(out.cmd).toEqual(['ls -la', 'ünï']);
    expect(out.cwd).toEqual([null, '/home/me/project']);
    expect(out.ts[0]).toBe('2023-11-14 22:13:20.123456+00:00');
  });
});
