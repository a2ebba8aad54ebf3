import { describe, expect, it } from 'vitest';
import type { DoctorFacts, RemoteFacts } from './doctor-facts.ts';
import { doctorJson } from './doctor-json.ts';
import { doctorLines, exitStatus, SPOOL_STALL_MS, type DoctorLine } from './doctor-lines.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const BYTES = { own: 3 * 1024 ** 2, caches: 0, mirrors: 0, blobs: 0, index: 200 * 1024, quarantine: 0, total: 3.5 * 1024 ** 2 };
const MIN = 60_000;

/** A healthy hooked machine with a store and no remotes; each case changes what it is about. */
function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    version: '0.1.0',
    nowMs: NOW,
    hook: { state: { kind: 'hooked', shell: 'zsh', pid: 42 }, disabled: false, loginShell: 'zsh' },
    store: { root: '/home/me/.local/share/bird', rootFrom: 'default', state: 'present', mode: 'parquet', catalog: true, bytes: BYTES },
    config: { state: 'ok', path: '/home/me/.local/share/bird/config.toml', remotes: 0, remoteProblems: [] },
    clientId: { id: 'me@laptop', origin: 'config', configured: 'me@laptop', problem: null },
    project: { state: 'none' },
    spool: { dir: '/home/me/.local/share/bird/spool', problem: null, backlog: { records: 0, files: 0, bytes: 0, oldestMs: null, drainer: null } },
    output: { passive: false, recorderLog: null, lastFailure: null },
    index: { state: 'ok', commands: 1200, newestLocalMs: NOW - 5 * MIN, damagedLines: 0 },
    remotes: [],
    ...over,
  };
}

function remote(over: Partial<RemoteFacts> = {}): RemoteFacts {
  return {
    name: 'team',
    type: 'file',
    uri: '/mnt/lake',
    mode: 'read_write',
    pushable: true,
    checks: [
      { status: 'ok', check: 'reachable', text: 'reachable: /mnt/lake' },
      { status: 'ok', check: 'credentials', text: 'credentials: none needed; the folder can be read' },
      { status: 'ok', check: 'index', text: 'index: intact (3 series)' },
    ],
    sync: { series: [{ client: 'me@laptop', seq: 7, lastPushMs: NOW - 10 * MIN, staged: [], refusal: null, parked: false }], lastPushMs: NOW - 10 * MIN, lastPullMs: NOW - 3 * 3600_000, busy: false },
    unpushed: { ok: true, value: { invocations: 4, sessions: 1, outputs: 0, events: 0 } },
    notPulled: { ok: true, value: { rows: 30, segments: 3, segmentsRead: 3, series: 2 } },
    listedSeries: [],
    ...over,
  };
}

const text = (lines: readonly DoctorLine[]) => lines.map((l) => `${l.status.padEnd(6)}${l.text}`);
const about = (lines: readonly DoctorLine[], topic: string) => text(lines.filter((l) => l.topic === topic));

