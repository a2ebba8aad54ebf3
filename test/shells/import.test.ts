// bird import on history files written by the real shells in a pty: every typed command comes
// back byte for byte; a second import adds nothing; commands the live hook captured while the
// history grew are not imported twice.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as pty from 'node-pty';
import { beforeAll, describe, expect, it } from 'vitest';
import { atuinDb } from '../../packages/import/src/testing/atuin-db.ts';
import { PEER_CASES } from '../../packages/import/src/testing/peer-cases.ts';
import { birdLayout, shortHostname } from '@bird/core';
import { indexedIdsAndSources, storedIdsAndSources } from '../support/history-index.ts';
import { REPO, SHELLS, ShellSession, shellEnv, tempDir, waitForCount, waitForNoDrainer, type Shell } from './shell-session.ts';

const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');
beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture', 'cli'], { stdio: 'inherit' });
});

/**
 * The shell's own history settings, typed first: times in the file, multi-line commands kept
 * whole. zsh and fish take theirs from a startup file instead, as a user's do: zsh -f saves no
 * history at exit, and loads none at start without its options already set; fish --no-config
 * saves none at all.
 */
const SETUP: Record<Shell, string> = {
  zsh: 'true',
  bash: "shopt -s cmdhist lithist; HISTTIMEFORMAT='%F %T '",
  fish: 'true',
};
const ARGS: Partial<Record<Shell, string[]>> = { zsh: ['-i'], fish: ['-i'] };
const ZSHRC = 'setopt extended_history; HISTSIZE=1000; SAVEHIST=1000\n';
/** Typed with a newline inside quotes (the shell asks for the rest). */
const MULTILINE = "echo 'first line\nsecond line'";
const TYPED = [`echo 'ünïcödé ✓ 🐦 日本語'`, String.raw`printf '%s\n' 'back\slash' "a\\b" 'lit\n'`, MULTILINE, 'echo "$HOME" | tr a-z A-Z', 'mysql -u root -phunter2 -e "select 1"'];
/** A literal tab, typed as Ctrl-V Tab (zsh and bash; fish has no quoted insert by default). */
const WITH_TAB = 'echo "a\tb"';

function historyEnv(shell: Shell, home: string): Record<string, string> {
  if (shell === 'fish') return { XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CONFIG_HOME: join(home, '.config') };
  if (shell === 'zsh') writeFileSync(join(home, '.zshrc'), ZSHRC);
  return { HISTFILE: join(home, shell === 'zsh' ? '.zsh_history' : '.bash_history'), ...(shell === 'zsh' ? { ZDOTDIR: home } : {}) };
}

async function typeSession(shell: Shell, env: Record<string, string>, lines: readonly string[], hook: boolean): Promise<void> {
  const s = await ShellSession.start(shell, env, { hook, args: ARGS[shell] });
  try {
    await s.run(SETUP[shell]);
    for (const line of lines) {
      if (line.includes('\t')) {
        // Ctrl-V makes the next key literal instead of completing.
        s.term.write(line.replace('\t', '\x16\t'));
        await s.run('');
      } else {
        await s.run(line.replace('\n', '\r'));
      }
    }
    s.term.write('exit\r');
    await s.until(() => s.exited, 'the shell to exit');
  } finally {
    s.close();
  }
}

function bird(env: Record<string, string>, ...args: string[]) {
  const e: NodeJS.ProcessEnv = { ...env };
  delete e.NODE_EXTRA_CA_CERTS;
  return spawnSync(process.execPath, [BIRD, ...args], { env: e, encoding: 'utf8' });
}

async function storedCmds(root: string): Promise<{ cmd: string; session: string }[]> {
  const r = bird({ ...process.env, BIRD_ROOT: root } as Record<string, string>, 'sql', 'SELECT cmd, session_id FROM main.invocations ORDER BY timestamp, id', '--format', 'json');
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { cmd: string; session_id: string }[]).map((x) => ({ cmd: x.cmd, session: x.session_id }));
}

