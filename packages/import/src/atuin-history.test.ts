import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { ATUIN_SCHEMA, OLD_SCHEMA, atuinDb, type Row } from './testing/atuin-db.ts';
import { describe, expect, it } from 'vitest';
import { BirdError } from '@bird/core';
import { parseAtuinHistory } from './atuin-history.ts';
import type { AtuinHistoryEntry } from './history-entry.ts';
import { applyWal } from './sqlite-wal.ts';


const S = 1_000_000_000n; // nanoseconds in a second
const T = 1_700_000_000n * S + 123_456_789n; // past 2^53 ns: must stay exact

const entry = (over: Partial<AtuinHistoryEntry> & Pick<AtuinHistoryEntry, 'atuinId' | 'cmd' | 'line'>): AtuinHistoryEntry => ({
  startUs: null,
  durationMs: null,
  cwd: null,
  exitCode: null,
  hostname: null,
  user: null,
  session: null,
  ...over,
});

describe('parseAtuinHistory', () => {
  const cases: { name: string; rows: Row[]; schema?: string; entries: AtuinHistoryEntry[]; unreadable?: number; deleted?: number }[] = [
    {
      name: 'maps a finished command: ns to µs and ms, host:user split',
      rows: [['a1', T, 1_500_000_000n, 0n, 'cargo build', '/home/alice/src', 'sess1', 'laptop:alice']],
      entries: [entry({ atuinId: 'a1', cmd: 'cargo build', line: 1, startUs: 1_700_000_000_123_456n, durationMs: 1500, exitCode: 0, cwd: '/home/alice/src', session: 'sess1', hostname: 'laptop', user: 'alice' })],
    },
    {
      name: 'atuin’s -1 for an unknown duration and exit, and `unknown` cwd, read as null',
      rows: [['a1', T, -1n, -1n, 'ls', 'unknown', 'sess1', 'laptop:alice']],
      entries: [entry({ atuinId: 'a1', cmd: 'ls', line: 1, startUs: 1_700_000_000_123_456n, session: 'sess1', hostname: 'laptop', user: 'alice' })],
    },
    {
      name: 'keeps real non-zero exits, and a hostname with no user',
      rows: [['a1', T, 2_000_000n, 127n, 'nosuchcmd', '/', 's', 'box']],
      entries: [entry({ atuinId: 'a1', cmd: 'nosuchcmd', line: 1, startUs: 1_700_000_000_123_456n, durationMs: 2, exitCode: 127, cwd: '/', session: 's', hostname: 'box' })],
    },
    {
      name: 'orders rows by time, whatever order they were written in',
      rows: [['b', T + 2n * S, 0n, 0n, 'second', '/', 's', 'h:u'], ['a', T, 0n, 0n, 'first', '/', 's', 'h:u']],
      entries: [
        entry({ atuinId: 'a', cmd: 'first', line: 1, startUs: 1_700_000_000_123_456n, durationMs: 0, exitCode: 0, cwd: '/', session: 's', hostname: 'h', user: 'u' }),
        entry({ atuinId: 'b', cmd: 'second', line: 2, startUs: 1_700_000_002_123_456n, durationMs: 0, exitCode: 0, cwd: '/', session: 's', hostname: 'h', user: 'u' }),
      ],
    },
    {
      name: 'leaves out deleted rows and counts them',
      rows: [['a', T, 0n, 0n, 'kept', '/', 's', 'h:u'], ['b', T + S, 0n, 0n, 'secret', '/', 's', 'h:u', T + 5n * S]],
      entries: [entry({ atuinId: 'a', cmd: 'kept', line: 1, startUs: 1_700_000_000_123_456n, durationMs: 0, exitCode: 0, cwd: '/', session: 's', hostname: 'h', user: 'u' })],
      deleted: 1,
    },
    {
      name: 'multi-line and CJK commands come back as they were',
      rows: [['a', T, 0n, 0n, 'for f in *\n  echo 日本語 $f\nend', '/tmp', 's', 'h:u']],
      entries: [entry({ atuinId: 'a', cmd: 'for f in *\n  echo 日本語 $f\nend', line: 1, startUs: 1_700_000_000_123_456n, durationMs: 0, exitCode: 0, cwd: '/tmp', session: 's', hostname: 'h', user: 'u' })],
    },
    {
      name: 'an empty command is unreadable, the other rows are kept',
      rows: [['a', T, 0n, 0n, '', '/', 's', 'h:u'], ['b', T + S, 0n, 0n, 'ls', '', '', '']],
      entries: [entry({ atuinId: 'b', cmd: 'ls', line: 2, startUs: 1_700_000_001_123_456n, durationMs: 0, exitCode: 0 })],
      unreadable: 1,
    },
    {
      name: 'reads a database from before deleted_at existed',
      rows: [['a', T, 0n, 0n, 'ls', '/', 's', 'h:u']],
      schema: OLD_SCHEMA,
      entries: [entry({ atuinId: 'a', cmd: 'ls', line: 1, startUs: 1_700_000_000_123_456n, durationMs: 0, exitCode: 0, cwd: '/', session: 's', hostname: 'h', user: 'u' })],
    },
    {
      name: 'a time before 1970 is damage: the row is kept without a time',
      rows: [['a', -5n * S, 0n, 0n, 'ls', '/', 's', 'h:u']],
      entries: [entry({ atuinId: 'a', cmd: 'ls', line: 1, durationMs: 0, exitCode: 0, cwd: '/', session: 's', hostname: 'h', user: 'u' })],
    },
    { name: 'an empty history has no entries', rows: [], entries: [] },
  ];
  // A database has no lines to name: unreadable rows are counted only.
  it.each(cases)('$name', async ({ rows, schema, entries, unreadable = 0, deleted = 0 }) => {
    expect(await parseAtuinHistory(await atuinDb(rows, schema))).toEqual({ entries, unreadable, unreadableLines: [], deleted });
  });

  it.each([
    ['bytes that are not SQLite', new TextEncoder().encode('- cmd: ls\n  when: 1\n'.repeat(100))],
    ['an empty file', new Uint8Array()],
  ])('rejects %s with a BirdError', async (_, bytes) => {
    await expect(parseAtuinHistory(bytes)).rejects.toThrow(BirdError);
  });

  it('rejects a SQLite database with no history table', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('create table notes(x text)');
    await expect(parseAtuinHistory(db.export())).rejects.toThrow(/not an atuin history database/);
  });
});

