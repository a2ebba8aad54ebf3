import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BirdError,
  EVENTS,
  INVOCATIONS,
  OUTPUTS,
  SESSIONS,
  SQL_TYPES,
  TABLES,
  birdLayout,
  ensureRoot,
  fileKeyOf,
  localPartitionDir,
  localTableGlob,
  type BirdLayout,
  type InvocationRow,
  type SessionRow,
  type TableDef,
} from '@bird/core';
import { duckdbRows, parquetColumnTypes, readParquet } from '../../../test/support/read-parquet.ts';
import { encodeParquet } from './encode.ts';
import { ParquetRecordWriter } from './parquet-record-writer.ts';
import { filesUnder } from '../../../test/support/files.ts';

const base = mkdtempSync(join(tmpdir(), 'bird-writer-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function freshRoot(): BirdLayout {
  const layout = birdLayout(join(base, `root${++n}`));
  ensureRoot(layout);
  return layout;
}

/** Every file under `dir`, relative to it. */

/** DuckDB's name for each SQL type we declare. */
const DUCKDB_TYPE_NAME: Record<string, string> = { TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE' };

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

/** Reads one invocation file back with exact values for every column. */
async function readInvocation(path: string) {
  const rows = await duckdbRows(
    `SELECT id, session_id, epoch_us("timestamp") AS ts_us, duration_ms, cwd, cmd, executable, exit_code,
            client_id, hostname, shell, CAST("date" AS VARCHAR) AS date,
            strlen(cmd) AS cmd_bytes, length(cmd) AS cmd_chars
       FROM ${readParquet(path)}`,
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('ParquetRecordWriter: invocations round-trip through DuckDB', () => {
  it('gives every column the SQL type the table definition names', async () => {
    const layout = freshRoot();
    const path = new ParquetRecordWriter(layout).writeInvocationSync(invocation());
    const types = await parquetColumnTypes(path);
    const expected = Object.fromEntries(
      INVOCATIONS.columns.map((c) => [c.name, DUCKDB_TYPE_NAME[SQL_TYPES[c.kind]] ?? SQL_TYPES[c.kind]]),
    );
    expect(types).toEqual(expected);
    expect(types.timestamp).toBe('TIMESTAMP WITH TIME ZONE');
    expect(types.date).toBe('DATE');
  });

  it('keeps timestamps to the microsecond, as an instant in UTC', async () => {
    const layout = freshRoot();
    const path = new ParquetRecordWriter(layout).writeInvocationSync(invocation());
    const [row] = await duckdbRows(
      `SET TimeZone = 'America/New_York';
       SELECT epoch_us("timestamp") AS us, strftime("timestamp" AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS utc
         FROM ${readParquet(path)}`,
    );
    expect(row!.us).toBe(1_700_000_000_123_456n);
    expect(row!.utc).toBe('2023-11-14 22:13:20.123456');
  });

  it.each([
    ['the epoch', 0n, '1970-01-01'],
    ['one microsecond after the epoch', 1n, '1970-01-01'],
    ['a leap day', 1_709_164_800_000_001n, '2024-02-29'],
    ['the last microsecond of 9999', 253_402_300_799_999_999n, '9999-12-31'],
  ])('round-trips %s', async (_name, ts, date) => {
    const layout = freshRoot();
    const path = new ParquetRecordWriter(layout).writeInvocationSync(invocation({ timestamp: ts, date }));
    const row = await readInvocation(path);
    expect(row.ts_us).toBe(ts);
    expect(row.date).toBe(date);
    expect(path).toContain(`date=${date}`);
  });

  it('stores nulls in every nullable column', async () => {
    const layout = freshRoot();
    const path = new ParquetRecordWriter(layout).writeInvocationSync(
      invocation({ duration_ms: null, cwd: null, executable: null, exit_code: null, hostname: null, shell: null }),
    );
    const row = await readInvocation(path);
    for (const c of INVOCATIONS.columns.filter((c) => c.nullable)) expect(row[c.name], c.name).toBeNull();
    expect(row.cmd).toBe('ls -la');
  });

  it.each([
    ['int32 minimum exit code and zero duration', { exit_code: -2_147_483_648, duration_ms: 0 }],
    ['int32 maximum exit code and a duration beyond int32', { exit_code: 2_147_483_647, duration_ms: 2 ** 40 }],
    ['the largest exact int64 a JS number holds', { duration_ms: Number.MAX_SAFE_INTEGER }],
  ])('keeps integers exactly: %s', async (_name, over) => {
    const layout = freshRoot();
    const path = new ParquetRecordWriter(layout).writeInvocationSync(invocation(over));
    const row = await readInvocation(path);
    if ('exit_code' in over) expect(row.exit_code).toBe(over.exit_code);
    expect(row.duration_ms).toBe(BigInt(over.duration_ms ?? 1234));
  });

  it.each([
    ['emoji', 'echo 🐦 🏳️‍🌈 👩🏽‍💻'],
    ['combining characters, kept unnormalised', 'echo e\u0301 a\u030a \u1100\u1161'],
    ['CJK and right-to-left text', 'grep 日本語 שלום مرحبا'],
    ['quotes and backslashes', `echo "it's" 'a "b"' \\n \\\\ \\" \`x\``],
    ['newlines, tabs and carriage returns', 'for f in *; do\n\techo "$f"\r\ndone'],
    ['SQL-looking text', "x'); DROP TABLE invocations; --"],
    ['control characters other than NUL', 'printf \u0001\u001b[31mred\u001b[0m\u007f'],
    ['a lone trailing space', 'ls '],
    ['an empty string', ''],
  ])('round-trips a command with %s exactly', async (_name, cmd) => {
    const layout = freshRoot();
    const cwd = `/tmp/${cmd.slice(0, 20).replaceAll('/', '_')}`;
    const path = new ParquetRecordWriter(layout).writeInvocationSync(invocation({ cmd, cwd, session_id: `s-${cmd}` }));
    const row = await readInvocation(path);
    expect(row.cmd).toBe(cmd);
    expect(row.cwd).toBe(cwd);
    expect(row.session_id).toBe(`s-${cmd}`);
    expect(row.cmd_bytes).toBe(BigInt(Buffer.byteLength(cmd)));
  });

  it('round-trips a 100 KB command', async () => {
    const layout = freshRoot();
    const unit = 'echo "ünïcödé 🐦" \\ \t';
    const cmd = unit.repeat(Math.ceil(100_000 / Buffer.byteLength(unit)));
    expect(Buffer.byteLength(cmd)).toBeGreaterThanOrEqual(100_000);
    const path = new ParquetRecordWriter(layout).writeInvocationSync(invocation({ cmd }));
    const row = await readInvocation(path);
    expect(row.cmd_bytes).toBe(BigInt(Buffer.byteLength(cmd)));
    expect(row.cmd).toBe(cmd);
  });

  it('returns every field it was given', async () => {
    const layout = freshRoot();
    const given = invocation();
    const path = new ParquetRecordWriter(layout).writeInvocationSync(given);
    const row = await readInvocation(path);
    expect(row).toMatchObject({
      id: given.id,
      session_id: given.session_id,
      ts_us: given.timestamp,
      duration_ms: BigInt(given.duration_ms!),
      cwd: given.cwd,
      cmd: given.cmd,
      executable: given.executable,
      exit_code: given.exit_code,
      client_id: given.client_id,
      hostname: given.hostname,
      shell: given.shell,
      date: given.date,
    });
  });
});

describe('ParquetRecordWriter: files and folders', () => {
  it('puts the file at db/data/local/invocations/date=…/<id>.parquet, 0600 in a 0700 folder', async () => {
    const layout = freshRoot();
    const old = process.umask(0o000);
    let path: string;
    try {
      path = new ParquetRecordWriter(layout).writeInvocationSync(invocation());
    } finally {
      process.umask(old);
    }
    expect(path).toBe(join(localPartitionDir(layout, 'invocations', '2023-11-14'), '018bcfe5-6800-7000-8000-000000000001.parquet'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(filesUnder(layout.tmp)).toEqual([]);
  });

  it('writes the same invocation twice as one file and one row', async () => {
    const layout = freshRoot();
    const writer = new ParquetRecordWriter(layout);
    const first = writer.writeInvocationSync(invocation());
    const bytes = readFileSync(first);
    await writer.writeInvocation(invocation());
    expect(readFileSync(first)).toEqual(bytes);
    expect(filesUnder(layout.dataDir)).toEqual([relative(layout.dataDir, first)]);
    const [row] = await duckdbRows(`SELECT count(*) AS n FROM ${readParquet(localTableGlob(layout, 'invocations'))}`);
    expect(row!.n).toBe(1n);
  });

  it('writes different invocations as separate rows that a table glob reads together', async () => {
    const layout = freshRoot();
    const writer = new ParquetRecordWriter(layout);
    writer.writeInvocationSync(invocation({ id: '018bcfe5-6800-7000-8000-00000000000a', cmd: 'a', date: '2023-11-14' }));
    writer.writeInvocationSync(invocation({ id: '018bcfe5-6800-7000-8000-00000000000b', cmd: 'b', date: '2023-11-15' }));
    const rows = await duckdbRows(`SELECT cmd FROM ${readParquet(localTableGlob(layout, 'invocations'))} ORDER BY cmd`);
    expect(rows.map((r) => r.cmd)).toEqual(['a', 'b']);
  });
});

describe('ParquetRecordWriter: sessions', () => {
  const session = (over: Partial<SessionRow> = {}): SessionRow => ({
    session_id: 'zsh-4242-1700000000',
    client_id: 'me@laptop',
    invoker: 'zsh',
    invoker_pid: 4242,
    registered_at: 1_700_000_000_654_321n,
    cwd: '/home/me',
    date: '2023-11-14',
    ...over,
  });

  it('writes a session once, and reports the second registration as already done', async () => {
    const layout = freshRoot();
    const writer = new ParquetRecordWriter(layout);
    const path = writer.registerSessionSync(session());
    expect(path).toBe(join(localPartitionDir(layout, 'sessions', '2023-11-14'), `${fileKeyOf('zsh-4242-1700000000')}.parquet`));
    expect(writer.registerSessionSync(session())).toBeNull();
    await writer.registerSession(session());
    expect(filesUnder(localPartitionDir(layout, 'sessions', '2023-11-14'))).toHaveLength(1);
    const rows = await duckdbRows(
      `SELECT session_id, client_id, invoker, invoker_pid, epoch_us(registered_at) AS us, cwd, CAST("date" AS VARCHAR) AS date,
              typeof(registered_at) AS ts_type
         FROM ${readParquet(localTableGlob(layout, 'sessions'))}`,
    );
    expect(rows).toEqual([
      { session_id: 'zsh-4242-1700000000', client_id: 'me@laptop', invoker: 'zsh', invoker_pid: 4242, us: 1_700_000_000_654_321n, cwd: '/home/me', date: '2023-11-14', ts_type: 'TIMESTAMP WITH TIME ZONE' },
    ]);
    expect(statSync(path!).mode & 0o777).toBe(0o600);
  });

  it('gives any session id, however odd, a safe fixed-length file name', () => {
    for (const id of ['../../etc/passwd', 'a/b', '🐦', 'x'.repeat(256), ' ']) {
      expect(fileKeyOf(id)).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(fileKeyOf('a')).not.toBe(fileKeyOf('b'));
  });

  it('stores null invoker fields', async () => {
    const layout = freshRoot();
    const path = new ParquetRecordWriter(layout).registerSessionSync(session({ invoker: null, invoker_pid: null, cwd: null }))!;
    const rows = await duckdbRows(`SELECT invoker, invoker_pid, cwd FROM ${readParquet(path)}`);
    expect(rows).toEqual([{ invoker: null, invoker_pid: null, cwd: null }]);
  });
});

describe('encodeParquet: every table', () => {
  const samples: Record<string, Record<string, unknown>> = {
    outputs: { id: 'o1', invocation_id: 'i1', stream: 'stdout', content_hash: 'blake3:00ff', byte_length: 2 ** 33, storage_type: 'inline', storage_ref: 'data:,hi', date: '2024-01-02' },
    events: { id: 'e1', invocation_id: 'i1', severity: 'error', ref_file: 'src/a.ts', ref_line: 12, ref_column: null, message: "expected ';'", code: 'TS1005', kind: 'diagnostic', test_name: null, status: null, duration_ms: 2 ** 33, date: '2024-01-02' },
  };

  it.each([
    ['outputs', OUTPUTS],
    ['events', EVENTS],
  ] as [string, TableDef][])('%s: types and values round-trip', async (name, table) => {
    const dir = join(base, `encode-${name}`);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'x.parquet');
    writeFileSync(path, encodeParquet(table, [samples[name]!]));
    const types = await parquetColumnTypes(path);
    expect(Object.keys(types)).toEqual(table.columns.map((c) => c.name));
    for (const c of table.columns) expect(types[c.name], c.name).toBe(DUCKDB_TYPE_NAME[SQL_TYPES[c.kind]] ?? SQL_TYPES[c.kind]);
    const [row] = await duckdbRows(`SELECT * REPLACE (CAST("date" AS VARCHAR) AS "date") FROM ${readParquet(path)}`);
    const expected = Object.fromEntries(
      table.columns.map((c) => {
        const v = samples[name]![c.name];
        return [c.name, c.kind === 'int64' && v !== null ? BigInt(v as number) : v];
      }),
    );
    expect(row).toEqual(expected);
  });

  it('covers every table in core', () => {
    expect(Object.keys(TABLES).sort()).toEqual(['events', 'invocations', 'outputs', 'sessions']);
    expect([INVOCATIONS, SESSIONS, OUTPUTS, EVENTS].map((t) => t.name)).toEqual(['invocations', 'sessions', 'outputs', 'events']);
  });
});

describe('ParquetRecordWriter: a failed write leaves nothing behind', () => {
  /** Nothing under db/data and no `.partial` anywhere in the root. */
  function expectNothingWritten(layout: BirdLayout): void {
    expect(filesUnder(layout.dataDir)).toEqual([]);
    expect(filesUnder(layout.root).filter((f) => f.endsWith('.partial'))).toEqual([]);
  }

  it('when a required column is missing', () => {
    const layout = freshRoot();
    const row = invocation({ cmd: undefined as unknown as string });
    expect(() => new ParquetRecordWriter(layout).writeInvocationSync(row)).toThrow('invocations.cmd is required but missing');
    expectNothingWritten(layout);
  });

  it('when a required column is null', () => {
    const layout = freshRoot();
    const row = invocation({ timestamp: null as unknown as bigint });
    expect(() => new ParquetRecordWriter(layout).writeInvocationSync(row)).toThrow('invocations.timestamp is required but missing');
    expectNothingWritten(layout);
  });

  it('when the temporary folder cannot be used', () => {
    const layout = freshRoot();
    rmSync(layout.tmp, { recursive: true });
    writeFileSync(layout.tmp, 'in the way'); // a file where the folder should be: fails even for root
    expect(() => new ParquetRecordWriter(layout).writeInvocationSync(invocation())).toThrow(/EEXIST|ENOTDIR/);
    expectNothingWritten(layout);
  });

  it.skipIf(process.getuid?.() === 0)('when the temporary folder is read-only', () => {
    const layout = freshRoot();
    chmodSync(layout.tmp, 0o500);
    try {
      expect(() => new ParquetRecordWriter(layout).writeInvocationSync(invocation())).toThrow(/EACCES/);
    } finally {
      chmodSync(layout.tmp, 0o700);
    }
    expectNothingWritten(layout);
  });

  it('when the final rename fails, removing the half-written file', () => {
    const layout = freshRoot();
    const target = join(localPartitionDir(layout, 'invocations', '2023-11-14'), '018bcfe5-6800-7000-8000-000000000001.parquet');
    mkdirSync(join(target, 'occupied'), { recursive: true }); // a non-empty folder where the file should go
    expect(() => new ParquetRecordWriter(layout).writeInvocationSync(invocation())).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(filesUnder(layout.tmp)).toEqual([]);
    expect(filesUnder(layout.dataDir)).toEqual([]);
  });

  it('when the partition folder cannot be created', () => {
    const layout = freshRoot();
    writeFileSync(join(layout.localData, 'invocations'), 'in the way');
    expect(() => new ParquetRecordWriter(layout).writeInvocationSync(invocation())).toThrow(/EEXIST|ENOTDIR/);
    expect(filesUnder(layout.tmp)).toEqual([]);
    expect(filesUnder(layout.dataDir)).toEqual(['local/invocations']);
  });
});

describe('ParquetRecordWriter: error messages', () => {
  it('turns a file-system failure into one sentence naming the file and what to do', () => {
    const layout = freshRoot();
    writeFileSync(join(layout.localData, 'sessions'), 'in the way');
    let caught: unknown;
    try {
      new ParquetRecordWriter(layout).registerSessionSync({
        session_id: 's', client_id: 'c', invoker: null, invoker_pid: null, registered_at: 0n, cwd: null, date: '1970-01-01',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BirdError);
    const message = (caught as BirdError).message;
    expect(message).toMatch(/^cannot write .*sessions\/date=1970-01-01\/[0-9a-f]{32}\.parquet \((EEXIST|ENOTDIR)\): make .* writable, or point BIRD_ROOT somewhere you can write\.$/);
    expect(message).not.toContain('\n');
  });
});
