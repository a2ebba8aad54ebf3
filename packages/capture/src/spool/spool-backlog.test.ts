import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { birdLayout, type BirdLayout } from '@bird/core';
import { encodeRecord } from './record-format.ts';
import { spoolBacklog } from './spool-backlog.ts';

function root(): BirdLayout {
  const layout = birdLayout(join(mkdtempSync(join(tmpdir(), 'bird-backlog-')), 'bird'));
  mkdirSync(layout.spool, { recursive: true });
  return layout;
}

const record = (cmd: string) => encodeRecord({ shell: 'zsh', sessionId: 's', pid: 10, start: '1.0', end: '2.0', durationMs: null, exitCode: 0, clientId: null, cwd: '/', cmd });

describe('spoolBacklog', () => {
  it('no spool folder: null', () => {
    expect(spoolBacklog(birdLayout(join(tmpdir(), 'bird-no-such-root-here')))).toBeNull();
  });

  it('counts the records in spool files and claims; a torn record, scratch files and empty files are not commands', () => {
    const layout = root();
    // A command that holds a record's opening bytes as text is escaped, so it is still one record.
    writeFileSync(join(layout.spool, '100.s1.spool'), record('echo one') + record('printf "\\nb1\\t"') + '\nb1\tzsh\ts\t10');
    writeFileSync(join(layout.spool, '200.s2.3.spool'), record('fish one'));
    writeFileSync(join(layout.spool, '100.s1.spool.300.1.claim'), record('claimed'));
    writeFileSync(join(layout.spool, '100.s1.hist'), record('not a spool file'));
    writeFileSync(join(layout.spool, '400.s4.spool'), '');
    writeFileSync(join(layout.spool, 'notes.txt'), record('not ours'));
    const backlog = spoolBacklog(layout)!;
    // The torn record at the end of 100.s1.spool counts: its shell is writing it, and it is a command.
    expect(backlog).toMatchObject({ records: 5, files: 3, drainer: null });
    expect(backlog.oldestMs).toBeGreaterThan(0);
  });

  it('counts records across the 1 MiB chunks it reads a large spool in', () => {
    const layout = root();
    const one = record('x'.repeat(100));
    // Enough records that several chunk boundaries fall inside one, at different offsets.
    const n = Math.ceil((3 * 1024 * 1024) / one.length) + 7;
    writeFileSync(join(layout.spool, '100.s1.spool'), one.repeat(n));
    expect(spoolBacklog(layout)!.records).toBe(n);
  });

  it('names the drainer drainer.pid points at, alive only when it is a drainer of this root', () => {
    const layout = root();
    writeFileSync(join(layout.spool, 'drainer.pid'), `${process.pid} boot\n`);
    expect(spoolBacklog(layout)!.drainer).toEqual({ pid: process.pid, alive: false });
    writeFileSync(join(layout.spool, 'drainer.pid'), 'garbage\n');
    expect(spoolBacklog(layout)!.drainer).toBeNull();
  });
});