const hasPythonSqlite = spawnSync('python3', ['-c', 'import sqlite3'], { stdio: 'ignore' }).status === 0;

/**
 * A real SQLite (Python's) writes atuin's schema in WAL mode, checkpoints one row into the
 * database file, commits two more that stay in the -wal file, and copies both files while its
 * connection is still open, as `bird import atuin` would find them next to a running atuin.
 */
function walPair(): { db: Uint8Array; wal: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'bird-atuin-wal-'));
  try {
    const script = `
import shutil, sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + '/history.db', isolation_level=None)
c.execute('pragma journal_mode=wal'); c.execute('pragma wal_autocheckpoint=0')
c.executescript(sys.stdin.read())
ins = 'insert into history (id, timestamp, duration, exit, command, cwd, session, hostname) values (?, ?, 0, 0, ?, ?, ?, ?)'
c.execute(ins, ('a', 1700000000000000000, 'checkpointed', '/', 's', 'h:u'))
c.execute('pragma wal_checkpoint(TRUNCATE)')
c.execute(ins, ('b', 1700000001000000000, 'in the wal', '/', 's', 'h:u'))
c.execute(ins, ('c', 1700000002000000000, 'last commit', '/', 's', 'h:u'))
shutil.copy(d + '/history.db', d + '/copy.db'); shutil.copy(d + '/history.db-wal', d + '/copy.db-wal')
`;
    const run = spawnSync('python3', ['-c', script, dir], { input: ATUIN_SCHEMA, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    return { db: new Uint8Array(readFileSync(join(dir, 'copy.db'))), wal: new Uint8Array(readFileSync(join(dir, 'copy.db-wal'))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasPythonSqlite)('an atuin database whose newest rows are in history.db-wal', () => {
  const commands = async (db: Uint8Array, wal?: Uint8Array) => (await parseAtuinHistory(db, wal ? { wal } : {})).entries.map((e) => e.cmd);

  it('sees the rows in the -wal file only when given it', async () => {
    const { db, wal } = walPair();
    expect(await commands(db)).toEqual(['checkpointed']);
    expect(await commands(db, wal)).toEqual(['checkpointed', 'in the wal', 'last commit']);
  });

  it('drops a transaction torn off the end of the log, keeping the ones before it', async () => {
    const { db, wal } = walPair();
    expect(await commands(db, wal.subarray(0, wal.length - 100))).toEqual(['checkpointed', 'in the wal']);
  });

  it('ignores frames whose checksum does not match', async () => {
    const { db, wal } = walPair();
    const bad = wal.slice();
    bad[32 + 24 + 100]! ^= 0xff; // inside the first frame's page
    expect(await commands(db, bad)).toEqual(['checkpointed']);
  });

  it.each([
    ['no log', new Uint8Array()],
    ['something that is not a log', new TextEncoder().encode('x'.repeat(5000))],
  ])('leaves the database as it is for %s', (_, wal) => {
    const { db } = walPair();
    expect(applyWal(db, wal)).toBe(db);
  });
});
