// bird redact over what commands printed: outputs stored by a bird from before a secret rule
// (rows written through the storage mode, a blob written as that bird wrote it, no redaction on
// the way) hold a GitHub token inline and an AWS key in a blob. After `bird redact`, `bird output`
// and `bird sql` show them masked, the old blob file is gone, no stored byte holds either secret,
// and a redact killed anywhere and run again ends the same.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, loadConfig, STORAGE_MODES, type BirdLayout } from '@bird/core';
import { storageModeOf } from '@bird/store';
import { outputRowId } from '@bird/capture/record-output';
import { event, invocation, session } from '../packages/store/src/testing/fixtures.ts';
import { at, BIRD_BUNDLE, buildBundles, Sandbox } from './cli-helpers.ts';
import { filesUnder } from './support/files.ts';
import { KillWindow } from './support/kill-window.ts';
import { filesHolding, lakeObjectsHolding } from './support/secret-scan.ts';
import { listKeys, runAs } from './support/sync-clients.ts';
import { teamLake, teamMachine } from './support/team-machine.ts';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';

const backends = useTestBackends();

beforeAll(() => buildBundles());

const TOKEN = 'ghp_Zq8XvLp2Rk9TmW4bN7cYd1Hs6Gf3Jx0QaUeKi';
const AWS_KEY = 'AKIAZ7QW3RT5YU8IO2PL';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** ~9 KB of a log with an AWS key in its middle: stored as a blob. */
function logWithKey(n: number): Buffer {
  const lines = Array.from({ length: 200 }, (_, i) => `${n} line ${i}: fetched s3://bucket/object-${i}\n`);
  lines.splice(100, 0, `aws_access_key_id = ${AWS_KEY}\n`);
  return Buffer.from(lines.join(''));
}

/** A command and what it printed, stored as a bird from before the rules stored them: inline text and a blob, unredacted. */
async function storedByAnOlderBird(layout: BirdLayout, n: number): Promise<{ id: string; blobRef: string; inline: string; log: Buffer }> {
  const s = session({ session_id: `s-old-${n}`, client_id: 'tester@box', date: '2025-11-24' });
  const inv = invocation({ session_id: s.session_id, client_id: 'tester@box', cmd: `deploy --step ${n}`, date: '2025-11-24', timestamp: at(n) });
  const inline = `logged in, token ${TOKEN}\n`;
  const log = logWithKey(n);
  const hash = sha256(log);
  const blobRef = `${hash.slice(0, 2)}/${hash}.gz`;
  mkdirSync(dirname(join(layout.blobs, blobRef)), { recursive: true });
  writeFileSync(join(layout.blobs, blobRef), gzipSync(log));
  const outputs = [
    { id: outputRowId(inv, 'stderr'), invocation_id: inv.id, stream: 'stderr', content_hash: sha256(Buffer.from(inline)), byte_length: Buffer.byteLength(inline), storage_type: 'inline', storage_ref: inline, date: inv.date },
    { id: outputRowId(inv, 'stdout'), invocation_id: inv.id, stream: 'stdout', content_hash: hash, byte_length: log.length, storage_type: 'blob', storage_ref: blobRef, date: inv.date },
  ];
  // What that bird parsed out of the output: an event quoting the token.
  const events = [event({ invocation_id: inv.id, date: inv.date, message: `authentication failed for ${TOKEN}`, ref_file: null, ref_line: null, ref_column: null })];
  expect((await storageModeOf(layout, loadConfig(layout)).append([{ invocation: inv, session: s, outputs, events }])).written).toBe(1);
  return { id: inv.id, blobRef, inline, log };
}

