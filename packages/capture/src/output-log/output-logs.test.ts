// The drainer's reading of real recorder logs on disk: an output stays findable until the row
// naming it is stored, through a failed store and through a drainer killed before its store.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputLogs } from './output-logs.ts';
import { outputMark } from './output-marks.ts';

const X = 's1-1:100.5';
const Y = 's1-1:101.25';
const command = (key: string, text: string) => `${outputMark('C', key)}${text}${outputMark('D', key)}$ `;
/** More than the log must have consumed before the drainer frees it (1 MiB). */
const BIG = 'y'.repeat(1100 * 1024);

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function logFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'bird-output-logs-'));
  folders.push(folder);
  return folder;
}

const logsOf = (folder: string) => new OutputLogs(folder, 4 << 20, () => {});

describe('OutputLogs', () => {
  it('hands an output out again until it is settled: a failed store retries with it', () => {
    const folder = logFolder();
    writeFileSync(join(folder, `${process.pid}.t.log`), command(X, 'hello\r\n'));
    const logs = logsOf(folder);
    logs.collect();
    expect(logs.take(X)?.kept.toString()).toBe('hello\r\n');
    logs.collect();
    expect(logs.take(X)?.kept.toString()).toBe('hello\r\n');
    logs.settle([X]);
    expect(logs.take(X)).toBeUndefined();
  });

  it('does not free the log past an output not stored yet: a drainer started after a kill finds it again', () => {
    const folder = logFolder();
    const log = join(folder, `${process.pid}.t.log`);
    writeFileSync(log, command(X, 'first\r\n') + command(Y, BIG));
    const killed = logsOf(folder);
    killed.collect();
    expect(killed.take(X)?.kept.toString()).toBe('first\r\n');
    // The drainer dies here, before X's row is stored. The next one reads the log again.
    expect(existsSync(`${log}.pos`)).toBe(false);
    const next = logsOf(folder);
    next.collect();
    expect(next.take(X)?.kept.toString()).toBe('first\r\n');
    expect(next.take(Y)?.byteLength).toBe(BIG.length);
    // Both stored: the consumed part is freed and a later drainer starts after it.
    next.settle([X, Y]);
    next.collect();
    expect(existsSync(`${log}.pos`)).toBe(true);
    appendFileSync(log, command('s1-1:102', 'third\r\n'));
    const later = logsOf(folder);
    later.collect();
    expect(later.take(X)).toBeUndefined();
    expect(later.take('s1-1:102')?.kept.toString()).toBe('third\r\n');
  });

  it('frees a stored output at once, though the next command’s output is not stored yet: a later drainer resumes at that output', () => {
    const folder = logFolder();
    const log = join(folder, `${process.pid}.t.log`);
    writeFileSync(log, command(X, BIG));
    const logs = logsOf(folder);
    logs.collect();
    expect(logs.take(X)?.byteLength).toBe(BIG.length);
    expect(statSync(log).blocks * 512).toBeGreaterThan(BIG.length);
    // Stored: freed there and then, before any later command.
    logs.settle([X]);
    expect(statSync(log).blocks * 512).toBeLessThan(64 * 1024);
    // The next command ends before the drainer looks again: its output is cut, and held.
    appendFileSync(log, command(Y, 'next\r\n'));
    logs.collect();
    expect(logs.take(Y)?.kept.toString()).toBe('next\r\n');
    // X's megabyte is a hole now; the drainer after a kill starts at Y's mark and finds Y.
    expect(statSync(log).blocks * 512).toBeLessThan(64 * 1024);
    expect(Number(readFileSync(`${log}.pos`, 'utf8'))).toBe(command(X, BIG).length);
    const next = logsOf(folder);
    next.collect();
    expect(next.take(X)).toBeUndefined();
    expect(next.take(Y)?.kept.toString()).toBe('next\r\n');
  });

  it('keeps a finished recorder’s log while an output cut from it is not stored, and removes it after', () => {
    const folder = logFolder();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const log = join(folder, `${dead.stdout}.t.log`);
    writeFileSync(log, command(X, 'last words\r\n'));
    const logs = logsOf(folder);
    logs.collect();
    expect(logs.take(X)?.kept.toString()).toBe('last words\r\n');
    logs.collect();
    expect(existsSync(log)).toBe(true);
    logs.settle([X]);
    logs.collect();
    expect(existsSync(log)).toBe(false);
  });

  it('ends a command the terminal closed on with what it printed until then', () => {
    const folder = logFolder();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    // script(1)'s closing line is its own, not the command's.
    const trailer = '\nScript done on 2026-12-07 17:41:12+00:00 [COMMAND_EXIT_CODE="129"]\n';
    writeFileSync(join(folder, `${dead.stdout}.t.log`), `${command(X, 'done\r\n')}${outputMark('C', Y)}compiling 1/3\r\ncompiling 2/3\r\n${trailer}`);
    const logs = logsOf(folder);
    logs.collect();
    expect(logs.take(X)?.kept.toString()).toBe('done\r\n');
    expect(logs.take(Y)).toMatchObject({ kept: Buffer.from('compiling 1/3\r\ncompiling 2/3\r\n'), byteLength: 30 });
  });

  it('an output no record claims stops holding the log once a later one is taken, or once the log is a minute still', () => {
    const folder = logFolder();
    const log = join(folder, `${process.pid}.t.log`);
    // X's command was kept out by the privacy rules: no record ever claims its output.
    writeFileSync(log, command(X, BIG) + command(Y, 'next\r\n'));
    const logs = logsOf(folder);
    logs.collect();
    expect(existsSync(`${log}.pos`)).toBe(false);
    logs.take(Y);
    logs.settle([Y]);
    logs.collect();
    expect(existsSync(`${log}.pos`)).toBe(true);

    const still = join(folder, `${process.pid}.u.log`);
    writeFileSync(still, command(X, BIG));
    const other = logsOf(folder);
    other.collect();
    expect(existsSync(`${still}.pos`)).toBe(false);
    const minuteAgo = new Date(Date.now() - 61_000);
    utimesSync(still, minuteAgo, minuteAgo);
    other.collect();
    expect(existsSync(`${still}.pos`)).toBe(true);
  });
});
