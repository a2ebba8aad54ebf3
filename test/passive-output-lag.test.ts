// Passive output capture on a loaded machine: the recorder (script(1), a process of its own) can
// write a command's marks to its log after the shell has spooled the command's record. The real
// drainer must wait for them a moment and store the output with the command, not the command alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord } from '../packages/capture/src/spool/record-format.ts';
import { outputMark, outputMarkKey } from '../packages/capture/src/output-log/output-marks.ts';
import { buildBundles, CAPTURE_BUNDLE, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());
const sandbox = sandboxFactory();
const alive: ChildProcess[] = [];
afterAll(() => alive.forEach((p) => p.kill()));

describe('a recorder that writes its marks after the record is spooled', () => {
  it('the drainer stores the command with its output', async () => {
    const s = sandbox();
    mkdirSync(s.root, { recursive: true });
    writeFileSync(join(s.root, 'config.toml'), '[capture]\noutput = true\n');
    // One live process stands for the shell (its spool) and the recorder (its log).
    const shell = spawn('sleep', ['60']);
    alive.push(shell);
    const session = 'lagging-1';
    const start = '1764200000.250000';
    const logs = join(s.root, 'spool', 'output');
    mkdirSync(logs, { recursive: true });
    const log = join(logs, `${shell.pid}.t.log`);
    writeFileSync(log, 'Script started\r\n');
    writeFileSync(
      join(s.root, 'spool', `${shell.pid}.${session}.spool`),
      encodeRecord({ shell: 'bash', sessionId: session, pid: shell.pid!, start, end: '1764200000.300000', durationMs: null, exitCode: 0, clientId: null, cwd: '/tmp', cmd: 'echo lagged' }),
    );
    const drainer = spawn(process.execPath, [CAPTURE_BUNDLE, '--drain'], { env: s.env(), stdio: 'ignore' });
    alive.push(drainer);
    // The marks reach the log 400 ms after the record (the drainer looks for 80 ms at first).
    await new Promise((resolve) => setTimeout(resolve, 400));
    const key = outputMarkKey(session, start);
    appendFileSync(log, `$ echo lagged\r\n${outputMark('C', key)}lagged\r\n${outputMark('D', key)}$ `);

    const deadline = Date.now() + 20_000;
    let rows: { cmd: string; storage_ref: string | null }[] = [];
    while (Date.now() < deadline) {
      const read = s.bird(['sql', 'SELECT i.cmd, o.storage_ref FROM main.invocations i LEFT JOIN main.outputs o ON o.invocation_id = i.id', '--format', 'json']);
      rows = read.code === 0 && read.stdout.trim() ? JSON.parse(read.stdout) : [];
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(rows).toEqual([{ cmd: 'echo lagged', storage_ref: 'lagged\r\n' }]);
  });
});