describe('doctorLines', () => {
  it('a healthy machine: one ok line per fact, exit 0', () => {
    const lines = doctorLines(facts());
    expect(text(lines)).toEqual([
      'ok    hook: this zsh (pid 42) is hooked',
      'ok    store: /home/me/.local/share/bird (the default, ~/.local/share/bird), parquet mode',
      'ok    space: 3.5 MB under the root (your commands 3.0 MB, history index 200.0 KB)',
      'ok    config: /home/me/.local/share/bird/config.toml (0 remotes)',
      'ok    client id: me@laptop (from config.toml)',
      'ok    spool: nothing waiting to be stored',
      "ok    output: typed commands are stored without their output (`[capture] output = true` records it in shells opened after; `bird run CMD` stores one command's)",
      'ok    index: 1200 commands, your newest 5m ago',
      'ok    remotes: none (`bird remote add NAME --type file|s3 --uri URI` shares with a team)',
    ]);
    expect(exitStatus(lines)).toBe(0);
  });

  it('no store yet: says so, and what makes one; nothing FAILs', () => {
    const lines = doctorLines(
      facts({
        hook: { state: { kind: 'none' }, disabled: false, loginShell: 'bash' },
        store: { root: '/tmp/r', rootFrom: 'BIRD_ROOT', state: 'missing', mode: null, catalog: false, bytes: null },
        config: null,
        clientId: { id: 'me@laptop', origin: 'default', configured: null, problem: null },
        index: { state: 'missing', detail: 'there is no store yet' },
      }),
    );
    expect(text(lines)).toEqual([
      'warn  hook: not hooked: no hook has set BIRD_HOOKED in this environment (run bird doctor in the shell you want checked); add `eval "$(bird hook bash)"` to your shell\'s startup file',
      'warn  store: none yet at /tmp/r (BIRD_ROOT); `bird init` makes it, and so does the first command a hooked shell captures',
      'ok    client id: me@laptop (the default, $USER@host); not in config.toml yet (`bird init` or the first push writes it, so that shells and cron agree)',
      'ok    remotes: none (`bird remote add NAME --type file|s3 --uri URI` shares with a team)',
    ]);
    expect(exitStatus(lines)).toBe(0);
  });

  it.each<[string, Partial<DoctorFacts>, string, string[]]>([
    ['BIRD_ROOT is a file', { store: { root: '/tmp/f', rootFrom: 'BIRD_ROOT', state: 'not-a-folder', mode: null, catalog: false, bytes: null }, config: null }, 'store', ['FAIL  store: /tmp/f (BIRD_ROOT) is a file, not a folder: point BIRD_ROOT at a folder']],
    [
      'a broken config.toml',
      { config: { state: 'broken', path: '/r/config.toml', problem: '/r/config.toml is not valid TOML at line 3, column 1: fix that line.' }, remotes: null },
      'config',
      ['FAIL  config: /r/config.toml is not valid TOML at line 3, column 1: fix that line.'],
    ],
    [
      "teammates' rows, mirrors and a quarantine: each named; the quarantine warns",
      { store: { ...facts().store, bytes: { own: 5 * 1024 ** 3, caches: 800 * 1024 ** 2, mirrors: 1024 ** 2, blobs: 2 * 1024 ** 2, index: 90 * 1024 ** 2, quarantine: 4096, total: 6 * 1024 ** 3 } } },
      'space',
      ["warn  space: 6.00 GB under the root (your commands 5.00 GB, teammates' 800.0 MB, S3 mirrors 1.0 MB, output blobs 2.0 MB, history index 90.0 MB); 4.0 KB of damaged files set aside in db/quarantine/ (look, then delete what you do not need)"],
    ],
    ['a broken config.toml: the remotes are not known', { config: { state: 'broken', path: '/r/config.toml', problem: 'x' }, remotes: null }, 'remotes', ['FAIL  remotes: not known until config.toml reads (see the config line)']],
    ['a broken [[remotes]] entry', { config: { state: 'ok', path: '/r/config.toml', remotes: 0, remoteProblems: ['remote "a b" was left out: bad name.'] } }, 'config', ['ok    config: /r/config.toml (0 remotes)', 'warn  config: remote "a b" was left out: bad name.']],
    [
      'BIRD_CLIENT_ID differs from config.toml',
      { clientId: { id: 'me@new', origin: 'env', configured: 'me@old', problem: null } },
      'client-id',
      [
        'warn  client id: BIRD_CLIENT_ID=me@new here, but config.toml says me@old, which cron and every process without BIRD_CLIENT_ID use: rows go to two series. Make them one: `bird init --client-id me@new`, or unset BIRD_CLIENT_ID',
      ],
    ],
    ['no project store here: no line', { project: { state: 'none' } }, 'project', []],
    ['a project store found', { project: { state: 'found', root: '/src/app/.bird', mode: 'parquet', lakes: [], pulled: [], cache: '/r/db/project-caches/ab' } }, 'project', ['ok    project: /src/app/.bird (parquet mode), read as project.* by bird sql in this folder']],
    [
      'a project store naming a lake not pulled yet',
      { project: { state: 'found', root: '/src/app/.bird', mode: 'parquet', lakes: ['ci'], pulled: [], cache: '/r/db/project-caches/ab' } },
      'project',
      ['ok    project: /src/app/.bird (parquet mode), read as project.* by bird sql in this folder', 'ok    project: it names the lake ci; ci not pulled yet: `bird pull --project` brings its runs into project.*'],
    ],
    [
      'a project store whose lakes were pulled',
      { project: { state: 'found', root: '/src/app/.bird', mode: 'parquet', lakes: ['ci', 'nightly'], pulled: ['ci', 'nightly'], cache: '/r/db/project-caches/ab' } },
      'project',
      ['ok    project: /src/app/.bird (parquet mode), read as project.* by bird sql in this folder', 'ok    project: it names the lakes ci, nightly, pulled into /r/db/project-caches/ab (`bird pull --project` brings what is new)'],
    ],
    [
      'a project store refused',
      { project: { state: 'refused', why: '/src/app/.bird is a symbolic link; a project\'s store must be a folder inside the project' } },
      'project',
      ["warn  project: /src/app/.bird is a symbolic link; a project's store must be a folder inside the project; bird reads no project store here"],
    ],
    ['BIRD_CLIENT_ID the same as config.toml', { clientId: { id: 'me@laptop', origin: 'env', configured: 'me@laptop', problem: null } }, 'client-id', ['ok    client id: me@laptop (from BIRD_CLIENT_ID)']],
    [
      'an id from the environment that cannot name a series',
      { clientId: { id: 'me laptop', origin: 'env', configured: 'me@laptop', problem: 'it holds a space' } },
      'client-id',
      ['FAIL  client id: "me laptop" cannot name a lake series (it holds a space), so its rows cannot be pushed; set BIRD_CLIENT_ID to a plain name such as you@laptop'],
    ],
    [
      'a default id that cannot name a series',
      { clientId: { id: '.me@x', origin: 'default', configured: null, problem: 'it starts with "."' } },
      'client-id',
      ['FAIL  client id: ".me@x" cannot name a lake series (it starts with "."), so its rows cannot be pushed; run `bird init --client-id NAME` with a plain name such as you@laptop'],
    ],
    ['the spool cannot be written', { spool: { dir: '/r/spool', problem: '/r/spool is not writable, so commands cannot be spooled: make it writable.', backlog: null } }, 'spool', ['FAIL  spool: /r/spool is not writable, so commands cannot be spooled: make it writable.']],
    [
      'commands waiting, a drainer at work',
      { spool: { dir: '/r/spool', problem: null, backlog: { records: 3, files: 1, bytes: 2048, oldestMs: NOW - 2000, drainer: { pid: 77, alive: true } } } },
      'spool',
      ['ok    spool: 3 commands waiting to be stored (2.0 KB in 1 file, the oldest written 2s ago); drainer pid 77 is storing them'],
    ],
    [
      'commands just spooled, no drainer yet',
      { spool: { dir: '/r/spool', problem: null, backlog: { records: 1, files: 1, bytes: 300, oldestMs: NOW - 1000, drainer: null } } },
      'spool',
      ['ok    spool: 1 command waiting to be stored (300 B in 1 file, the oldest written 1s ago); the next command in a hooked shell starts a drainer'],
    ],
    [
      'commands waiting for minutes with no drainer alive',
      { spool: { dir: '/r/spool', problem: null, backlog: { records: 12, files: 2, bytes: 5000, oldestMs: NOW - SPOOL_STALL_MS - 5 * MIN, drainer: { pid: 77, alive: false } } } },
      'spool',
      ['warn  spool: 12 commands waiting to be stored (4.9 KB in 2 files, the oldest written 6m ago) and no drainer is running; the next command in a hooked shell starts one (if it cannot, errors.log in the store says why)'],
    ],
    [
      'output capture on, this shell under the recorder',
      { output: { passive: true, recorderLog: '/r/spool/output/42.s.log', lastFailure: null } },
      'output',
      ["ok    output: this zsh's output is recorded (its log: /r/spool/output/42.s.log)"],
    ],
    [
      'output capture on, this shell opened before it was',
      { output: { passive: true, recorderLog: null, lastFailure: 'output capture is off in bash 77: script(1) was not found on PATH (util-linux); its commands are recorded without their output.' } },
      'output',
      ['warn  output: [capture] output = true, but this zsh (pid 42) runs without the recorder: it was opened before `[capture] output = true`, or not on a terminal; open a new shell to record it'],
    ],
    [
      'output capture on, this shell’s recorder could not start: errors.log’s line for it',
      { output: { passive: true, recorderLog: null, lastFailure: 'output capture is off in zsh 42: script(1) was not found on PATH (util-linux); its commands are recorded without their output.' } },
      'output',
      ['warn  output: [capture] output = true, but this zsh (pid 42) runs without the recorder: errors.log says output capture is off in zsh 42: script(1) was not found on PATH (util-linux); its commands are recorded without their output.'],
    ],
    [
      'output capture on, doctor run outside a hooked shell',
      { hook: { state: { kind: 'none' }, disabled: false, loginShell: 'zsh' }, output: { passive: true, recorderLog: null, lastFailure: null } },
      'output',
      ['ok    output: recorded for every command typed in a hooked shell on a terminal ([capture] output = true)'],
    ],
    ['the index is stale', { index: { state: 'stale', detail: 'rows were added' } }, 'index', ['ok    index: out of date (rows were added); the next bird history, search or stats rebuilds it from the store']],
    ['the index is damaged', { index: { state: 'damaged', detail: 'bad magic' } }, 'index', ['warn  index: damaged (bad magic); the next bird history, search or stats rebuilds it from the store']],
    ['an index of pulled rows only', { index: { state: 'ok', commands: 3, newestLocalMs: null, damagedLines: 0 } }, 'index', ['ok    index: 3 commands, none of them yours yet']],
  ])('%s', (_what, over, topic, expected) => {
    const lines = doctorLines(facts(over));
    expect(about(lines, topic)).toEqual(expected);
    expect(exitStatus(lines)).toBe(expected.some((l) => l.startsWith('FAIL')) ? 1 : 0);
  });

  it.each<[string, DoctorFacts['hook'], string]>([
    ['hooked but disabled', { state: { kind: 'hooked', shell: 'bash', pid: 9 }, disabled: true, loginShell: 'bash' }, 'warn  hook: this bash (pid 9) is hooked, but BIRD_DISABLED=1 turns capture off; unset it to capture again'],
    [
      'a nested shell',
      { state: { kind: 'nested', shell: 'zsh', pid: 9, inner: { pid: 12, comm: 'bash' } }, disabled: false, loginShell: 'zsh' },
      'warn  hook: not hooked: bash (pid 12) runs inside the hooked zsh (pid 9) without the hook, so what is typed in it is not captured; source the hook in it to capture it too',
    ],
    [
      'an inherited marker',
      { state: { kind: 'inherited', shell: 'fish', pid: 9 }, disabled: false, loginShell: 'fish' },
      'warn  hook: not hooked: BIRD_HOOKED names fish pid 9, which is not a shell this command runs under (the environment came from elsewhere, e.g. a tmux server); add `eval "$(bird hook fish)"` to your shell\'s startup file',
    ],
    ['no /proc', { state: { kind: 'unverified', shell: 'zsh', pid: 9 }, disabled: false, loginShell: null }, 'ok    hook: this zsh (pid 9) is hooked (by BIRD_HOOKED; there is no /proc here to check that it is this shell)'],
    [
      'a marker no hook writes, and no known login shell',
      { state: { kind: 'bad-marker', value: 'yes' }, disabled: false, loginShell: null },
      'warn  hook: unknown: BIRD_HOOKED is "yes", not the shell:pid a hook sets; add `eval "$(bird hook zsh|bash|fish)"` to your shell\'s startup file',
    ],
  ])('hook: %s', (_what, hook, expected) => {
    expect(about(doctorLines(facts({ hook })), 'hook')).toEqual([expected]);
  });
});