describe.each(SHELLS)('bird import %s', (shell) => {
  it('brings back every typed command byte for byte, once, and skips what the live hook captured', async () => {
    const home = tempDir(`import-${shell}-home`);
    const root = join(tempDir(`import-${shell}-root`), 'bird');
    const env = shellEnv(home, root, historyEnv(shell, home));
    const typed = shell === 'fish' ? TYPED : [...TYPED, WITH_TAB];

    // 1. History written without bird: all of it is new to the store.
    await typeSession(shell, env, typed, false);
    const first = bird(env, 'import', shell);
    const historyFile = shell === 'fish' ? join(home, '.local/share/fish/fish_history') : env.HISTFILE!;
    expect(first.stderr, readFileSync(historyFile, 'utf8')).toBe('');
    expect(first.status).toBe(0);
    const afterFirst = await storedCmds(root);
    const fromHistory = afterFirst.map((r) => r.cmd);
    // The history also holds the harness's first line (its prompt setup) and `exit`, which the
    // default `[capture] ignore` list keeps out, as capture does.
    const expected = [SETUP[shell], ...typed.map((t) => t.replace('-phunter2', '-p[REDACTED]'))];
    expect(fromHistory[0]).toMatch(shell === 'fish' ? /^function fish_prompt/ : /^PS1=/);
    expect(fromHistory.slice(1)).toEqual(expected);
    expect(new Set(afterFirst.map((r) => r.session))).toEqual(new Set([`import:${shell}:${shell === 'fish' ? join(home, '.local/share/fish/fish_history') : env.HISTFILE}`]));
    expect(first.stdout).toMatch(new RegExp(`: read ${afterFirst.length + 1}, imported ${afterFirst.length}, skipped 0 already stored and 1 kept out by the privacy rules\\.\\n$`));

    // 2. The same file again: nothing new.
    const again = bird(env, 'import', shell);
    expect(again.stdout).toMatch(new RegExp(`imported 0, skipped ${afterFirst.length} already stored`));
    expect(await storedCmds(root)).toEqual(afterFirst);

    // 3. The history grows while the hook captures live: importing it again doubles nothing.
    const live = ['echo live-one', 'echo live-two'];
    await typeSession(shell, env, live, true);
    await waitForNoDrainer(root);
    bird(env, 'import', shell);
    const all = (await storedCmds(root)).map((r) => r.cmd);
    // SETUP[shell] was typed in both sessions: twice, once imported and once captured.
    for (const cmd of [...expected, ...live]) expect(all.filter((c) => c === cmd), cmd).toHaveLength(cmd === SETUP[shell] ? 2 : 1);
    // 4. Search and `bird history` find all of it: imported rows through the rebuild that import
    // runs, live ones through the drainer's journal.
    const layout = birdLayout(root);
    expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));
    expect(bird(env, 'search', 'live-one').stdout).toBe('echo live-one\n');
  }, 120_000);
});

/**
 * A history without times, as the hook leaves it: stock Debian/Ubuntu bash (no HISTTIMEFORMAT,
 * `history -a` to write what was typed), and zsh without extended_history (INC_APPEND_HISTORY
 * writes each line as it is entered).
 */
const UNTIMED: Record<'bash' | 'zsh', { env: (home: string) => Record<string, string>; args?: string[]; write: string[] }> = {
  bash: { env: (home) => ({ HISTFILE: join(home, '.bash_history'), HISTCONTROL: 'ignoreboth' }), write: ['history -a'] },
  zsh: {
    env: (home) => {
      writeFileSync(join(home, '.zshrc'), 'HISTSIZE=1000; SAVEHIST=1000; setopt inc_append_history\n');
      return { HISTFILE: join(home, '.zsh_history'), ZDOTDIR: home };
    },
    args: ['-i'],
    write: [],
  },
};

