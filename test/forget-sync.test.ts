// A forgotten command leaves the team's lakes and every teammate's copy, and stays gone: its
// owner's next push writes the batches that held it again without it and withdraws them, a
// puller removes its copy and keeps a tombstone, and neither a lake that still holds an old copy,
// nor an import of a history file that still holds the line, brings it back. Exactly once under
// kill -9 of the push that carries it. A folder lake and the S3-compatible server.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTombstones, type RemoteConfig } from '@bird/core';
import { createRemoteBackend } from '@bird/remote';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { at, BIRD_BUNDLE, buildBundles } from './cli-helpers.ts';
import { KillWindow } from './support/kill-window.ts';
import { SYNC, idsFrom, lakeRows, runAs, type Client } from './support/sync-clients.ts';
import { filesHolding, lakeObjectsHolding } from './support/secret-scan.ts';
import { teamLake, teamMachine } from './support/team-machine.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

const lake = (kind: 'file' | 's3', name = 'team') => teamLake(backends, kind, name);
const machine = teamMachine;

/** Every batch key the series' segments in the lake withdraw, read from the objects themselves. */
async function withdrawnIn(remote: RemoteConfig, client: string): Promise<string[]> {
  const backend = await createRemoteBackend(remote);
  const dir = mkdtempSync(join(tmpdir(), 'bird-segments-'));
  try {
    const out: string[] = [];
    for (const { key } of await backend.list(`_bird/log/${client}/`)) {
      await backend.get(key, join(dir, 'segment.json'));
      out.push(...((JSON.parse(readFileSync(join(dir, 'segment.json'), 'utf8')) as { withdrawn?: string[] }).withdrawn ?? []));
    }
    return out;
  } finally {
    backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const push = (c: Client, remote = 'team') => runAs(c, ['push', '--remote', remote]);
const pull = (c: Client, remote = 'team') => runAs(c, ['pull', '--remote', remote]);

describe.each(['file', 's3'] as const)('forget across a team (%s lakes)', (kind) => {
  it('leaves the lake and every puller, and never comes back: not from another lake, not from an import', async () => {
    const team = lake(kind);
    const old = lake(kind, 'old');
    const me = await machine('me@here', [team, old]);
    const mate = await machine('mate@there', [team, old]);
    for (let i = 0; i < 4; i++) me.box.capture({ cmd: i === 1 ? 'echo hunter2-wrong-window' : `make ${i}`, exit: 0, startUs: at(i), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    for (const remote of ['team', 'old']) expect(await push(me.client, remote)).toMatchObject({ code: 0, stderr: '' });
    for (const remote of ['team', 'old']) expect(await pull(mate.client, remote)).toMatchObject({ code: 0, stderr: '' });
    expect(await idsFrom(mate.client, 'team')).toHaveLength(4);
    const history = (c: Client) => runAs(c, ['history', '-n', '50'], { bundle: BIRD_BUNDLE });

    // A teammate's command is theirs to forget: asking says so, and does nothing.
    const notMine = mate.box.bird(['forget', (await idsFrom(mate.client, 'team'))[0]!]);
    expect(notMine.code).toBe(1);
    expect(notMine.stderr).toMatch(/^bird: not forgotten: \S+ is me@here's \(pulled from (team|old)\); only they can forget it\.\n$/);
    expect(await idsFrom(mate.client, 'team')).toHaveLength(4);
    // A pattern that matches a teammate's commands (here in two caches) is no failure: one line.
    const pattern = mate.box.bird(['forget', '--match', 'echo hunter2*']);
    expect(pattern).toMatchObject({ code: 0, stdout: 'nothing to forget.\n', stderr: "bird: 1 matching command is a teammate's (pulled here) and stays: only they can forget them.\n" });
    expect(await idsFrom(mate.client, 'team')).toHaveLength(4);

    expect(await lakeObjectsHolding(team, 'hunter2')).not.toEqual([]);
    expect((await history(mate.client)).stdout).toContain('hunter2');
    const forgot = me.box.bird(['forget', '--match', 'echo hunter2*']);
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' }); // to team only: `old` keeps its copy
    // The lake holds no byte of it: its batch was written again without it, and the old one deleted.
    expect((await lakeRows(team)).map((r) => r.id)).toHaveLength(3);
    expect(await lakeObjectsHolding(team, 'hunter2')).toEqual([]);
    expect(await lakeObjectsHolding(old, 'hunter2')).not.toEqual([]);

    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect((await history(mate.client)).stdout).not.toContain('hunter2');
    // The old lake still holds a copy: pulled again from scratch, it is not brought back.
    rmSync(join(mate.client.layout.sync, 'old', 'pull.json'), { force: true });
    expect(await pull(mate.client, 'old')).toMatchObject({ code: 0 });
    expect((await history(mate.client)).stdout).not.toContain('hunter2');
    expect(await filesHolding(mate.client.layout.root, 'hunter2')).toEqual([]);
    // A fresh teammate who never saw it gets none of it from the lake that carried the forget.
    const fresh = await machine('fresh@new', [team]);
    expect(await pull(fresh.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await idsFrom(fresh.client, 'team')).toHaveLength(3);

    // An import of my history file that still holds the line leaves it out.
    const histfile = join(me.box.dir, 'zsh_history');
    writeFileSync(histfile, [0, 1, 2, 3].map((i) => `: ${Number(at(i) / 1_000_000n)}:0;${i === 1 ? 'echo hunter2-wrong-window' : `make ${i}`}\n`).join(''));
    const imported = me.box.bird(['import', 'zsh', '--file', histfile]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/1 forgotten here/);
    expect(me.box.bird(['history', '-n', '50']).stdout).not.toContain('hunter2');
    expect(await filesHolding(me.client.layout.root, 'hunter2')).toEqual([]);
  });

  it("a pull cut short after keeping a teammate's tombstones, before removing the rows: the next pull removes them", async () => {
    const team = lake(kind);
    const me = await machine('me@here', [team]);
    const mate = await machine('mate@there', [team]);
    for (let i = 0; i < 3; i++) me.box.capture({ cmd: i === 1 ? 'echo hunter2-wrong-window' : `make ${i}`, exit: 0, startUs: at(i), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    const before = await idsFrom(mate.client, 'team');
    expect(before).toHaveLength(3);
    expect(me.box.bird(['forget', '--match', 'echo hunter2*']).code).toBe(0);
    const kept = await idsFrom(me.client, 'local');
    const forgottenId = before.find((id) => !kept.includes(id))!;
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    // What a kill between a pull's two steps leaves (its tombstones kept, the rows still here, its
    // cursor not moved), made by hand: no kill lands in that instant reliably.
    writeTombstones(mate.client.layout, [{ id: forgottenId, series: 'me@here', at: new Date().toISOString(), by: 'me@here', why: 'forget' }]);
    expect(await filesHolding(mate.client.layout.root, 'hunter2')).not.toEqual([]);
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await idsFrom(mate.client, 'team')).toEqual(before.filter((id) => id !== forgottenId));
    expect(await filesHolding(mate.client.layout.root, 'hunter2')).toEqual([]);
  });

  it("a push after this machine's notes of what it withdrew were lost: the next forget still leaves the lake, no push fails", async () => {
    const team = lake(kind);
    const me = await machine('me@here', [team]);
    for (let i = 0; i < 4; i++) me.box.capture({ cmd: i === 1 ? 'echo hunter2-first' : i === 2 ? 'echo hunter3-second' : `make ${i}`, exit: 0, startUs: at(i), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(me.box.bird(['forget', '--match', 'echo hunter2*']).code).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    // The series' notes (batches withdrawn, forgets carried) deleted, as a hand or a full disk may.
    const notes = join(me.client.layout.sync, 'team', 'series', 'me@here');
    for (const file of ['withdrawn.txt', 'forgotten.txt']) {
      expect(existsSync(join(notes, file)), file).toBe(true);
      rmSync(join(notes, file));
    }
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(me.box.bird(['forget', '--match', 'echo hunter3*']).code).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect((await lakeRows(team)).map((r) => r.id)).toHaveLength(2);
    expect(await lakeObjectsHolding(team, 'hunter2')).toEqual([]);
    expect(await lakeObjectsHolding(team, 'hunter3')).toEqual([]);
    const mate = await machine('mate@there', [team]);
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await idsFrom(mate.client, 'team')).toHaveLength(2);
  });

  it('a forget cut short after its tombstones, before its rows went: a push meanwhile uploads none of it', async () => {
    const team = lake(kind);
    const me = await machine('me@here', [team]);
    for (let i = 0; i < 4; i++) me.box.capture({ cmd: i === 1 ? 'echo hunter2-wrong-window' : `make ${i}`, exit: 0, startUs: at(i), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    const dry = JSON.parse(me.box.bird(['forget', '--match', 'echo hunter2*', '--dry-run', '--json']).stdout) as { forget: { id: string }[] };
    expect(dry.forget).toHaveLength(1);
    // What a kill between a forget's two steps leaves (the tombstone kept, the row still stored),
    // made by hand: no kill lands in that instant reliably.
    writeTombstones(me.client.layout, [{ id: dry.forget[0]!.id, series: 'me@here', at: new Date().toISOString(), by: 'me@here', why: 'forget' }]);
    expect(await filesHolding(me.client.layout.root, 'hunter2')).not.toEqual([]);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect((await lakeRows(team)).map((r) => r.id)).toHaveLength(3);
    expect(await lakeObjectsHolding(team, 'hunter2')).toEqual([]);
    // Never uploaded, not even for a moment: no segment had to withdraw a batch that held it.
    expect(await withdrawnIn(team, 'me@here')).toEqual([]);
    // Run again, the forget finishes here, and the next push has nothing of it to carry.
    expect(me.box.bird(['forget', '--match', 'echo hunter2*']).code).toBe(0);
    expect(await filesHolding(me.client.layout.root, 'hunter2')).toEqual([]);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect((await lakeRows(team)).map((r) => r.id)).toHaveLength(3);
  });

  it('a push carrying a forget, killed at any instant and run again, withdraws it exactly once (30 rounds)', async () => {
    const team = lake(kind);
    const me = await machine('me@here', [team]);
    const kept: string[] = [];
    const kills = new KillWindow();
    for (let round = 0; round < 30; round++) {
      me.box.capture({ cmd: `secret ${round}`, exit: 0, startUs: at(round * 10), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
      me.box.capture({ cmd: `keep ${round}`, exit: 0, startUs: at(round * 10 + 1), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
      expect(await push(me.client)).toMatchObject({ code: 0 });
      expect(me.box.bird(['forget', '--match', `secret ${round}`]).code).toBe(0);
      await kills.run(process.execPath, [SYNC, 'push', '--remote', 'team'], { env: me.client.env });
    }
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    const rows = await lakeRows(team);
    const cmds = await (async () => {
      const reader = await machine('reader@r', [team]);
      expect(await pull(reader.client)).toMatchObject({ code: 0, stderr: '' });
      return runAs(reader.client, ['sql', '--format', 'csv', "SELECT cmd FROM main.invocations ORDER BY cmd"], { bundle: BIRD_BUNDLE });
    })();
    for (let round = 0; round < 30; round++) kept.push(`keep ${round}`);
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.id)).size).toBe(30);
    expect(cmds.stdout.trim().split('\n').slice(1).sort()).toEqual(kept.sort());
    expect(kills.killed).toBeGreaterThan(5);
  }, 900_000);
});

describe('forget while a push is staged', () => {
  it('never uploads a command forgotten after its push was staged and before it was uploaded', async () => {
    const team = lake('file');
    const me = await machine('me@here', [team]);
    me.box.capture({ cmd: 'make 0', exit: 0, startUs: at(0), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    me.box.capture({ cmd: 'echo hunter2-staged', exit: 0, startUs: at(1), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    me.box.capture({ cmd: 'make 2', exit: 0, startUs: at(2), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
    const found = await runAs(me.client, ['sql', '--format', 'csv', "SELECT id FROM local.invocations WHERE cmd LIKE 'echo hunter2%'"], { bundle: BIRD_BUNDLE });
    const id = found.stdout.trim().split('\n')[1]!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The lake cannot take the batches (a file where their folder goes): the push stages, then fails.
    const tables = join(team.uri, 'invocations');
    renameSync(tables, `${tables}.away`);
    writeFileSync(tables, 'in the way');
    expect((await push(me.client)).code).not.toBe(0);
    const forgot = me.box.bird(['forget', '--match', 'echo hunter2*', '--json']);
    expect(forgot.code, forgot.stderr).toBe(0);
    rmSync(tables);
    renameSync(`${tables}.away`, tables);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    // The lake never held it: no batch has it, and no segment had to withdraw it.
    expect(await lakeObjectsHolding(team, 'hunter2')).toEqual([]);
    expect(await lakeObjectsHolding(team, id)).toEqual([]);
    expect((await lakeRows(team)).length).toBe(2);
  });
});
