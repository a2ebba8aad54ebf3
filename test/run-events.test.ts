// Events end to end, in both storage modes: `bird run` of real failing tools (this repo's tsc, a
// Python script, gcc) stores what their output says; `bird events` lists it for an editor's
// quickfix; compaction, --reparse and forget keep each event once, and never one without its command.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, EVENTS, STORAGE_MODES } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { BIRD_BUNDLE, buildBundles, REPO, Sandbox } from './cli-helpers.ts';
import { filesUnder } from './support/files.ts';
import { KillWindow } from './support/kill-window.ts';

beforeAll(() => buildBundles());

const TSC = join(REPO, 'node_modules', '.bin', 'tsc');

/** The built bird, both streams pipes (so `bird run` stores both). */
function bird(box: Sandbox, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env: box.env(), cwd: box.dir, input: '', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sqlJson(box: Sandbox, query: string): Record<string, unknown>[] {
  const run = box.bird(['sql', query, '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

function freshStore(mode: string): Sandbox {
  const box = new Sandbox();
  expect(box.bird(['init', '--mode', mode]).code).toBe(0);
  return box;
}

/** A TypeScript file with two type errors, a Python script that raises, a C file gcc rejects. */
function brokenSources(box: Sandbox): void {
  writeFileSync(join(box.dir, 'broken.ts'), 'const a: number = "x";\nfunction f(b: string) { return b.nope; }\n');
  writeFileSync(join(box.dir, 'failing.py'), 'def f(x):\n    return 1 / x\n\nf(0)\n');
  writeFileSync(join(box.dir, 'bad.c'), 'int main(void) {\n  return y;\n}\n');
}

describe.each(STORAGE_MODES)('events, %s mode', (mode) => {
  it('bird run of a failing tsc and a failing Python script records the right file and line; bird events lists them', () => {
    const box = freshStore(mode);
    brokenSources(box);
    expect(bird(box, ['run', '--', TSC, '--noEmit', 'broken.ts']).code).toBe(2);
    expect(bird(box, ['run', '--', 'python3', 'failing.py']).code).toBe(1);

    const rows = sqlJson(box, 'SELECT i.cmd, e.kind, e.severity, e.ref_file, e.ref_line, e.ref_column, e.code FROM main.events e JOIN main.invocations i ON i.id = e.invocation_id ORDER BY e.code');
    expect(rows).toEqual([
      { cmd: `${TSC} --noEmit broken.ts`, kind: 'diagnostic', severity: 'error', ref_file: 'broken.ts', ref_line: 1, ref_column: 7, code: 'TS2322' },
      { cmd: `${TSC} --noEmit broken.ts`, kind: 'diagnostic', severity: 'error', ref_file: 'broken.ts', ref_line: 2, ref_column: 34, code: 'TS2339' },
      { cmd: 'python3 failing.py', kind: 'diagnostic', severity: 'error', ref_file: join(box.dir, 'failing.py'), ref_line: 2, ref_column: null, code: 'ZeroDivisionError' },
    ]);

    // Newest command first; each line what a quickfix list reads, the file absolute.
    const listed = bird(box, ['events']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(
      [
        `${join(box.dir, 'failing.py')}:2: error: ZeroDivisionError: division by zero [ZeroDivisionError]`,
        `${join(box.dir, 'broken.ts')}:1:7: error: Type 'string' is not assignable to type 'number'. [TS2322]`,
        `${join(box.dir, 'broken.ts')}:2:34: error: Property 'nope' does not exist on type 'string'. [TS2339]`,
        '',
      ].join('\n'),
    );
    expect(bird(box, ['events', '-1']).stdout.split('\n')[0]).toContain('failing.py:2:');
    expect(bird(box, ['events', '--file', 'broken.ts']).stdout.trim().split('\n')).toHaveLength(2);
    expect(bird(box, ['events', '--severity', 'warning']).stdout).toBe('');
    const both = bird(box, ['events', 'some-id', '-2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^bird: give a command's id or -N, not both; usage: bird events/);
    const unknown = bird(box, ['events', 'no-such-id']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no command with id "no-such-id"/);
    box.cleanup();
  });

  it('bird stats counts the most frequent errors and the files that fail most, as its filters say', () => {
    const box = freshStore(mode);
    brokenSources(box);
    const stats = (...args: string[]) => {
      const run = bird(box, ['stats', '--format', 'json', ...args]);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { total: number; topErrors: unknown[]; failingFiles: unknown[] };
    };
    expect(bird(box, ['run', 'true']).code).toBe(0);
    // A store with commands but no events yet: the lists are there, empty.
    expect(stats()).toMatchObject({ total: 1, topErrors: [], failingFiles: [] });
    expect(bird(box, ['run', '--', TSC, '--noEmit', 'broken.ts']).code).toBe(2);
    expect(bird(box, ['run', '--', TSC, '--noEmit', 'broken.ts']).code).toBe(2);
    expect(bird(box, ['run', '--', 'python3', 'failing.py']).code).toBe(1);

    const report = stats();
    expect(report.topErrors).toEqual([
      { pattern: "Property '…' does not exist on type '…'.", count: 2, commands: 2 },
      { pattern: "Type '…' is not assignable to type '…'.", count: 2, commands: 2 },
      { pattern: 'ZeroDivisionError: division by zero', count: 1, commands: 1 },
    ]);
    expect(report.failingFiles).toEqual([
      { file: join(box.dir, 'broken.ts'), count: 4, commands: 2 },
      { file: join(box.dir, 'failing.py'), count: 1, commands: 1 },
    ]);
    // The filters keep the events of the commands they keep.
    expect(stats('--host', 'no-such-host')).toMatchObject({ total: 0, topErrors: [], failingFiles: [] });
    expect(stats('--dir', '/nowhere')).toMatchObject({ topErrors: [], failingFiles: [] });
    expect(stats('--since', '1d').failingFiles).toHaveLength(2);
    const text = bird(box, ['stats']).stdout;
    expect(text).toContain('\nMost frequent errors\n');
    expect(text).toContain('\nFiles that fail most\n');
    box.cleanup();
  });

  it('compaction merges events; --reparse replaces a command’s events, merged or not; forget takes them with the command', () => {
    const box = freshStore(mode);
    brokenSources(box);
    writeFileSync(box.root + '/config.toml', `${readFileSync(box.root + '/config.toml', 'utf8')}\n[compaction]\nmin_files = 2\nmin_age_seconds = 0\n`);
    for (let i = 0; i < 3; i++) expect(bird(box, ['run', 'gcc', '-c', 'bad.c', '-o', '/dev/null']).code).toBe(1);
    const count = () => Number(sqlJson(box, 'SELECT count(*) AS n FROM main.events')[0]!.n);
    const perCommand = count() / 3;
    expect(perCommand).toBeGreaterThanOrEqual(1);
    expect(box.bird(['compact']).code).toBe(0);
    if (mode === 'parquet') expect(filesUnder(join(birdLayout(box.root).localData, 'events')).filter((f) => !f.includes('placeholder'))).toHaveLength(1);
    expect(count()).toBe(3 * perCommand);

    // An event an older parser got wrong, stored beside the right ones of the newest command.
    const [newest] = sqlJson(box, `SELECT id, CAST("date" AS VARCHAR) AS date FROM main.invocations ORDER BY "timestamp" DESC LIMIT 1`);
    const wrong = { id: 'wrong-event', invocation_id: String(newest!.id), severity: 'error', ref_file: 'nowhere.c', ref_line: 1, ref_column: null, message: 'old parser', code: null, kind: 'diagnostic', test_name: null, status: null, duration_ms: null, date: String(newest!.date) };
    if (mode === 'parquet') writeFileSync(join(birdLayout(box.root).localData, 'events', `date=${wrong.date}`, 'wrong-event.parquet'), encodeParquet(EVENTS, [wrong]));
    else {
      const insert = `INSERT INTO local.events BY NAME SELECT ${Object.entries(wrong).map(([k, v]) => `${v === null ? 'NULL' : `'${v}'`} AS ${k}`).join(', ')}`;
      const done = spawnSync(process.execPath, ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(${JSON.stringify(birdLayout(box.root).catalog)}); const c = await db.connect(); await c.run(${JSON.stringify(insert)}); c.closeSync(); db.closeSync();`], { cwd: REPO, encoding: 'utf8' });
      expect(done.status, done.stderr).toBe(0);
    }
    expect(bird(box, ['events', '-1']).stdout).toContain('nowhere.c');

    const reparsed = bird(box, ['events', '--reparse']);
    expect(reparsed.code, reparsed.stderr).toBe(0);
    expect(reparsed.stderr).toContain('parsed the output of 3 commands again');
    expect(reparsed.stdout).not.toContain('nowhere.c');
    expect(count()).toBe(3 * perCommand);
    // The commands and their outputs are as they were.
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.invocations')).toEqual([{ n: 3 }]);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.outputs')).toEqual([{ n: 3 }]);
    expect(box.bird(['history']).stdout).toContain('gcc -c bad.c');

    expect(box.bird(['forget', String(newest!.id)]).code).toBe(0);
    expect(count()).toBe(2 * perCommand);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.events e WHERE NOT EXISTS (SELECT 1 FROM main.invocations i WHERE i.id = e.invocation_id)')).toEqual([{ n: 0 }]);
    box.cleanup();
  });

  it('bird events --reparse killed at random instants: each command keeps its old events or has its new ones, and a rerun leaves exactly the new', async () => {
    const box = freshStore(mode);
    brokenSources(box);
    for (let i = 0; i < 3; i++) expect(bird(box, ['run', 'gcc', '-c', 'bad.c', '-o', '/dev/null']).code).toBe(1);
    const commands = sqlJson(box, `SELECT id, CAST("date" AS VARCHAR) AS date FROM main.invocations ORDER BY id`).map((r) => ({ id: String(r.id), date: String(r.date) }));
    /** Each command's event ids, sorted, with every row that is stored (a doubled row shows twice). */
    const eventIds = () => {
      const byCommand = new Map<string, string[]>(commands.map((c) => [c.id, []]));
      for (const r of sqlJson(box, 'SELECT invocation_id, id FROM main.events ORDER BY invocation_id, id')) byCommand.get(String(r.invocation_id))?.push(String(r.id));
      return byCommand;
    };
    const clean = eventIds(); // what capture's parse gave: what a reparse gives again
    for (const ids of clean.values()) expect(ids.length).toBeGreaterThan(0);

    /** An event an older parser got wrong, for every command: what the reparse must replace. */
    const plantWrong = (round: number) => {
      const rows = commands.map((c) => ({ id: `wrong-${round}-${c.id}`, invocation_id: c.id, severity: 'error', ref_file: 'nowhere.c', ref_line: 1, ref_column: null, message: 'old parser', code: null, kind: 'diagnostic', test_name: null, status: null, duration_ms: null, date: c.date }));
      if (mode === 'parquet') {
        writeFileSync(join(birdLayout(box.root).localData, 'events', `date=${commands[0]!.date}`, `wrong-${round}.parquet`), encodeParquet(EVENTS, rows));
        return;
      }
      const values = rows.map((r) => `(${Object.values(r).map((v) => (v === null ? 'NULL' : `'${v}'`)).join(', ')})`).join(', ');
      const insert = `INSERT INTO local.events (${Object.keys(rows[0]!).join(', ')}) VALUES ${values}`;
      const done = spawnSync(process.execPath, ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(${JSON.stringify(birdLayout(box.root).catalog)}); const c = await db.connect(); await c.run(${JSON.stringify(insert)}); c.closeSync(); db.closeSync();`], { cwd: REPO, encoding: 'utf8' });
      expect(done.status, done.stderr).toBe(0);
    };

    const kills = new KillWindow(1500);
    for (let round = 0; round < 10; round++) {
      plantWrong(round);
      const old = new Map([...clean].map(([id, ids]) => [id, [...ids, `wrong-${round}-${id}`].sort()]));
      if (await kills.run(process.execPath, [BIRD_BUNDLE, 'events', '--reparse'], { env: box.env(), cwd: box.dir })) {
        // Whatever instant the kill came at: each command has all its old events or all its new ones.
        for (const [id, ids] of eventIds()) {
          expect([old.get(id), clean.get(id)], `command ${id} after a kill`).toContainEqual(ids);
        }
      }
      // The next run finishes what a killed one left.
      const rerun = bird(box, ['events', '--reparse']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(eventIds()).toEqual(clean);
    }
    expect(kills.killed).toBeGreaterThan(2);
    box.cleanup();
  }, 600_000);

  it('killed at random instants: never an event without its command; the next run finishes the events too', async () => {
    const box = freshStore(mode);
    brokenSources(box);
    const kills = new KillWindow(900);
    for (let round = 0; round < 12; round++) await kills.run(process.execPath, [BIRD_BUNDLE, 'run', 'gcc', '-c', 'bad.c', '-o', '/dev/null'], { env: box.env(), cwd: box.dir });
    expect(kills.killed).toBeGreaterThan(2);
    const orphans = () => sqlJson(box, 'SELECT e.id FROM main.events e LEFT JOIN main.invocations i ON i.id = e.invocation_id WHERE i.id IS NULL');
    expect(orphans()).toEqual([]);
    expect(bird(box, ['run', 'true']).code).toBe(0);
    expect(orphans()).toEqual([]);
    // Every gcc run whose output is stored has its events: a run cut between them was finished.
    const short = sqlJson(box, `SELECT i.id FROM main.invocations i WHERE i.cmd LIKE 'gcc%' AND EXISTS (SELECT 1 FROM main.outputs o WHERE o.invocation_id = i.id) AND NOT EXISTS (SELECT 1 FROM main.events e WHERE e.invocation_id = i.id)`);
    expect(short).toEqual([]);
    box.cleanup();
  }, 300_000);
});