describe.each(['bash', 'zsh'] as const)('bird import %s, a history without times, after the hook captured', (shell) => {
  it('stores each typed command once, imports the older history, and bird history keeps the order', async () => {
    const home = tempDir(`import-untimed-${shell}-home`);
    const root = join(tempDir(`import-untimed-${shell}-root`), 'bird');
    const env = shellEnv(home, root, UNTIMED[shell].env(home));
    const histfile = env.HISTFILE!;
    // Older history, from before the hook: one of its lines is also typed again below.
    const older = ['echo old-one', 'echo typed-3', 'echo old-two'];
    writeFileSync(histfile, older.map((l) => `${l}\n`).join(''));
    const typed = Array.from({ length: 15 }, (_, i) => `echo typed-${i === 10 ? 3 : i + 1}`);
    const write = UNTIMED[shell].write;

    const s = await ShellSession.start(shell, env, { hook: true, args: UNTIMED[shell].args });
    try {
      for (const line of [...typed, ...write]) await s.run(line);
      expect(readFileSync(histfile, 'utf8')).not.toMatch(/^(#\d+|: \d+:\d+;)/m);
      // What was typed, stored by the hook (the line that sourced it is not).
      const captured = typed.length + write.length;
      expect(await waitForCount(root, captured, 30_000)).toBe(captured);
      const first = bird(env, 'import', shell);
      expect(first.stderr).toBe('');
      // The file: 3 older lines, the harness's set-up line, what was typed.
      expect(first.stdout).toBe(`.${shell}_history: read ${4 + captured}, imported 4, skipped ${captured} already stored and 0 kept out by the privacy rules.\n`);
    } finally {
      s.close();
    }
    const all = (await storedCmds(root)).map((r) => r.cmd);
    const setup = all.find((c) => c.startsWith('PS1='))!;
    for (const cmd of new Set([...older, ...typed])) expect(all.filter((c) => c === cmd), cmd).toHaveLength([...older, ...typed].filter((c) => c === cmd).length);
    // Newest first: what was typed, then the older history, which never sorts above it.
    const history = bird(env, 'history', '-n', '100', '--format', 'json');
    expect((JSON.parse(history.stdout) as { cmd: string }[]).map((r) => r.cmd)).toEqual([...[...typed, ...write].reverse(), setup, ...[...older].reverse()]);
    // Importing again, after the shell exited, adds nothing.
    await waitForNoDrainer(root);
    expect(bird(env, 'import', shell).stdout).toMatch(/imported 0, /);
    expect((await storedCmds(root)).length).toBe(all.length);
  }, 120_000);
});

describe('bird import tells the format from the content', () => {
  it('reads a zsh history given under SHELL=/bin/bash as zsh, refuses it named as bash, and takes plain text as named', () => {
    const home = tempDir('import-detect-home');
    const root = join(home, 'bird');
    const file = join(home, '.zsh_history');
    writeFileSync(file, ': 1796602610:0;echo from-zsh\n: 1796602615:2;make\n');
    const env = { ...process.env, HOME: home, BIRD_ROOT: root, SHELL: '/bin/bash' } as Record<string, string>;
    delete env.HISTFILE;
    const wrong = bird(env, 'import', 'bash', '--file', file);
    expect(wrong.stderr).toBe(`bird: ${file} looks like zsh extended history (\`: <start>:<elapsed>;<command>\` lines), not a bash history; to import it run: bird import zsh --file ${file}\n`);
    expect(wrong.status).toBe(1);
    expect(existsSync(root)).toBe(false);

    const detected = bird(env, 'import', '--file', file);
    expect(detected.stderr).toBe('');
    expect(detected.stdout).toBe('.zsh_history: read 2, imported 2, skipped 0 already stored and 0 kept out by the privacy rules.\n');
    const rows = bird(env, 'sql', 'SELECT cmd, epoch(timestamp)::BIGINT AS s, duration_ms, shell, session_id FROM main.invocations ORDER BY timestamp', '--format', 'json');
    expect(JSON.parse(rows.stdout)).toEqual([
      { cmd: 'echo from-zsh', s: 1796602610, duration_ms: null, shell: 'zsh', session_id: `import:zsh:${file}` },
      { cmd: 'make', s: 1796602615, duration_ms: 2000, shell: 'zsh', session_id: `import:zsh:${file}` },
    ]);

    // Plain text is what zsh and bash without times both write: taken as named, never refused.
    const plain = join(home, 'plain_history');
    writeFileSync(plain, 'echo plain\n');
    expect(bird(env, 'import', 'zsh', '--file', plain).stdout).toBe('plain_history: read 1, imported 1, skipped 0 already stored and 0 kept out by the privacy rules.\n');
  });
});

describe('bird import on atuin\'s importer cases', () => {
  const home = tempDir('import-peer-home');
  it.each(PEER_CASES.map((c, i) => ({ ...c, i })))('$name', ({ i, format, file, commands, starts, durations, unreadable = 0 }) => {
    // A store each: cases share entries (the same command at the same second), stored once.
    const env = { ...process.env, HOME: home, BIRD_ROOT: join(home, `bird-${i}`) } as Record<string, string>;
    const path = join(home, `case-${i}`);
    writeFileSync(path, file);
    const run = bird(env, 'import', format, '--file', path);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`case-${i}: read ${commands.length}, imported ${commands.length}, skipped 0 already stored and 0 kept out by the privacy rules.\n`);
    if (unreadable === 0) expect(run.stderr).toBe('');
    const sql = `SELECT cmd, epoch_us(timestamp) AS us, duration_ms FROM main.invocations WHERE session_id = 'import:${format}:${path}' ORDER BY timestamp, id`;
    const rows = JSON.parse(bird(env, 'sql', sql, '--format', 'json').stdout) as { cmd: string; us: number; duration_ms: number | null }[];
    // The file's order, strictly, whatever times are missing; the times it gives, kept.
    expect(rows.map((r) => r.cmd)).toEqual(commands);
    rows.forEach((r, n) => {
      if (n > 0) expect(r.us).toBeGreaterThan(rows[n - 1]!.us);
      if (starts[n] !== null) expect(Math.floor(r.us / 1e6)).toBe(starts[n]);
    });
    if (durations) expect(rows.map((r) => r.duration_ms)).toEqual(durations);
  });
});

describe('bird import on bad input', () => {
  it('names a missing file, a binary file, and a half-damaged file with the line; good entries still land', () => {
    const home = tempDir('import-bad-home');
    const env = { ...process.env, HOME: home, BIRD_ROOT: join(home, 'bird') } as Record<string, string>;
    const missing = bird(env, 'import', 'zsh', '--file', join(home, 'nope'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`bird: ${join(home, 'nope')} does not exist; give the history file with --file PATH.\n`);
    expect(existsSync(join(home, 'bird'))).toBe(false); // nothing made for a file that is not there

    const binary = join(home, 'binary');
    execFileSync('sh', ['-c', `head -c 4096 /dev/urandom | tr -d '\\n' > ${binary}`]);
    const bad = bird(env, 'import', 'bash', '--file', binary);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^bird: ${binary} holds no bash history that bird can read \\(line 1\\); check that it is a bash history file\\.\\n$`));

    const half = join(home, 'half');
    execFileSync('sh', ['-c', `printf ': 1700000000:0;echo good-one\\n: 17000\\n: 1700000009:0;echo good-two\\n' > ${half}`]);
    const partial = bird(env, 'import', 'zsh', '--file', half);
    expect(partial.status).toBe(0);
    expect(partial.stderr).toBe(`bird: warning: ${half}: 1 entry could not be read (line 2) and were skipped; the rest were read.\n`);
    expect(partial.stdout).toBe('half: read 2, imported 2, skipped 0 already stored and 0 kept out by the privacy rules.\n');
    expect(bird(env, 'import', 'zsh', '--file', half, '--dry-run').stdout).toBe('half: read 2, would import 0, skipped 2 already stored and 0 kept out by the privacy rules.\n');
  });

  it('with no format takes $SHELL\'s history, and says what to do when $SHELL is none it knows', () => {
    const home = tempDir('import-shell-home');
    writeFileSync(join(home, '.bash_history'), '#1700000000\necho from-bash\n');
    const env = { ...process.env, HOME: home, BIRD_ROOT: join(home, 'bird'), SHELL: '/usr/bin/bash' } as Record<string, string>;
    delete env.HISTFILE;
    expect(bird(env, 'import').stdout).toBe('.bash_history: read 1, imported 1, skipped 0 already stored and 0 kept out by the privacy rules.\n');
    const tcsh = bird({ ...env, SHELL: '/bin/tcsh' }, 'import');
    expect(tcsh.status).toBe(2);
    expect(tcsh.stderr).toBe('bird: cannot tell which history to import from SHELL="/bin/tcsh"; name it: bird import [zsh|bash|fish|atuin] [--file PATH] [--dry-run]\n');
  });

  it('--dry-run writes nothing; duckdb mode imports into bird.duckdb', async () => {
    const home = tempDir('import-dry-home');
    const root = join(home, 'bird');
    const env = { ...process.env, HOME: home, BIRD_ROOT: root } as Record<string, string>;
    const file = join(home, 'h');
    execFileSync('sh', ['-c', `printf '#1700000000\\necho a\\n#1700000005\\necho b\\n' > ${file}`]);
    expect(bird(env, 'init', '--mode', 'duckdb').status).toBe(0);
    expect(bird(env, 'import', 'bash', '--file', file, '--dry-run').stdout).toBe('h: read 2, would import 2, skipped 0 already stored and 0 kept out by the privacy rules.\n');
    expect(await storedCmds(root)).toEqual([]);
    expect(bird(env, 'import', 'bash', '--file', file).stdout).toBe('h: read 2, imported 2, skipped 0 already stored and 0 kept out by the privacy rules.\n');
    expect(bird(env, 'import', 'bash', '--file', file).stdout).toBe('h: read 2, imported 0, skipped 2 already stored and 0 kept out by the privacy rules.\n');
    const db = await DuckDBInstance.create(join(root, 'db', 'bird.duckdb'), { access_mode: 'READ_ONLY' });
    try {
      const c = await db.connect();
      expect((await c.runAndReadAll('SELECT cmd, epoch(timestamp)::BIGINT FROM local.invocations ORDER BY 2')).getRows()).toEqual([['echo a', 1700000000n], ['echo b', 1700000005n]]);
      c.closeSync();
    } finally {
      db.closeSync();
    }
    // Read back without DuckDB, through the history index the import rebuilt.
    expect(existsSync(join(root, 'db', 'history-index', 'snapshot.bhi'))).toBe(true);
    const host = shortHostname();
    expect(bird(env, 'history', '--format', 'csv').stdout).toBe(`timestamp,exit_code,duration_ms,cwd,cmd,hostname,_source\n2023-11-14T22:13:25.000000Z,,,,echo b,${host},local\n2023-11-14T22:13:20.000000Z,,,,echo a,${host},local\n`);
  });
});

describe('bird import atuin', () => {
  it('reads atuin\'s history.db through the built bundle: every column it has, deleted rows skipped, once', async () => {
    const home = tempDir('import-atuin-home');
    const root = join(home, 'bird');
    const data = join(home, 'data');
    const S = 1_000_000_000n;
    const db = await atuinDb([
      ['01HX0001', 1_700_000_000n * S + 123_456_789n, 2_500_000_000n, 0n, 'cargo build --release', '/src/app', 'sess-a', 'laptop:alice'],
      ['01HX0002', 1_700_000_060n * S, -1n, -1n, 'cat notes.txt', 'unknown', 'sess-a', 'laptop:alice'],
      ['01HX0003', 1_700_000_120n * S, 1_000_000n, 1n, 'rm -rf build', '/src/app', 'sess-b', 'laptop:alice', 1_700_000_200n * S],
    ]);
    mkdirSync(join(data, 'atuin'), { recursive: true });
    writeFileSync(join(data, 'atuin', 'history.db'), db);
    const env = { ...process.env, HOME: home, BIRD_ROOT: root, XDG_DATA_HOME: data } as Record<string, string>;
    const first = bird(env, 'import', 'atuin');
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('history.db: read 2, imported 2, skipped 0 already stored and 0 kept out by the privacy rules.\n');
    const rows = bird(env, 'sql', 'SELECT cmd, epoch_us(timestamp) AS us, duration_ms, cwd, exit_code, hostname, shell, session_id FROM main.invocations ORDER BY timestamp', '--format', 'json');
    expect(JSON.parse(rows.stdout)).toEqual([
      { cmd: 'cargo build --release', us: 1700000000123456, duration_ms: 2500, cwd: '/src/app', exit_code: 0, hostname: 'laptop', shell: null, session_id: `import:atuin:${join(data, 'atuin', 'history.db')}#sess-a` },
      { cmd: 'cat notes.txt', us: 1700000060000000, duration_ms: null, cwd: null, exit_code: null, hostname: 'laptop', shell: null, session_id: `import:atuin:${join(data, 'atuin', 'history.db')}#sess-a` },
    ]);
    expect(bird(env, 'import', 'atuin').stdout).toBe('history.db: read 2, imported 0, skipped 2 already stored and 0 kept out by the privacy rules.\n');
  });
});

