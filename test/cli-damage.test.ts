// End to end: what the built `bird` (and `bird-capture`) do with damaged files and roots they cannot use.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { shortHostname } from '@bird/core';
import { at, BIRD_BUNDLE, CAPTURE_BUNDLE, buildBundles, expectOneLineError, type Run, type Sandbox, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();

/** Writes a real Parquet file with DuckDB's COPY: `select` gives its columns and types. */
async function writeParquet(file: string, select: string): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${select}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** An invocations row with every column named right, `timestamp` as the text given. */
const textTimestampRow = (timestamp: string, cmd: string) =>
  `SELECT 'id-${cmd}' AS id, 's' AS session_id, '${timestamp}'::VARCHAR AS "timestamp", 1::BIGINT AS duration_ms, '/' AS cwd,
     '${cmd}' AS cmd, '${cmd}' AS executable, 0 AS exit_code, 'c' AS client_id, 'h' AS hostname, 'bash' AS shell`;

const stderrLines = (run: Run) => run.stderr.split('\n').filter((line) => line !== '');

describe('a valid Parquet file with the right columns but the wrong types', () => {
  const s = sandbox();
  const day = () => join(s.root, 'db', 'data', 'local', 'invocations', 'date=2025-11-27');
  const quarantined = (name: string) => join(s.root, 'db', 'quarantine', 'data', 'local', 'invocations', 'date=2025-11-27', name);

  beforeAll(() => {
    s.capture({ cmd: 'echo one', exit: 0, startUs: at(0) });
    s.capture({ cmd: 'echo two', exit: 0, startUs: at(60) });
  });

  it('a file DuckDB names in its error is quarantined, named in one warning, and the query answers with the good rows', async () => {
    await writeParquet(join(day(), 'typed-wrong.parquet'), textTimestampRow('Jan 1st', 'bad'));
    const run = s.bird(['sql', 'SELECT cmd, "timestamp" FROM main.invocations ORDER BY "timestamp"', '--format', 'csv']);
    expect(run.stdout).toBe('cmd,timestamp\necho one,2025-11-26T23:33:20.000000Z\necho two,2025-11-26T23:34:20.000000Z\n');
    expect(run.code).toBe(0);
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: skipped bad file .*typed-wrong\.parquet \(.*timestamp.*VARCHAR.*\); moved it to .*quarantine.*typed-wrong\.parquet\.$/);
    expect(existsSync(join(day(), 'typed-wrong.parquet'))).toBe(false);
    expect(existsSync(quarantined('typed-wrong.parquet'))).toBe(true);
  });

  it('a file the error does not name (the cast fails in the view) is found by its schema, only after the failure', async () => {
    await writeParquet(join(day(), 'unnamed.parquet'), textTimestampRow('Jan 2nd', 'bad2'));
    const run = s.bird(['history']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('echo two');
    expect(run.stdout).not.toContain('bad2');
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: skipped bad file .*unnamed\.parquet \(.*timestamp.*\); moved it to .*quarantine/);
    expect(existsSync(quarantined('unnamed.parquet'))).toBe(true);
    // The next query is clean.
    const again = s.bird(['history']);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('a file whose text timestamps do convert breaks nothing and is left where it is', async () => {
    await writeParquet(join(day(), 'text-but-fine.parquet'), textTimestampRow('2025-11-27 08:00:00', 'fine'));
    const run = s.bird(['sql', `SELECT cmd FROM main.invocations WHERE cmd = 'fine'`, '--format', 'csv']);
    expect(run).toEqual({ code: 0, stdout: 'cmd\nfine\n', stderr: '' });
    expect(existsSync(join(day(), 'text-but-fine.parquet'))).toBe(true);
  });

  it('a conversion error of the query itself is reported as it is, and nothing is moved', () => {
    expectOneLineError(s.bird(['sql', `SELECT 'abc'::INTEGER FROM main.invocations`]), 1, /^bird: SQL error: Conversion Error: .*abc/);
    expect(existsSync(join(day(), 'text-but-fine.parquet'))).toBe(true);
  });
});

describe('a damaged db/bird.duckdb', () => {
  const garbage = (s: Sandbox) => {
    const bytes = randomBytes(4096);
    writeFileSync(join(s.root, 'db', 'bird.duckdb'), bytes);
    return bytes;
  };
  const quarantinedCatalogs = (s: Sandbox) => {
    const dir = join(s.root, 'db', 'quarantine');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('bird.duckdb')) : [];
  };

  it('parquet mode: bird init moves it aside (kept), rebuilds it, says so in one line, and the data reads again', () => {
    const s = sandbox();
    s.capture({ cmd: 'echo kept', exit: 0, startUs: at(0) });
    expect(s.bird(['init']).code).toBe(0);
    const bytes = garbage(s);
    const run = s.bird(['init']);
    expect(run.code).toBe(0);
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: .*bird\.duckdb .*not a valid DuckDB database.*moved it to .*quarantine.*rebuilt/);
    const kept = quarantinedCatalogs(s);
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(s.root, 'db', 'quarantine', kept[0]!))).toEqual(bytes);
    expect(s.bird(['sql', 'SELECT cmd FROM main.invocations', '--format', 'csv'])).toEqual({ code: 0, stdout: 'cmd\necho kept\n', stderr: '' });
  });

  it.each([[['sql', 'SELECT cmd FROM main.invocations', '--format', 'csv']], [['history', '--format', 'csv']]])('parquet mode: bird %j rebuilds it and answers', (args) => {
    const s = sandbox();
    s.capture({ cmd: 'echo kept', exit: 0, startUs: at(0) });
    expect(s.bird(['init']).code).toBe(0);
    garbage(s);
    // bird history reads the history index, not the catalog: make it rebuild the index from the store.
    if (args[0] === 'history') rmSync(join(s.root, 'db', 'history-index'), { recursive: true });
    const run = s.bird(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('echo kept');
    expect(stderrLines(run)).toEqual([expect.stringMatching(/^bird: warning: .*bird\.duckdb .*moved it to .*quarantine.*rebuilt/)]);
    expect(quarantinedCatalogs(s)).toHaveLength(1);
  });

  it('parquet mode: bird history answers from the history index without touching a damaged catalog', () => {
    const s = sandbox();
    s.capture({ cmd: 'echo kept', exit: 0, startUs: at(0) });
    expect(s.bird(['init']).code).toBe(0);
    const bytes = garbage(s);
    expect(s.bird(['history', '--format', 'csv'])).toEqual({ code: 0, stdout: `timestamp,exit_code,duration_ms,cwd,cmd,hostname,_source\n2025-11-26T23:33:20.000000Z,0,5,/tmp,echo kept,${shortHostname()},local\n`, stderr: '' });
    expect(readFileSync(join(s.root, 'db', 'bird.duckdb'))).toEqual(bytes);
  });

  it('parquet mode: a pulled remote is still in main after the rebuild', async () => {
    const s = sandbox();
    s.capture({ cmd: 'echo here', exit: 0, startUs: at(0) });
    const cached = join(s.root, 'db', 'data', 'cached', 'team', 'invocations', 'date=2025-11-26', 'batch.parquet');
    await writeParquet(cached, `SELECT 'id-t' AS id, 's' AS session_id, TIMESTAMPTZ '2025-11-26 23:40:00+00' AS "timestamp", 1::BIGINT AS duration_ms,
      '/' AS cwd, 'echo there' AS cmd, 'echo' AS executable, 0 AS exit_code, 'c' AS client_id, 'h' AS hostname, 'bash' AS shell, DATE '2025-11-26' AS date`);
    expect(s.bird(['init']).code).toBe(0);
    garbage(s);
    const run = s.bird(['sql', 'SELECT cmd, _source FROM main.invocations ORDER BY "timestamp"', '--format', 'csv']);
    expect(run.stdout).toBe('cmd,_source\necho here,local\necho there,team\n');
  });

  it.each([[['init']], [['init', '--mode', 'duckdb']], [['sql', 'SELECT 1']], [['history']]])('duckdb mode: bird %j names the file, says what to do, and never moves it', (args) => {
    const s = sandbox();
    expect(s.bird(['init', '--mode', 'duckdb']).code).toBe(0);
    const bytes = garbage(s);
    const run = s.bird(args);
    expectOneLineError(run, 1, /bird\.duckdb .*restore it from a backup, or move it away and run `bird init --mode duckdb` to start empty\.$/);
    expect(readFileSync(join(s.root, 'db', 'bird.duckdb'))).toEqual(bytes);
    expect(quarantinedCatalogs(s)).toEqual([]);
  });
});

