// `bird run` on a disk that is full for real (a root on a small tmpfs, test/support/tmpfs.ts):
// a blob that does not fit is not written, not even in part; the command's row, which fits, is
// stored all the same, and one line says what was not. Space freed, the next run stores it all.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, STORAGE_MODES } from '@bird/core';
import { BIRD_BUNDLE, buildBundles, Sandbox } from './cli-helpers.ts';
import { filesUnder } from './support/files.ts';
import { canMountTmpfs, fillDisk, mountTmpfs, unmountTmpfs } from './support/tmpfs.ts';

beforeAll(() => buildBundles());

describe.skipIf(!canMountTmpfs).each(STORAGE_MODES)('bird run on a full disk (%s mode)', (mode) => {
  const disks: string[] = [];
  afterAll(() => disks.forEach(unmountTmpfs));

  it('keeps the command when its blob does not fit, leaves no part of the blob, and stores it all once there is room', () => {
    const disk = mountTmpfs('16m');
    disks.push(disk);
    const box = new Sandbox();
    const env = box.env({ BIRD_ROOT: join(disk, 'root') });
    const bird = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env, cwd: box.dir, input: '', maxBuffer: 16 * 1024 * 1024 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
    };
    const sql = (query: string) => JSON.parse(bird(['sql', query, '--format', 'json']).stdout.toString()) as Record<string, unknown>[];
    expect(bird(['init', '--mode', mode]).code).toBe(0);
    expect(bird(['run', '--', 'echo', 'warm up']).code).toBe(0); // every folder and file a run needs is made
    // 900 KiB that gzip cannot shrink (under the 1 MiB a run keeps), printed by a file on another disk, with 300 KiB left here.
    const big = randomBytes(900 * 1024);
    writeFileSync(join(box.dir, 'big.bin'), big);
    fillDisk(disk, 300);

    const run = bird(['run', '--', 'cat', 'big.bin']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.equals(big), 'the output passes through whole').toBe(true);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^bird: warning: the disk that holds \S+blobs is full, so what the command printed on one stream was not stored \(the command was\): free some space\.$/)]);
    const [command] = sql(`SELECT id FROM main.invocations WHERE cmd = 'cat big.bin'`);
    expect(command, 'the command is stored').toBeDefined();
    expect(sql(`SELECT count(*) AS n FROM main.outputs WHERE invocation_id = '${String(command!.id)}'`)).toEqual([{ n: 0 }]);
    const layout = birdLayout(join(disk, 'root'));
    expect(filesUnder(layout.blobs), 'no blob, whole or in part').toEqual([]);
    expect(filesUnder(layout.tmp)).toEqual([]);

    rmSync(join(disk, 'filler'));
    const again = bird(['run', '--', 'cat', 'big.bin']);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(bird(['output', '--raw']).stdout.equals(big)).toBe(true);
    expect(filesUnder(layout.blobs)).toHaveLength(1);
    box.cleanup();
  }, 120_000);
});