describe('doctorLines, remotes', () => {
  const of = (r: RemoteFacts) => about(doctorLines(facts({ remotes: [r] })), `remote ${r.name}`);

  it('a healthy remote after a push: the checks, the last push and pull, the rows either way', () => {
    expect(of(remote())).toEqual([
      'ok    team: reachable: /mnt/lake',
      'ok    team: credentials: none needed; the folder can be read',
      'ok    team: index: intact (3 series)',
      'ok    team: last push 10m ago; 5 rows not pushed yet (invocations: 4, sessions: 1)',
      'ok    team: last pull 3h ago; 30 rows in 3 index segments of 2 teammates not pulled yet',
    ]);
  });

  it('an unreachable remote: its FAIL line, no skip lines, the times known here; exit 1', () => {
    const r = remote({
      checks: [
        { status: 'FAIL', check: 'reachable', text: 'reachable: http://127.0.0.1:9 is not reachable (ECONNREFUSED); check the remote\'s endpoint and your network.' },
        { status: 'skip', check: 'credentials', text: 'credentials: the remote is not reachable' },
      ],
      sync: { series: [], lastPushMs: null, lastPullMs: null, busy: false },
      unpushed: { ok: true, value: { invocations: 2, sessions: 0 } },
      notPulled: null,
    });
    expect(of(r)).toEqual([
      "FAIL  team: reachable: http://127.0.0.1:9 is not reachable (ECONNREFUSED); check the remote's endpoint and your network.",
      'ok    team: last push never; 2 rows not pushed yet (invocations: 2)',
      'ok    team: last pull never',
    ]);
    expect(exitStatus(doctorLines(facts({ remotes: [r] })))).toBe(1);
  });

  it('a refused series FAILs with the push\'s own sentence, which names the commands that settle it', () => {
    const message = 'series me@laptop on remote team holds 2 rows this store does not have: … (`bird init --client-id NAME`), or … `bird remote repair team` here.';
    const r = remote({ sync: { ...remote().sync, series: [{ client: 'me@laptop', seq: null, lastPushMs: null, staged: [], refusal: message, parked: false }] } });
    expect(of(r)).toContain(`FAIL  team: ${message}`);
    expect(exitStatus(doctorLines(facts({ remotes: [r] })))).toBe(1);
  });

  it('a series left here by choice (this machine took another id) is a warning, with how to take it over instead', () => {
    const r = remote({ sync: { ...remote().sync, series: [{ client: 'old@id', seq: null, lastPushMs: null, staged: [], refusal: 'series old@id …', parked: true }] } });
    expect(of(r)).toContain('warn  team: series old@id: its rows stay here (another machine writes it, and this one took another id); `bird remote repair team --client old@id` would take it over');
    expect(exitStatus(doctorLines(facts({ remotes: [r] })))).toBe(0);
  });

  it.each<[string, Partial<RemoteFacts>, string]>([
    ['every row pushed', { unpushed: { ok: true, value: { invocations: 0, sessions: 0 } } }, 'ok    team: last push 10m ago; nothing left to push'],
    ['the count failed', { unpushed: { ok: false, why: 'the store is busy' } }, 'warn  team: last push 10m ago; rows not pushed yet: not counted (the store is busy)'],
    ['read_only', { pushable: false, mode: 'read_only', unpushed: null }, 'ok    team: read_only: this machine only pulls from it'],
    ['a .duckdb database', { pushable: false, unpushed: null }, 'ok    team: a .duckdb database: this machine only pulls from it'],
    ['nothing new from teammates', { notPulled: { ok: true, value: { rows: 0, segments: 0, segmentsRead: 0, series: 0 } } }, 'ok    team: last pull 3h ago; nothing new from teammates'],
    [
      'more behind than the budget reads',
      { notPulled: { ok: true, value: { rows: 900, segments: 400, segmentsRead: 256, series: 1 } } },
      'ok    team: last pull 3h ago; at least 900 rows (counted in the first 256 of 400 index segments of 1 teammate) not pulled yet',
    ],
    ['the count of teammates\' rows failed', { notPulled: { ok: false, why: 'ECONNRESET' } }, "warn  team: last pull 3h ago; teammates' rows not pulled yet: not counted (ECONNRESET)"],
    ['a push or pull running', { sync: { ...remote().sync, busy: true } }, 'ok    team: a push or pull of it is running now'],
    [
      'a push staged and not uploaded',
      { sync: { ...remote().sync, series: [{ client: 'me@laptop', seq: 7, lastPushMs: NOW, staged: [8], refusal: null, parked: false }] } },
      'warn  team: series me@laptop: 1 push staged and not yet uploaded; the next push (`bird push --remote team`) sends it',
    ],
    [
      "a teammate's damaged index",
      { listedSeries: [{ client: 'mate@desk', damage: '_bird/log/mate@desk/000000000003.json is missing' }] },
      "warn  team: series mate@desk's index is damaged (_bird/log/mate@desk/000000000003.json is missing); pulls read it by listing its folders until its owner runs `bird remote repair team`",
    ],
  ])('%s', (_what, over, line) => {
    expect(of(remote(over))).toContain(line);
  });
});

