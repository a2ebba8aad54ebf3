// What commands printed, searched in SQL: `invocations_with_output()` and `output_text(…)` give
// an output's text whether it is stored inline or as a gzip blob, over this store's outputs (both
// storage modes), a teammate's pulled into the cache, a folder lake read live, and an S3 lake
// read live (its blobs fetched, checked against their hash, only for a query that reads them).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '@bird/core';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { BIRD_BUNDLE, buildBundles, Sandbox } from './cli-helpers.ts';
import { putObject, runAs } from './support/sync-clients.ts';
import { expireMirrorListing } from '@bird/store';
import { teamLake, teamMachine } from './support/team-machine.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

/** A build log of ~20 KB, many lines, one of which says `refused`: stored as a blob. */
const LOG = Array.from({ length: 400 }, (_, i) => (i === 333 ? 'dial tcp 10.0.0.7:5432: connect: connection refused' : `step ${i}: compiled module ${i}`)).join('\n') + '\n';

interface Bird {
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
}

function bird(at: Bird, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env: at.env, cwd: at.dir, input: '', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sqlJson(at: Bird, query: string, extra: string[] = []): Record<string, unknown>[] {
  const run = bird(at, ['sql', ...extra, query, '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

/** Three commands: one printed `refused` inline (stderr), one in a blob, one printed neither. */
function printThree(at: Bird): void {
  writeFileSync(join(at.dir, 'build.log'), LOG);
  for (const args of [['sh', '-c', 'echo "psql: connection refused" >&2'], ['cat', 'build.log'], ['echo', 'all good']]) {
    const run = bird(at, ['run', '--', ...args]);
    expect(run.code, run.stderr).toBe(0);
  }
}

const REFUSED = `SELECT cmd, stream FROM invocations_with_output() WHERE output LIKE '%refused%' ORDER BY cmd`;

describe.each(STORAGE_MODES)('the text of outputs in SQL (%s mode)', (mode) => {
  it('finds what commands printed, inline and in a blob, and gives a blob\'s text back', () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    const at = { env: box.env({}), dir: box.dir };
    // No output at all yet: the macros bind and read nothing.
    expect(sqlJson(at, REFUSED)).toEqual([]);
    printThree(at);
    expect(sqlJson(at, 'SELECT storage_type FROM main.outputs ORDER BY storage_type').map((r) => r.storage_type)).toEqual(['blob', 'inline', 'inline']);
    expect(sqlJson(at, REFUSED)).toEqual([
      { cmd: 'cat build.log', stream: 'stdout' },
      { cmd: `sh -c 'echo "psql: connection refused" >&2'`, stream: 'stderr' },
    ]);
    // A blob's text is its lines, in order (the last newline ends the last line).
    expect(sqlJson(at, `SELECT output FROM invocations_with_output() WHERE cmd = 'cat build.log'`)).toEqual([{ output: LOG.slice(0, -1) }]);
    // output_text over any relation holding outputs rows.
    expect(sqlJson(at, `SELECT count(*) AS n FROM main.outputs o WHERE output_text(o.storage_type, o.storage_ref, o.content_hash) LIKE '%module 399%'`)).toEqual([{ n: 1 }]);
    box.cleanup();
  }, 120_000);
});

describe('the text of a teammate\'s outputs in SQL', () => {
  it('over their outputs pulled into the cache, and over a folder lake read live', async () => {
    const team = teamLake(backends, 'file');
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    printThree({ env: me.client.env, dir: me.box.dir });
    expect(await runAs(me.client, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    const at = { env: mate.client.env, dir: mate.box.dir };

    // Live, before any pull: the lake's rows, and the lake's blobs.
    const live = `SELECT o.stream FROM remotes_outputs() o WHERE output_text(o.storage_type, o.storage_ref, o.content_hash) LIKE '%refused%' ORDER BY o.stream`;
    expect(sqlJson(at, live, ['--attach', 'team'])).toEqual([{ stream: 'stderr' }, { stream: 'stdout' }]);

    expect(await runAs(mate.client, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(sqlJson(at, `SELECT cmd, stream, _source FROM invocations_with_output() WHERE output LIKE '%refused%' ORDER BY cmd`)).toEqual([
      { cmd: 'cat build.log', stream: 'stdout', _source: 'team' },
      { cmd: `sh -c 'echo "psql: connection refused" >&2'`, stream: 'stderr', _source: 'team' },
    ]);
  }, 180_000);
});

describe('the text of a teammate\'s outputs on S3, read live without a pull', () => {
  it('fetches and checks the blobs a query reads, refuses a damaged one in one line, and bird output prints the rest', async () => {
    const team = teamLake(backends, 's3');
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const mine = { env: me.client.env, dir: me.box.dir };
    printThree(mine);
    // A fourth command, whose blob the lake will hold damaged.
    const damaged = Array.from({ length: 400 }, (_, i) => `retry ${i}: connection refused`).join('\n') + '\n';
    writeFileSync(join(me.box.dir, 'retry.log'), damaged);
    expect(bird(mine, ['run', '--', 'cat', 'retry.log']).code).toBe(0);
    const ids = Object.fromEntries(sqlJson(mine, 'SELECT cmd, id FROM main.invocations').map((r) => [r.cmd, r.id])) as Record<string, string>;
    expect(await runAs(me.client, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    const hash = createHash('sha256').update(damaged).digest('hex');
    await putObject(team, `blobs/client=me@here/${hash.slice(0, 2)}/${hash}.gz`, gzipSync(randomBytes(1000)));

    const at = { env: mate.client.env, dir: mate.box.dir };
    const fetched = join(mate.client.layout.mirror, 'team', 'blobs');
    // A query that reads no output text reads the remote's rows, and fetches no blob.
    expect(sqlJson(at, 'SELECT count(*) AS n FROM remote_team.outputs', ['--attach', 'team'])).toEqual([{ n: 4 }]);
    expect(existsSync(fetched)).toBe(false);

    // output_text over the remote's own relation: the blob's text, its lines.
    expect(sqlJson(at, `SELECT count(*) AS n FROM remote_team.outputs o WHERE output_text(o.storage_type, o.storage_ref, o.content_hash) LIKE '%module 399%'`, ['--attach', 'team'])).toEqual([{ n: 1 }]);
    const search = bird(at, ['sql', '--attach', 'team', `SELECT cmd, stream, _source FROM remotes_invocations_with_output() WHERE output LIKE '%refused%' ORDER BY cmd`, '--format', 'json']);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout)).toEqual([
      { cmd: 'cat build.log', stream: 'stdout', _source: 'team' },
      { cmd: `sh -c 'echo "psql: connection refused" >&2'`, stream: 'stderr', _source: 'team' },
    ]);
    expect(search.stderr).toMatch(new RegExp(`^bird: warning: remote team: 1 blob\\(s\\) were refused, so their outputs read as missing: blobs/client=me@here/${hash.slice(0, 2)}/${hash}\\.gz \\(its bytes do not hash to its name\\)\\.\\n$`));

    const shown = bird(at, ['output', ids['cat build.log']!, '--attach', 'team']);
    expect(shown).toMatchObject({ code: 0, stdout: LOG, stderr: '' });
    const refused = bird(at, ['output', ids['cat retry.log']!, '--attach', 'team']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^bird: remote team's blob blobs\/client=me@here\/\S+\.gz \(its bytes do not hash to its name\) was refused, so this output cannot be shown[^\n]*\.\n$/);

    // The owner forgets the command: the next query that reads the remote's text drops the copy.
    expect(bird(mine, ['forget', ids['cat build.log']!]).code).toBe(0);
    expect(await runAs(me.client, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    await expireMirrorListing(mate.client.layout, 'team');
    expect(sqlJson(at, `SELECT count(*) AS n FROM remotes_invocations_with_output() WHERE output LIKE '%module 399%'`, ['--attach', 'team'])).toEqual([{ n: 0 }]);
    expect(sqlJson(at, `SELECT count(*) AS n FROM blob_texts() WHERE text LIKE '%module 399%'`, ['--attach', 'team'])).toEqual([{ n: 0 }]);
  }, 300_000);
});