function bird(box: Pick<Sandbox, 'env' | 'dir'>, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env: box.env({}), cwd: box.dir, input: '', encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sqlJson(box: Pick<Sandbox, 'env' | 'dir'>, query: string): Record<string, unknown>[] {
  const run = bird(box, ['sql', query, '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

/** Every blob's unpacked bytes that hold `text`. */
function blobsHolding(layout: BirdLayout, text: string): string[] {
  return filesUnder(layout.blobs).filter((ref) => gunzipSync(readFileSync(join(layout.blobs, ref))).includes(Buffer.from(text)));
}

function freshStore(mode: string): Sandbox {
  const box = new Sandbox();
  expect(box.bird(['init', '--mode', mode]).code).toBe(0);
  return box;
}

describe.each(STORAGE_MODES)('bird redact over stored outputs (%s mode)', (mode) => {
  it('masks a secret stored inline and in a blob; output and sql show it masked, the old blob is gone', async () => {
    const box = freshStore(mode);
    const layout = birdLayout(box.root);
    const old = await storedByAnOlderBird(layout, 1);
    expect(await filesHolding(box.root, TOKEN)).not.toEqual([]);
    expect(blobsHolding(layout, AWS_KEY)).toEqual([old.blobRef]);

    const dry = bird(box, ['redact', '--dry-run']);
    expect(dry.stdout).toContain('would redact  ');
    expect(dry.stdout).toContain('(what it printed holds a secret)');
    expect(blobsHolding(layout, AWS_KEY), 'a dry run changes nothing').toEqual([old.blobRef]);

    const done = bird(box, ['redact']);
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    expect(done.stdout).toBe('redacted 1 command (2 outputs among them held a secret).\n');

    const [after] = sqlJson(box, 'SELECT id, cmd FROM main.invocations');
    expect(after).toMatchObject({ cmd: 'deploy --step 1' });
    expect(after!.id).not.toBe(old.id);
    const rows = sqlJson(box, 'SELECT invocation_id, stream, storage_type, storage_ref, byte_length, content_hash FROM main.outputs ORDER BY stream');
    expect(rows.map((r) => [r.invocation_id, r.stream, r.storage_type])).toEqual([
      [after!.id, 'stderr', 'inline'],
      [after!.id, 'stdout', 'blob'],
    ]);
    expect(rows[0]!.storage_ref).toBe('logged in, token [REDACTED]\n');
    const masked = Buffer.from(old.log.toString().replace(AWS_KEY, '[REDACTED]'));
    expect(rows[1]).toMatchObject({ content_hash: sha256(masked), byte_length: old.log.length });

    const stdout = bird(box, ['output', String(after!.id), '--stream', 'stdout']);
    expect(stdout.code, stdout.stderr).toBe(0);
    expect(stdout.stdout).toBe(masked.toString());
    expect(bird(box, ['output', String(after!.id), '--stream', 'stderr']).stdout).toBe('logged in, token [REDACTED]\n');

    expect(filesUnder(layout.blobs), 'the old blob is gone, the redacted one stored').toEqual([String(rows[1]!.storage_ref)]);
    expect(blobsHolding(layout, AWS_KEY)).toEqual([]);
    expect(await filesHolding(box.root, TOKEN)).toEqual([]);

    const again = bird(box, ['redact']);
    expect(again.stdout).toBe("nothing to redact: no command stored here matches today's secret rules or [capture] ignore patterns.\n");
    box.cleanup();
  }, 120_000);

  it('killed at any instant and run again: every secret gone, each output stored once, no blob left behind (10 rounds)', async () => {
    const box = freshStore(mode);
    const layout = birdLayout(box.root);
    const kills = new KillWindow();
    for (let round = 0; round < 10; round++) {
      await storedByAnOlderBird(layout, round + 1);
      await kills.run(process.execPath, [BIRD_BUNDLE, 'redact'], { env: box.env({}) });
    }
    const last = bird(box, ['redact']);
    expect(last.code, last.stderr).toBe(0);
    const commands = sqlJson(box, 'SELECT cmd FROM main.invocations ORDER BY cmd').map((r) => r.cmd);
    expect(commands).toEqual(Array.from({ length: 10 }, (_, i) => `deploy --step ${i + 1}`).sort());
    expect(sqlJson(box, 'SELECT count(*) AS n, count(DISTINCT invocation_id || stream) AS d FROM main.outputs')).toEqual([{ n: 20, d: 20 }]);
    const named = sqlJson(box, "SELECT storage_ref FROM main.outputs WHERE storage_type = 'blob' ORDER BY storage_ref").map((r) => r.storage_ref);
    expect(filesUnder(layout.blobs).sort()).toEqual(named);
    expect(blobsHolding(layout, AWS_KEY)).toEqual([]);
    expect(await filesHolding(box.root, TOKEN)).toEqual([]);
    expect(kills.killed, 'rounds cut short').toBeGreaterThan(3);
    box.cleanup();
  }, 600_000);
});

describe('bird redact over stored outputs, through a lake', () => {
  it('the next push takes the old blob out of the lake, and a teammate\'s pull shows the masked text', async () => {
    const team = teamLake(backends, 'file');
    const me = await teamMachine('tester@box', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const old = await storedByAnOlderBird(me.client.layout, 1);
    expect(await runAs(me.client, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([`blobs/client=tester@box/${old.blobRef}`]);

    expect(await lakeObjectsHolding(team, TOKEN)).not.toEqual([]);
    const done = bird({ env: () => me.client.env, dir: me.box.dir }, ['redact']);
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    const pushed = await runAs(me.client, ['push', '--remote', 'team']);
    expect(pushed).toMatchObject({ code: 0, stderr: '' });
    expect(await lakeObjectsHolding(team, TOKEN)).toEqual([]);
    const masked = Buffer.from(old.log.toString().replace(AWS_KEY, '[REDACTED]'));
    const hash = sha256(masked);
    expect(await listKeys(team, 'blobs/')).toEqual([`blobs/client=tester@box/${hash.slice(0, 2)}/${hash}.gz`]);

    expect(await runAs(mate.client, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    const theirs = { env: () => mate.client.env, dir: mate.box.dir };
    const [after] = sqlJson(theirs, 'SELECT id FROM main.invocations');
    expect(bird(theirs, ['output', String(after!.id), '--stream', 'stdout']).stdout).toBe(masked.toString());
    expect(bird(theirs, ['output', String(after!.id), '--stream', 'stderr']).stdout).toBe('logged in, token [REDACTED]\n');
    expect(await filesHolding(mate.client.layout.root, TOKEN)).toEqual([]);
  }, 300_000);
});