describe('a BIRD_ROOT where folders cannot be made (/proc/self)', () => {
  const bounded = (args: string[]) => {
    const started = Date.now();
    const r = spawnSync(process.execPath, args, {
      env: { ...process.env, BIRD_ROOT: '/proc/self', BIRD_CLIENT_ID: 't@b', HOME: '/nonexistent' },
      encoding: 'utf8',
      timeout: 10_000,
      killSignal: 'SIGKILL',
    });
    return { r, ms: Date.now() - started };
  };

  it.skipIf(!existsSync('/proc/self'))('bird sql fails quickly in one sentence', () => {
    const { r, ms } = bounded([BIRD_BUNDLE, 'sql', 'select 1']);
    expect(r.signal).toBeNull();
    expect(ms).toBeLessThan(10_000);
    expectOneLineError({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }, 1, /cannot create or write the BIRD root \/proc\/self .*point BIRD_ROOT somewhere you can write/);
  });

  it.skipIf(!existsSync('/proc/self'))('bird-capture fails quickly in one line', () => {
    const { r, ms } = bounded([CAPTURE_BUNDLE, '--cmd', 'x', '--exit', '0', '--start-us', '1', '--session', 's']);
    expect(r.signal).toBeNull();
    expect(ms).toBeLessThan(10_000);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\/proc\/self/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