describe('bird import on a terminal', () => {
  it('shows a progress bar while a large history is written, then the summary', async () => {
    const home = tempDir('import-tty-home');
    const file = join(home, '.zsh_history');
    // Two years of commands, one every ~10 minutes: long enough for the bar (it waits a second).
    writeFileSync(file, Array.from({ length: 100_000 }, (_, i) => `: ${1_600_000_000 + i * 631}:0;echo entry-${i}\n`).join(''));
    const env = { ...process.env, HOME: home, BIRD_ROOT: join(home, 'bird'), TERM: 'xterm-256color' } as Record<string, string>;
    delete env.NODE_EXTRA_CA_CERTS;
    const term = pty.spawn(process.execPath, [BIRD, 'import', 'zsh', '--file', file], { name: 'xterm-256color', cols: 120, rows: 10, env });
    let out = '';
    term.onData((d) => (out += d));
    const code = await new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    expect(code).toBe(0);
    // 731 days of invocations and the one session row: a file each.
    expect(out).toMatch(/importing \[[=-]+\] [1-9]\d*\/732 files/);
    expect(out).toContain('732/732 files');
    expect(out).toContain('.zsh_history: read 100000, imported 100000, skipped 0 already stored and 0 kept out by the privacy rules.');
  }, 60_000);
});
