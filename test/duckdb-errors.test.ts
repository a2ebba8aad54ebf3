// Every DuckDB message bird acts on (core's classifyDuckDBError), provoked from real DuckDB over
// real files: when an upgrade rewords one, a case here fails instead of bird quietly doing
// something else (retrying, rebuilding the catalog, quarantining a file, naming a remote).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BirdError, classifyDuckDBError as coreClassify, isDiskFull, type DuckDBFailure, type DuckDBFailureKind } from '@bird/core';
import { REPO } from './cli-helpers.ts';

const HOLDER = join(REPO, 'packages/store/src/testing/hold-catalog.mjs');
// A folder whose name holds the words of other kinds: quoted paths must never decide a kind.
const dir = join(mkdtempSync(join(tmpdir(), 'bird-duckdb-errors-')), 'checksum Conversion Error Could not set lock');
mkdirSync(dir);

// Every kind: one added without a real message to pin it fails the last case (and does not
// compile here until it is listed).
const KINDS: Record<DuckDBFailureKind, true> = { locked: true, 'damaged-catalog': true, 'missing-file': true, 'missing-schema': true, conversion: true, 'bad-file': true, other: true };
const seen = new Set<DuckDBFailureKind>();
/** core's classifyDuckDBError, noting each kind it gives. */
function classifyDuckDBError(error: unknown): DuckDBFailure {
  const failure = coreClassify(error);
  seen.add(failure.kind);
  return failure;
}

let memory: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  memory = await DuckDBInstance.create(':memory:');
  connection = await memory.connect();
});
afterAll(() => {
  connection.closeSync();
  memory.closeSync();
});

/** What `work` threw; fails the test when it did not throw. */
async function thrown(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected DuckDB to fail, and it did not');
}

const query = (sql: string) => thrown(() => connection.run(sql));
const open = (path: string, readOnly = true) =>
  thrown(async () => {
    const instance = await DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
    try {
      const c = await instance.connect();
      await c.run('SELECT count(*) FROM main.invocations');
      c.closeSync();
    } finally {
      instance.closeSync();
    }
  });

/** A database file with a table and 100,000 rows (hold-catalog.mjs queries its cmd), closed (checkpointed). */
async function makeDatabase(path: string): Promise<Buffer> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run("CREATE TABLE invocations AS SELECT range AS x, 'ls' AS cmd FROM range(100000)");
  c.closeSync();
  instance.closeSync();
  return readFileSync(path);
}