describe('doctorJson', () => {
  it('carries the facts as values, times as ISO strings, and the lines; ok is false when a line FAILs', () => {
    const f = facts({ remotes: [remote()] });
    const json = doctorJson(f, doctorLines(f)) as Record<string, unknown>;
    expect(json).toMatchObject({
      ok: true,
      hook: { state: 'hooked', shell: 'zsh', pid: 42, disabled: false },
      clientId: { id: 'me@laptop', origin: 'config', configured: 'me@laptop', problem: null },
      spool: { records: 0, drainer: null },
      index: { state: 'ok', commands: 1200, newestLocal: '2026-06-01T11:55:00.000Z' },
      remotes: [{ name: 'team', lastPush: '2026-06-01T11:50:00.000Z', lastPull: '2026-06-01T09:00:00.000Z', unpushed: { rows: 5 }, notPulled: { rows: 30, segments: 3 }, series: [{ client: 'me@laptop', seq: 7, refused: null }] }],
    });
    expect((json.lines as DoctorLine[])[0]).toEqual({ status: 'ok', topic: 'hook', text: 'hook: this zsh (pid 42) is hooked' });
    const broken = facts({ store: { ...f.store, state: 'not-a-folder' } });
    expect(doctorJson(broken, doctorLines(broken))).toMatchObject({ ok: false });
  });
});
