// bird redact: today's rules, applied to what was stored before them. Two ways a secret gets
// stored: a bird from before a secret rule (its rows are written here through the storage mode,
// as that bird's capture did, without the rule), and a command a new `[capture] ignore` pattern
// now matches (captured for real). After `bird redact` and a push, no byte of either is left under
// the root or in the lake (every file read raw, and every Parquet and DuckDB file through
// DuckDB), a teammate's copy follows at their pull, and a redact killed anywhere and run again
// ends the same, with each command stored once.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type StorageMode as ModeName } from '@bird/core';
import { storageModeOf } from '@bird/store';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { invocation, session } from '../packages/store/src/testing/fixtures.ts';
import { at, BIRD_BUNDLE, buildBundles, type Sandbox } from './cli-helpers.ts';
import { KillWindow } from './support/kill-window.ts';
import { filesHolding, lakeObjectsHolding } from './support/secret-scan.ts';
import { runAs, type Client } from './support/sync-clients.ts';
import { teamLake, teamMachine } from './support/team-machine.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

// A GitHub token (a rule recognises it) and a vault password (only an ignore pattern keeps it out).
const TOKEN = 'ghp_Zq8XvLp2Rk9TmW4bN7cYd1Hs6Gf3Jx0QaUeKi';
const VAULT = 'Vp9-wrong-window-kQ7zL';

/** Rows a bird from before the token rule stored, through the same storage mode capture uses. */
async function storedByAnOlderBird(client: Client): Promise<void> {
  const mode = storageModeOf(client.layout, loadConfig(client.layout));
  const s = session({ session_id: 's-old', client_id: client.id, date: '2025-11-24' });
  const row = (i: number, cmd: string) => ({ invocation: invocation({ id: `019ab000-0000-7000-8000-00000000000${i}`, session_id: 's-old', client_id: client.id, cmd, date: '2025-11-24', timestamp: at(i) }), session: s });
  const result = await mode.append([row(1, `export GITHUB_TOKEN=${TOKEN}`), row(2, 'gh pr list'), row(3, `git clone https://x:${TOKEN}@github.com/o/r`)]);
  expect(result.written).toBe(3);
}

function addIgnore(box: Sandbox, pattern: string): void {
  const config = `${box.root}/config.toml`;
  const text = readFileSync(config, 'utf8');
  const edited = text.replace(/^ignore = \[/m, `ignore = [${JSON.stringify(pattern)}, `);
  expect(edited, 'config.toml has an ignore list to add to').not.toBe(text);
  writeFileSync(config, edited);
}

const history = (c: Client) => runAs(c, ['history', '-n', '100'], { bundle: BIRD_BUNDLE });
const cmds = async (c: Client) => (await runAs(c, ['sql', '--format', 'csv', 'SELECT cmd FROM local.invocations ORDER BY cmd'], { bundle: BIRD_BUNDLE })).stdout.trim().split('\n').slice(1);

describe.each<[ModeName, 'file' | 's3']>([
  ['parquet', 'file'],
  ['duckdb', 'file'],
  ['parquet', 's3'],
])('bird redact (%s mode, %s lake)', (mode, kind) => {
  it('takes a secret stored before its rule out of every byte here, the lake and a teammate\'s copy', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team], mode);
    const mate = await teamMachine('mate@there', [team]);
    await storedByAnOlderBird(me.client);
    me.box.capture({ cmd: `vault unseal ${VAULT}`, exit: 0, startUs: at(10), session: 's-new', env: { BIRD_CLIENT_ID: 'me@here' } });
    me.box.capture({ cmd: 'make test', exit: 0, startUs: at(11), session: 's-new', env: { BIRD_CLIENT_ID: 'me@here' } });
    expect(await runAs(me.client, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(await runAs(mate.client, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    // The same scans find both secrets before: here, in the lake, at the teammate's.
    for (const secret of [TOKEN, VAULT]) {
      expect(await filesHolding(me.client.layout.root, secret)).not.toEqual([]);
      expect(await lakeObjectsHolding(team, secret)).not.toEqual([]);
      expect(await filesHolding(mate.client.layout.root, secret)).not.toEqual([]);
    }

    addIgnore(me.box, 'vault *');
    const dry = me.box.bird(['redact', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would redact  ');
    expect(dry.stdout).toContain('export GITHUB_TOKEN=[REDACTED]');
    expect(dry.stdout).toMatch(/would forget .*vault unseal/);
    expect(dry.stdout).not.toContain(TOKEN); // a dry run does not print the secret again
    expect(await filesHolding(me.client.layout.root, TOKEN)).not.toEqual([]); // and changes nothing

    const done = me.box.bird(['redact']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe('redacted 2 commands and forgot 1 command an ignore pattern matches; your series in remote team follows at the next push.\n');
    expect((await cmds(me.client)).sort()).toEqual(['export GITHUB_TOKEN=[REDACTED]', 'gh pr list', 'git clone https://x:[REDACTED]@github.com/o/r', 'make test'].sort());
    for (const secret of [TOKEN, VAULT]) expect(await filesHolding(me.client.layout.root, secret)).toEqual([]);

    expect(await runAs(me.client, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    for (const secret of [TOKEN, VAULT]) expect(await lakeObjectsHolding(team, secret)).toEqual([]);
    expect(await runAs(mate.client, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    for (const secret of [TOKEN, VAULT]) expect(await filesHolding(mate.client.layout.root, secret)).toEqual([]);
    const theirs = (await history(mate.client)).stdout;
    expect(theirs).toContain('export GITHUB_TOKEN=[REDACTED]');
    expect(theirs.match(/GITHUB_TOKEN/g)).toHaveLength(1);
    expect(theirs).not.toContain("vault unseal");

    // Run again: nothing left to do.
    expect(me.box.bird(['redact']).stdout).toBe("nothing to redact: no command stored here matches today's secret rules or [capture] ignore patterns.\n");
  }, 300_000);
});

describe.each<ModeName>(['parquet', 'duckdb'])('bird redact killed (%s mode)', (mode) => {
  it('killed at any instant and run again: every secret gone, each command stored once (12 rounds)', async () => {
    const team = teamLake(backends, 'file');
    const me = await teamMachine('me@here', [team], mode);
    const kills = new KillWindow();
    const expected: string[] = [];
    for (let round = 0; round < 12; round++) {
      const secret = `ghp_${String(round).padStart(2, '0')}Zq8XvLp2Rk9TmW4bN7cYd1Hs6Gf3Jx0Qa`;
      const s = session({ session_id: `s-${round}`, client_id: 'me@here', date: '2025-11-24' });
      const rows = [`export GITHUB_TOKEN=${secret}`, `echo kept ${round}`].map((cmd, i) => ({ invocation: invocation({ session_id: s.session_id, client_id: 'me@here', cmd, date: '2025-11-24', timestamp: at(round * 10 + i) }), session: s }));
      expect((await storageModeOf(me.client.layout, loadConfig(me.client.layout)).append(rows)).written).toBe(2);
      expected.push('export GITHUB_TOKEN=[REDACTED]', `echo kept ${round}`);
      await kills.run(process.execPath, [BIRD_BUNDLE, 'redact'], { env: me.client.env });
    }
    const last = me.box.bird(['redact']);
    expect(last.code, last.stderr).toBe(0);
    expect((await cmds(me.client)).sort()).toEqual(expected.sort());
    expect(await filesHolding(me.client.layout.root, 'Zq8XvLp2Rk9TmW4bN7cYd1Hs6Gf3Jx0Qa')).toEqual([]);
    expect(kills.killed, 'rounds cut short').toBeGreaterThan(4);
  }, 600_000);
});