describe('locked: another process holds the database file', () => {
  it('a READ_ONLY open and a read-write open are both "locked"', async () => {
    const path = join(dir, 'held.duckdb');
    await makeDatabase(path);
    const holder = spawn(process.execPath, [HOLDER, path, 'read_write', 'forever'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(holder, 'exit');
    try {
      await once(holder.stdout!, 'data');
      for (const readOnly of [true, false]) {
        const error = await open(path, readOnly);
        expect(error.message).toMatch(/^IO Error: Could not set lock on file .*Conflicting lock is held/);
        expect(classifyDuckDBError(error)).toEqual({ kind: 'locked', file: null });
      }
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
  });
});

describe('damaged-catalog: a database file DuckDB cannot make sense of', () => {
  let sound: Buffer;
  beforeAll(async () => {
    sound = await makeDatabase(join(dir, 'sound.duckdb'));
  });

  it.each<[string, (bytes: Buffer) => Buffer, RegExp]>([
    ['random bytes', () => Buffer.alloc(16384, 7), /not a valid DuckDB database file/],
    ['cut short', (bytes) => bytes.subarray(0, 3000), /Could not read enough bytes from file/],
    ['a damaged block', (bytes) => {
      const out = Buffer.from(bytes);
      for (let i = 12288; i < 12288 + 4096; i++) out[i]! ^= 0xff;
      return out;
    }, /Corrupt database file: computed checksum/],
  ])('%s', async (name, damage, phrase) => {
    const path = join(dir, `${name}.duckdb`);
    writeFileSync(path, damage(sound));
    const error = await open(path);
    expect(error.message).toMatch(phrase);
    expect(classifyDuckDBError(error)).toEqual({ kind: 'damaged-catalog', file: null });
  });

  it('a damaged WAL: every failure it gives is "damaged-catalog"', async () => {
    const path = join(dir, 'wal.duckdb');
    // A writer killed after its commit leaves its rows in the WAL only.
    const killed = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(path)});
      const c = await i.connect();
      await c.run('CREATE TABLE invocations (x INTEGER)');
      await c.run('CHECKPOINT');
      await c.run('INSERT INTO invocations SELECT range FROM range(100)');
      process.kill(process.pid, 'SIGKILL');`], { cwd: REPO, stdio: 'ignore' });
    await once(killed, 'exit');
    const catalog = readFileSync(path);
    const wal = readFileSync(`${path}.wal`);
    const messages: string[] = [];
    // Which byte DuckDB checks first is its own business: damage each of the first ones in turn.
    for (let at = 0; at < 64; at++) {
      const damaged = Buffer.from(wal);
      damaged[at]! ^= 0xff;
      writeFileSync(path, catalog);
      writeFileSync(`${path}.wal`, damaged);
      try {
        const instance = await DuckDBInstance.create(path);
        instance.closeSync();
      } catch (error) {
        messages.push((error as Error).message);
        expect(classifyDuckDBError(error), (error as Error).message).toEqual({ kind: 'damaged-catalog', file: null });
      }
    }
    expect(messages.some((m) => /^IO Error: Failure while replaying WAL file .*Corrupt WAL file: .*checksum/.test(m))).toBe(true);
  });
});

describe('missing-file: a glob that matches no file', () => {
  it.each([
    ['a query', (glob: string) => `SELECT * FROM read_parquet('${glob}')`],
    ['a view', (glob: string) => `CREATE VIEW nothing_here AS SELECT * FROM read_parquet('${glob}')`],
  ])('in %s, with the pattern, and no file to look at', async (_, sql) => {
    const glob = join(dir, 'invocations', '*', '*.parquet');
    expect(classifyDuckDBError(await query(sql(glob)))).toEqual({ kind: 'missing-file', pattern: glob, file: null });
  });
});

describe('missing-schema: a schema or database the query names that does not exist', () => {
  it.each([
    ['SELECT * FROM remote_backup.invocations', 'remote_backup'],
    ['SELECT * FROM Remote_Backup.invocations', 'remote_backup'],
    ['SELECT * FROM remote_backup.main.invocations', 'remote_backup'],
    ['DESCRIBE remote_old_lake.sessions', 'remote_old_lake'],
    ['USE remote_backup', 'remote_backup'],
  ])('%s → %s', async (sql, schema) => {
    expect(classifyDuckDBError(await query(sql))).toEqual({ kind: 'missing-schema', schema, file: null });
  });

  it.each(['SELECT * FROM main.nope', 'SELEC 1'])('%s is not one', async (sql) => {
    expect(classifyDuckDBError(await query(sql)).kind).toBe('other');
  });
});

describe('conversion: a value that does not convert to its type', () => {
  beforeAll(async () => {
    await connection.run(`COPY (SELECT 1::INTEGER AS x, TIMESTAMPTZ '2025-01-01 00:00:00+00' AS ts) TO '${join(dir, 'a.parquet')}'`);
    await connection.run(`COPY (SELECT 'abc' AS x, 'Jan 1st' AS ts) TO '${join(dir, 'b.parquet')}'`);
  });

  it('of the query itself: no file', async () => {
    expect(classifyDuckDBError(await query(`SELECT CAST('abc' AS INTEGER)`))).toEqual({ kind: 'conversion', file: null });
    expect(classifyDuckDBError(await query(`SELECT CAST('Could not set lock' AS TIMESTAMPTZ)`))).toEqual({ kind: 'conversion', file: null });
  });

  it.each(['x', 'ts'])('of a file read with another file\'s type (%s): DuckDB names the file', async (column) => {
    const error = await query(`SELECT ${column} FROM read_parquet(['${join(dir, 'a.parquet')}', '${join(dir, 'b.parquet')}'])`);
    expect(error.message).toMatch(/^Conversion Error: Error while reading file .*failed to cast column/);
    expect(classifyDuckDBError(error)).toEqual({ kind: 'conversion', file: join(dir, 'b.parquet') });
  });

  it('in a view\'s CAST of a file\'s column: DuckDB names no file (bird then reads the footers)', async () => {
    await connection.run(`CREATE OR REPLACE VIEW cast_view AS SELECT CAST(ts AS TIMESTAMPTZ) AS ts FROM read_parquet('${join(dir, 'b.parquet')}')`);
    expect(classifyDuckDBError(await query('SELECT * FROM cast_view'))).toEqual({ kind: 'conversion', file: null });
  });
});

describe('bad-file: any other error about a file DuckDB names', () => {
  it.each<[string, (sound: Buffer) => Buffer | string]>([
    ['not Parquet at all', () => 'hello, this is not a Parquet file, not at all'],
    ['too small', () => 'PAR1'],
    ['cut short', (sound) => sound.subarray(0, sound.length - 20)],
  ])('%s', async (name, make) => {
    await connection.run(`COPY (SELECT 'abc' AS x FROM range(1000)) TO '${join(dir, 'sound.parquet')}'`);
    const file = join(dir, `${name}.parquet`);
    writeFileSync(file, make(readFileSync(join(dir, 'sound.parquet'))));
    expect(classifyDuckDBError(await query(`SELECT * FROM read_parquet('${file}')`))).toEqual({ kind: 'bad-file', file });
  });
});

describe('what is not DuckDB speaking', () => {
  it("bird's own sentence, even one naming a path with DuckDB's words in it, is \"other\"", () => {
    const busy = new BirdError(`the BIRD catalog ${join(dir, 'bird.duckdb')} is held by another bird process (waited 0.2 s); wait for it to finish and try again.`, { exitCode: 75 });
    expect(classifyDuckDBError(busy)).toEqual({ kind: 'other', file: null });
  });

  it('a disk that is full, in DuckDB\'s words, is a full disk', async () => {
    const error = await query(`COPY (SELECT 1 AS x) TO '/dev/full' (FORMAT csv)`);
    expect(error.message).toMatch(/No space left on device/);
    expect(isDiskFull(error)).toBe(true);
  });
});

// Last, so that it sees what every case above met.
it('every kind was given by a real DuckDB error above', () => {
  expect([...seen].sort()).toEqual(Object.keys(KINDS).sort());
});
