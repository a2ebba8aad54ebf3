// Ctrl-R in real zsh, bash and fish, each in a tmux pane with the hook sourced: the keys a person
// presses go in, and the screen they would see is read back. Plus `bird search` with its output
// piped, as a script would run it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { birdLayout } from '@bird/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { invocation, output, writeLake, writeLocal } from '../../packages/store/src/testing/fixtures.ts';
import { at, BIRD_BUNDLE, buildBundles, expectOneLineError, inTerminal, sandboxFactory } from '../cli-helpers.ts';
import { MARK, SHELLS, shellEnv, tempDir, waitForRow, type Shell } from './shell-session.ts';
import { TmuxShell } from './tmux-shell.ts';

const SOCKET = `bird-search-test-${process.pid}`;
let sessions = 0;

beforeAll(() => buildBundles());
afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  // tmux leaves its socket file behind.
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid!()}`, SOCKET), { force: true });
});

interface Listed {
  cmd: string;
  count: number;
  exit_code: number | null;
}

/** What `bird search --format json` lists for the shell's BIRD_ROOT (nothing while no store exists). */
function listed(env: Record<string, string>, query = ''): Listed[] {
  const r = spawnSync(process.execPath, [BIRD_BUNDLE, 'search', '--format', 'json', '--limit', '1000', '--', query], { env, encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as Listed[]) : [];
}

/** Waits until the search index holds every command in `cmds` (the drainer journals after storing). */
async function waitForListed(env: Record<string, string>, cmds: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const have = new Set(listed(env).map((l) => l.cmd));
    if (cmds.every((c) => have.has(c))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(cmds)} in the search index (it has ${JSON.stringify([...have])})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A fresh shell in tmux with its own HOME and BIRD_ROOT; `extra` goes into its environment before
 * the hook is sourced; `config`, when given, is the root's config.toml before the shell starts.
 */
async function start(shell: Shell, extra: Record<string, string> = {}, config?: string) {
  const home = tempDir(`search-${shell}-home`);
  const root = join(tempDir(`search-${shell}-root`), 'bird');
  if (config !== undefined) {
    mkdirSync(root);
    writeFileSync(join(root, 'config.toml'), config);
  }
  const env = shellEnv(home, root, extra);
  const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, env, home);
  return { s, env, root, home };
}

/** Another shell on the same HOME and BIRD_ROOT as `first`, with `extra` in its environment too. */
async function startAnother(shell: Shell, first: { env: Record<string, string>; home: string }, extra: Record<string, string> = {}) {
  return TmuxShell.start(shell, SOCKET, `s${++sessions}`, { ...first.env, ...extra }, first.home);
}

/** What the pane showed besides prompts and the typed line that sourced the hook: nothing, from a quiet hook. */
const shownBesidesPrompts = (s: TmuxShell) =>
  s
    .history()
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes(MARK) && !line.includes('source '));

/**
 * Up, from a line holding `typed`: true when bird's prefix search opened (it is closed again),
 * false when the shell's own history put `recalled`, the last command run, on the line.
 */
async function upSearches(s: TmuxShell, typed: string, recalled: string): Promise<boolean> {
  s.type(typed);
  const row = await s.waitForCommandLine(typed);
  s.press('Up');
  const searching = () => /^\[prefix\] /m.test(s.screen().join('\n'));
  // Row and text both: while a search is drawn, bash blanks the prompt's row.
  await s.waitFor(() => searching() || (({ row: r, text }) => r === row && text === recalled)(s.commandLine()), 'Up to search or to recall');
  if (!searching()) return false;
  s.press('Escape');
  await s.waitFor(() => !searching(), 'the search to close');
  return true;
}

/** A result row of the search UI: the marker of the selected row or blanks, then the columns, then the command. */
const resultRow = (cmd: string) => new RegExp(`^(▌ | {2}).* ${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
const UI = /\[fuzzy\] \[everywhere\] \[all sources\]/;

/** `bird sql QUERY` on the shell's BIRD_ROOT, as JSON rows. */
function sql(env: Record<string, string>, query: string): Record<string, unknown>[] {
  const r = spawnSync(process.execPath, [BIRD_BUNDLE, 'sql', query, '--format', 'json'], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bird sql failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

/** How many runs of `cmd` the store holds. */
const runsOf = (env: Record<string, string>, cmd: string) => Number(sql(env, `SELECT count(*) AS n FROM main.invocations WHERE cmd = '${cmd}'`)[0]!.n);

/** Every tombstone line kept under the root (none when nothing was forgotten). */
function tombstones(root: string): { id: string; series: string }[] {
  const dir = birdLayout(root).tombstones;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; series: string }));
}

/** The teammate bob's `cmd`, pulled into the shell's store from a file remote named team. */
function pullTeammates(env: Record<string, string>, cmds: string[]): void {
  const lake = tempDir('search-forget-lake');
  writeLake(lake, 'invocations', 'bob@laptop', '2025-11-26', cmds.map((cmd, i) => invocation({ cmd, client_id: 'bob@laptop', hostname: 'laptop', timestamp: at(i), date: '2025-11-26' })));
  for (const args of [['remote', 'add', 'team', '--type', 'file', '--uri', lake, '--read-only'], ['pull', '--remote', 'team']]) {
    const r = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bird ${args.join(' ')} failed: ${r.stderr}`);
  }
}

/** The status line's question after Shift-Delete. */
const asking = (what: string) => new RegExp(`^forget ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\? y/N$`, 'm');
const exportLine = (shell: Shell, name: string) => (shell === 'fish' ? `set -gx ${name} 1` : `export ${name}=1`);
/** What each shell's own Ctrl-R shows (fish 3.6: its history pager, with the typed text as its search). */
const OWN_SEARCH: Record<Shell, RegExp> = { zsh: /bck-i-search:/, bash: /\(reverse-i-search\)/, fish: /^search: /m };
/** Leaves the shell's own search with the line as it was. */
const LEAVE_OWN_SEARCH: Record<Shell, string> = { zsh: 'C-g', bash: 'C-g', fish: 'Escape' };

describe.each(SHELLS)('%s', (shell) => {
  const COMMANDS = ['echo search-alpha-1', 'echo search-beta-2', "printf 'search-gamma-3\\n'", 'false && echo search-fail'];

  it('Enter in the search puts the chosen command on the line without running it; a second Enter runs it', async () => {
    const { s, env, root } = await start(shell);
    try {
      for (const cmd of COMMANDS) await s.run(cmd);
      await waitForListed(env, COMMANDS);

      s.type('beta');
      const row = await s.waitForCommandLine('beta');
      s.press('C-r');
      // The search starts from what was typed, and only that command matches it.
      let screen = await s.waitForScreen(UI);
      expect(screen).toContain('> beta');
      expect(screen.join('\n')).toMatch(resultRow('echo search-beta-2'));
      expect(screen.join('\n')).toMatch(/\] 1\/1 /);
      s.type('-2');
      await s.waitForScreen(/^> beta-2$/m);
      s.press('Enter');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');
      await s.waitForCommandLine('echo search-beta-2', row);

      // Not run: the line is the last thing on the screen, nothing was printed after it.
      expect(s.screen().slice(row + 1).every((text) => text === '')).toBe(true);

      await s.enter();
      // Now it runs: its output right below it, then the next prompt.
      screen = s.screen();
      expect(screen[row]).toMatch(/ echo search-beta-2$/);
      expect(screen[row + 1]).toBe('search-beta-2');
      expect(s.commandLine().row).toBe(row + 2);
      await s.run('echo after-search');
      const rows = await waitForRow(root, (r) => r.cmd === 'echo after-search', 'the command after the search');
      // Stored once for the Enter that ran it, and never for the search's own Enter.
      expect(rows.map((r) => r.cmd)).toEqual([...COMMANDS, 'echo search-beta-2', 'echo after-search']);
    } finally {
      s.close();
    }
  });

  it('keys typed right after the Enter that ends the search reach the shell: more text, and an Enter that runs it', async () => {
    const { s, env, root } = await start(shell);
    try {
      await s.run('echo typed-ahead');
      await waitForListed(env, ['echo typed-ahead']);
      const row = s.commandLine().row;
      s.press('C-r');
      await s.waitForScreen(UI);
      // One burst, as a fast typist sends it: the search reads all of it off the terminal at once.
      s.type('ahead');
      s.press('Enter');
      s.type(' and-more');
      s.press('Enter');
      await s.waitForScreen(/^typed-ahead and-more$/m);
      expect(s.screen()[row]).toMatch(/ echo typed-ahead and-more$/);
      await waitForRow(root, (r) => r.cmd === 'echo typed-ahead and-more', 'the command run by the typed-ahead Enter');
    } finally {
      s.close();
    }
  });

  it('Esc and Ctrl-G leave the search with the typed text on the line, unchanged and not run', async () => {
    const { s, env, root } = await start(shell);
    try {
      await s.run('echo stored-first');
      await waitForListed(env, ['echo stored-first']);
      s.type('some-typed-text');
      const row = await s.waitForCommandLine('some-typed-text');
      for (const leave of ['Escape', 'C-g']) {
        s.press('C-r');
        await s.waitForScreen(UI);
        s.type('xyz');
        await s.waitForScreen(/^> some-typed-textxyz\n {2}\(no match\)$/m);
        s.press(leave);
        await s.waitFor(() => !UI.test(s.screen().join('\n')), `the search to close on ${leave}`);
        await s.waitForCommandLine('some-typed-text', row);
      }
      s.press('C-u');
      await s.waitForCommandLine('', row);
      await s.run('echo after-search');
      const rows = await waitForRow(root, (r) => r.cmd === 'echo after-search', 'the command after the search');
      expect(rows.map((r) => r.cmd)).toEqual(['echo stored-first', 'echo after-search']);
    } finally {
      s.close();
    }
  });

  it('Ctrl-R in the search cycles the scope: everywhere, this host, this session, this directory, this workspace', async () => {
    const { s, env } = await start(shell);
    const dirs = tempDir(`search-${shell}-dirs`);
    const [dirA, dirB] = [join(dirs, 'left'), join(dirs, 'right')];
    mkdirSync(dirA);
    mkdirSync(dirB);
    try {
      const typed = [`cd ${dirA}`, 'echo in-a', `cd ${dirB}`, 'echo in-b'];
      for (const cmd of typed) await s.run(cmd);
      await waitForListed(env, typed);
      s.press('C-r');
      await s.waitForScreen(UI);
      // Everything was run on this host, in this session; only `echo in-b` ran in this directory
      // (each `cd` ran in the directory it left), and no git work tree holds it.
      const steps = [
        ['everywhere', 4],
        ['this host', 4],
        ['this session', 4],
        ['this directory', 1],
        ['this workspace', 1],
        ['everywhere', 4],
      ] as const;
      for (const [i, [label, total]] of steps.entries()) {
        if (i > 0) s.press('C-r');
        const screen = (await s.waitForScreen(new RegExp(`^\\[fuzzy\\] \\[${label}\\] \\[all sources\\] 1/${total} `, 'm'))).join('\n');
        expect(screen).toMatch(resultRow('echo in-b'));
        for (const cmd of typed.filter((c) => c !== 'echo in-b')) {
          if (total === 4) expect(screen).toMatch(resultRow(cmd));
          else expect(screen).not.toMatch(resultRow(cmd));
        }
      }
      s.press('Escape');
      await s.waitFor(() => !/\[fuzzy\]/.test(s.screen().join('\n')), 'the search to close');
    } finally {
      s.close();
    }
  });

  it('Ctrl-S cycles fuzzy, prefix and full-text matching, and Ctrl-X hides commands that failed', async () => {
    const { s, env } = await start(shell);
    try {
      for (const cmd of COMMANDS) await s.run(cmd);
      await waitForListed(env, COMMANDS);
      s.press('C-r');
      await s.waitForScreen(UI);
      // "esb" is in "echo search-beta-2" as a subsequence only: fuzzy finds it, prefix and full text do not.
      s.type('esb');
      let screen = (await s.waitForScreen(/^> esb$/m)).join('\n');
      expect(screen).toMatch(/^\[fuzzy\] /m);
      expect(screen).toMatch(resultRow('echo search-beta-2'));
      s.press('C-s');
      screen = (await s.waitForScreen(/^\[prefix\] /m)).join('\n');
      expect(screen).toMatch(/^ {2}\(no match\)$/m);
      s.press('C-s');
      screen = (await s.waitForScreen(/^\[fulltext\] /m)).join('\n');
      expect(screen).toMatch(/^ {2}\(no match\)$/m);
      s.press('C-s', 'C-u');
      s.type('echo s');
      await s.waitForScreen(/^> echo s\n[\s\S]*^\[fuzzy\] /m);
      // Prefix: "echo s" starts two of the commands, and the `false && echo …` one only contains it.
      s.press('C-s');
      screen = (await s.waitForScreen(/^\[prefix\] \[everywhere\] \[all sources\] 1\/2 /m)).join('\n');
      expect(screen).toMatch(/^> echo s$/m);
      expect(screen).toMatch(resultRow('echo search-alpha-1'));
      expect(screen).toMatch(resultRow('echo search-beta-2'));
      expect(screen).not.toMatch(resultRow('false && echo search-fail'));
      // Full text: "search" is in all four; Ctrl-X keeps the three that succeeded.
      s.press('C-s', 'C-u');
      s.type('search');
      screen = (await s.waitForScreen(/^\[fulltext\] \[everywhere\] \[all sources\] 1\/4 /m)).join('\n');
      expect(screen).toMatch(resultRow('false && echo search-fail'));
      s.press('C-x');
      screen = (await s.waitForScreen(/^\[fulltext\] \[everywhere\] \[all sources\] \[only ok\] 1\/3 /m)).join('\n');
      expect(screen).not.toMatch(resultRow('false && echo search-fail'));
      for (const cmd of COMMANDS.slice(0, 3)) expect(screen).toMatch(resultRow(cmd));
      s.press('Escape');
      await s.waitFor(() => !/\[fulltext\]/.test(s.screen().join('\n')), 'the search to close');
    } finally {
      s.close();
    }
  });

  it('Ctrl-D in the search goes to the directory the command last ran in; Ctrl-O shows its details first', async () => {
    const { s, env, home } = await start(shell);
    const target = join(tempDir(`search-${shell}-cd`), 'project dir');
    mkdirSync(target);
    try {
      await s.run(`cd '${target}'`);
      await s.run('echo ran-in-project');
      await s.run(`cd '${home}'`);
      await waitForListed(env, ['echo ran-in-project']);
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('ran-in');
      await s.waitForScreen(/^> ran-in$/m);
      s.press('C-o');
      const details = (await s.waitForScreen(/runs 1 · mean/)).join('\n');
      expect(details).toMatch(/before: cd '.*project dir'/);
      s.press('C-d');
      await s.waitFor(() => !/runs 1 · mean/.test(s.screen().join('\n')), 'the search to close');
      await s.run('pwd');
      expect(s.history()).toContain(`\n${target}\n`);
    } finally {
      s.close();
    }
  });

  it('Shift-Delete, then y, forgets the selected command: gone from the list, the store and bird history, a tombstone kept', async () => {
    const { s, env, root } = await start(shell);
    try {
      const typed = ['echo forget-me-soon', 'echo keep-me-here', 'echo forget-me-soon'];
      for (const cmd of typed) await s.run(cmd);
      await waitForListed(env, typed);
      const row = s.commandLine().row;
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('forget-me');
      await s.waitForScreen(resultRow('echo forget-me-soon  ×2'));
      s.press('S-DC');
      await s.waitForScreen(asking('echo forget-me-soon (2 runs)'));
      s.type('y');
      // Gone from the list at once, the query as it was, and the search still open.
      let screen = (await s.waitForScreen(/^> forget-me\n {2}\(no match\)$/m)).join('\n');
      expect(screen).toMatch(UI);
      screen = (await s.waitForScreen(/ 0\/0 {2}forgot echo forget-me-soon \(2 runs\)$/m)).join('\n');
      // The rest is still there.
      s.press('C-u');
      s.type('keep-me');
      await s.waitForScreen(resultRow('echo keep-me-here'));
      s.press('Escape');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');
      await s.waitForCommandLine('', row);

      expect(runsOf(env, 'echo forget-me-soon')).toBe(0);
      expect(runsOf(env, 'echo keep-me-here')).toBe(1);
      const history = spawnSync(process.execPath, [BIRD_BUNDLE, 'history', '-n', '100'], { env, encoding: 'utf8' });
      expect(history.stdout).toContain('echo keep-me-here');
      expect(history.stdout).not.toContain('forget-me-soon');
      expect(listed(env, 'forget-me').map((l) => l.cmd)).toEqual([]);
      const kept = tombstones(root);
      expect(kept).toHaveLength(2);
      const client = String(sql(env, "SELECT DISTINCT client_id FROM main.invocations")[0]!.client_id);
      expect(kept.every((t) => t.series === client)).toBe(true);

      // The shell goes on as before: the next command is captured.
      await s.run('echo after-forget');
      await waitForRow(root, (r) => r.cmd === 'echo after-forget', 'the command after the forget');
    } finally {
      s.close();
    }
  });

  it("Shift-Delete, then n, keeps the command; on a teammate's command it says only they can forget it", async () => {
    const { s, env, root } = await start(shell);
    try {
      await s.run('echo keep-this-one');
      pullTeammates(env, ['echo bobs-own-command']);
      await waitForListed(env, ['echo keep-this-one', 'echo bobs-own-command']);
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('keep-this');
      await s.waitForScreen(resultRow('echo keep-this-one'));
      s.press('S-DC');
      await s.waitForScreen(asking('echo keep-this-one'));
      s.type('n');
      // The question is gone, the keys are back, the n was not typed and the command is still listed.
      const screen = (await s.waitForScreen(/ 1\/1 {2}\^R filter/)).join('\n');
      expect(screen).toMatch(/^> keep-this$/m);
      expect(screen).toMatch(resultRow('echo keep-this-one'));

      s.press('C-u');
      s.type('bobs-own');
      await s.waitForScreen(resultRow('echo bobs-own-command  @team'));
      s.press('S-DC');
      await s.waitForScreen(/ 1\/1 {2}a teammate's command \(pulled from team\): only they can forget it$/m);
      // Nothing was asked: a y now is typed into the query.
      s.type('y');
      await s.waitForScreen(/^> bobs-owny$/m);
      s.press('Escape');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');

      expect([runsOf(env, 'echo keep-this-one'), runsOf(env, 'echo bobs-own-command')]).toEqual([1, 1]);
      expect(tombstones(root)).toEqual([]);
      await s.run('echo after-keeping');
      await waitForRow(root, (r) => r.cmd === 'echo after-keeping', 'the command after the search');
    } finally {
      s.close();
    }
  });

  it('Up runs a prefix search when BIRD_BIND_UP=1, and is left alone otherwise', async () => {
    const bound = await start(shell, { BIRD_BIND_UP: '1' });
    try {
      await bound.s.run('echo up-one');
      await bound.s.run('echo up-two');
      await waitForListed(bound.env, ['echo up-one', 'echo up-two']);
      bound.s.type('echo up-o');
      await bound.s.waitForCommandLine('echo up-o');
      bound.s.press('Up');
      const screen = (await bound.s.waitForScreen(/^\[prefix\] /m)).join('\n');
      expect(screen).toMatch(/^> echo up-o$/m);
      expect(screen).toMatch(resultRow('echo up-one'));
      expect(screen).not.toMatch(resultRow('echo up-two'));
      bound.s.press('Escape');
      await bound.s.waitFor(() => !/\[prefix\]/.test(bound.s.screen().join('\n')), 'the search to close');
    } finally {
      bound.s.close();
    }
    const plain = await start(shell);
    try {
      await plain.s.run('echo up-three');
      await waitForListed(plain.env, ['echo up-three']);
      plain.s.press('Up');
      // The shell's own history: the last command back on the line, and no search drawn.
      await plain.s.waitForCommandLine('echo up-three');
      expect(plain.s.screen().join('\n')).not.toMatch(/\[prefix\]|\^R filter/);
    } finally {
      plain.s.close();
    }
  });

  it('reads [search] bind_up as TOML does (commented out: no; an inline table: yes), in the next shell sourced after an edit', async () => {
    const first = await start(shell, {}, '[search]\n# bind_up = true\n');
    try {
      await first.s.run('echo up-one');
      await waitForListed(first.env, ['echo up-one']);
      expect(await upSearches(first.s, 'echo up-o', 'echo up-one')).toBe(false);
    } finally {
      first.s.close();
    }
    // Edited by hand, and no bird has read it since: the next hook sourced must see it all the same.
    writeFileSync(join(first.root, 'config.toml'), 'search = { bind_up = true }\n');
    const next = await startAnother(shell, first);
    try {
      expect(await upSearches(next, 'echo up-o', 'echo up-one')).toBe(true);
      expect(shownBesidesPrompts(next)).toEqual([]);
    } finally {
      next.close();
    }
  });

  it('a damaged db/hook-settings is never seen: bird is asked again, and with no answer the hook binds as by default', async () => {
    const first = await start(shell, {}, '[search]\nbind_up = true\n');
    const settings = birdLayout(first.root).hookSettings;
    const damage = () => writeFileSync(settings, Buffer.from([0x00, 0xff, 0x0a, ...Buffer.from('[search]\nbind_up = true\n')]));
    try {
      await first.s.run('echo up-one');
      await waitForListed(first.env, ['echo up-one']);
    } finally {
      first.s.close();
    }
    damage();
    const asked = await startAnother(shell, first);
    try {
      expect(await upSearches(asked, 'echo up-o', 'echo up-one')).toBe(true);
      expect(shownBesidesPrompts(asked)).toEqual([]);
      expect(readFileSync(settings, 'utf8')).toBe('bird-hook-settings 2 bind_keys=1 bind_up=1 output=0\n[search]\nbind_up = true\n');
    } finally {
      asked.close();
    }
    // A node that cannot answer the hook's question (and runs everything else): Up stays the
    // shell's own, Ctrl-R is bird's, as with no config.toml, and the shell says nothing of it.
    damage();
    const node = join(tempDir(`search-${shell}-node`), 'node');
    writeFileSync(node, '#!/bin/sh\n[ "$2" = __hook-settings ] && exit 1\nexec node "$@"\n');
    chmodSync(node, 0o755);
    const unanswered = await startAnother(shell, first, { BIRD_NODE: node });
    try {
      expect(shownBesidesPrompts(unanswered)).toEqual([]);
      await unanswered.run('echo up-two');
      expect(await upSearches(unanswered, 'echo up-t', 'echo up-two')).toBe(false);
      unanswered.press('C-r');
      await unanswered.waitForScreen(UI);
      unanswered.press('Escape');
      await unanswered.waitFor(() => !UI.test(unanswered.screen().join('\n')), 'the search to close');
    } finally {
      unanswered.close();
    }
  });

  it("with BIRD_DISABLED=1 exported, Ctrl-R is the shell's own search", async () => {
    const { s, env } = await start(shell);
    try {
      await s.run('echo stored-first');
      await waitForListed(env, ['echo stored-first']);
      // bird's search can run here: the same key shows it before BIRD_DISABLED is set.
      s.press('C-r');
      await s.waitForScreen(UI);
      s.press('Escape');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');
      await s.run(exportLine(shell, 'BIRD_DISABLED'));
      s.type('stored');
      await s.waitForCommandLine('stored');
      s.press('C-r');
      const screen = (await s.waitForScreen(OWN_SEARCH[shell])).join('\n');
      expect(screen).not.toMatch(/\[fuzzy\]|\^R filter/);
      s.press(LEAVE_OWN_SEARCH[shell]);
    } finally {
      s.close();
    }
  });

  it("with BIRD_NO_BIND=1 when the hook is sourced, Ctrl-R stays the shell's own search", async () => {
    const { s, env } = await start(shell, { BIRD_NO_BIND: '1' });
    try {
      // Commands are still captured, so bird's search would have something to show.
      await s.run('echo stored-first');
      await waitForListed(env, ['echo stored-first']);
      s.type('stored');
      await s.waitForCommandLine('stored');
      s.press('C-r');
      const screen = (await s.waitForScreen(OWN_SEARCH[shell])).join('\n');
      expect(screen).not.toMatch(/\[fuzzy\]|\^R filter/);
      s.press(LEAVE_OWN_SEARCH[shell]);
    } finally {
      s.close();
    }
  });
});

describe('bird search with its output piped', () => {
  const sandbox = sandboxFactory();

  it('prints the matching commands, as lines or as JSON objects; a bad flag value is one sentence and exit 2', () => {
    const box = sandbox();
    box.capture({ cmd: 'echo search-alpha-1', exit: 0, startUs: at(1) });
    box.capture({ cmd: 'echo search-beta-2', exit: 0, startUs: at(2) });
    box.capture({ cmd: 'curl beta.example.com/api', exit: 0, startUs: at(3) });
    box.capture({ cmd: 'git rebase --abort', exit: 128, startUs: at(5) });
    box.capture({ cmd: 'echo search-beta-2', exit: 0, startUs: at(4) });

    const plain = box.bird(['search', 'beta']);
    expect(plain).toEqual({ code: 0, stdout: 'echo search-beta-2\ncurl beta.example.com/api\n', stderr: '' });

    const json = box.bird(['search', '--format', 'json', 'rebase']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject([{ cmd: 'git rebase --abort', count: 1, exit_code: 128 }]);
    const both = JSON.parse(box.bird(['search', '--format', 'json', "'search-beta"]).stdout) as Listed[];
    expect(both.map(({ cmd, count, exit_code }) => ({ cmd, count, exit_code }))).toEqual([{ cmd: 'echo search-beta-2', count: 2, exit_code: 0 }]);

    expectOneLineError(box.bird(['search', '--mode', 'nope', 'beta']), 2, /--mode/);
  });

  it('prints a command on one line in an unambiguous plain form: `\\n` a newline, `\\\\` a backslash', () => {
    const box = sandbox();
    box.capture({ cmd: "printf 'plain-a\\n'", exit: 0, startUs: at(1) });
    box.capture({ cmd: "printf 'plain-a\n'", exit: 0, startUs: at(2) });
    box.capture({ cmd: 'plain-b \\\n  --flag\tx', exit: 0, startUs: at(3) });
    expect(box.bird(['search', 'plain'])).toEqual({
      code: 0,
      stdout: ["plain-b \\\\\\n  --flag\\tx", "printf 'plain-a\\n'", "printf 'plain-a\\\\n'", ''].join('\n'),
      stderr: '',
    });
  });
});

describe('bird search on a terminal', () => {
  const sandbox = sandboxFactory();
  /** Rows whose command, folder and source carry what could drive a terminal. */
  const NASTY = '\x1b[2J\x1b[31;1m \x1b]0;pwned\x07 \x1b]52;c;ZWNobyBvd25lZA==\x07 \u009b2J \u202eevil\u202c \x01\x7f\r';
  /** What bird itself writes to draw the search (NO_COLOR, so no colours): cursor moves, save and restore, line clears. */
  const OWN = /\x1b\[\d+[ABC]|\x1b[78]|\x1b\[2K|\x1b\[J|\r/g;
  const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  function nastyBox() {
    const box = sandbox();
    expect(box.bird(['init']).code).toBe(0);
    writeLocal(birdLayout(box.root), 'invocations', [
      invocation({ cmd: 'ls', timestamp: at(0), date: '2025-11-26' }),
      invocation({ cmd: `echo C:\\temp ${NASTY}`, cwd: `/tmp/${NASTY}`, timestamp: at(1), date: '2025-11-26' }),
      invocation({ cmd: 'pwd', timestamp: at(2), date: '2025-11-26' }),
    ]);
    // Builds the search index, so that the search draws nothing but its frames.
    expect(box.bird(['history']).code).toBe(0);
    return box;
  }

  it('draws rows and the inspector with control characters escaped, and prints the pick in the plain form', async () => {
    const box = nastyBox();
    const browse = await inTerminal(box, ['search'], {
      env: { NO_COLOR: '1' },
      steps: [
        { waitFor: /\[fuzzy\]/, keys: 'evil' },
        { waitFor: /1\/1/, keys: '\x0f' }, // Ctrl-O: the inspector, with the commands before and after
        { waitFor: /runs 1 · mean/, keys: '\x1b' }, // Esc: back to the list
        { waitFor: /\^R filter/, keys: '\x1b' }, // Esc: leave
      ],
    });
    expect(browse.code, browse.out).toBe(1);
    expect(browse.out).toContain('\\temp \\x1b[2J\\x1b[31;1m \\x1b]0;pwned\\x07 \\x1b]52;c;');
    expect(browse.out).toContain('/tmp/\\x1b[2J');
    expect(browse.out.replace(OWN, '')).not.toMatch(UNSAFE);

    const pick = await inTerminal(box, ['search'], { env: { NO_COLOR: '1' }, steps: [{ waitFor: /\[fuzzy\]/, keys: 'evil' }, { waitFor: /1\/1/, keys: '\r' }] });
    expect(pick.code, pick.out).toBe(0);
    // Printed as `bird search` prints when piped: the backslash doubled, so every escape reads back.
    expect(pick.out).toMatch(/echo C:\\\\temp \\x1b\[2J\\x1b\[31;1m \\x1b\]0;pwned\\x07 \\x1b\]52;c;ZWNobyBvd25lZA==\\x07 \\x9b2J \\u202eevil\\u202c \\x01\\x7f\\r\n$/);
    expect(pick.out.replace(OWN, '')).not.toMatch(UNSAFE);
  });

  it.each<[string, string[], (out: string) => void]>([
    ['--format json prints JSON', ['search', '--format', 'json', '^pwd$'], (out) => expect(JSON.parse(out)).toMatchObject([{ cmd: 'pwd', count: 1 }])],
    ['-0 prints NUL-separated commands', ['search', '-0', '^pwd$'], (out) => expect(out).toBe('pwd\0')],
  ])('an output format asked for means print, not the interactive search: %s', async (_name, args, check) => {
    const box = nastyBox();
    // Before: the search opened and waited for keys, and the run was killed at the timeout (-1).
    const { code, out } = await inTerminal(box, args, { timeoutMs: 10_000 });
    expect(code, out).toBe(0);
    check(out);
  });
});

describe('Ctrl-D in Ctrl-R, on a command whose folder is not on this machine', () => {
  it('stays in the search and says so on the status line; Esc then leaves the shell where it was', async () => {
    const { s, env, home } = await start('zsh');
    const gone = join(tempDir('search-gone'), 'removed-since');
    mkdirSync(gone);
    try {
      await s.run(`cd ${gone}`);
      await s.run('echo ran-in-gone');
      await s.run(`cd ${home}`);
      rmdirSync(gone);
      await waitForListed(env, ['echo ran-in-gone']);
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('ran-in-gone');
      await s.waitForScreen(/^> ran-in-gone$/m);
      s.press('C-d');
      const screen = (await s.waitForScreen(/\^D: no folder .*removed-since here \(imported or a teammate's row\)/)).join('\n');
      expect(screen).toMatch(resultRow('echo ran-in-gone'));
      // The next key clears it: the keys are back.
      s.press('Down');
      await s.waitForScreen(/\^R filter/);
      s.press('Escape');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');
      await s.run('pwd');
      expect(s.history()).toContain(`\n${home}\n`);
    } finally {
      s.close();
    }
  });
});

describe('Shift-Delete in Ctrl-R, when the forget cannot be done, or is still running as the search is left', () => {
  it('says why on the status line, puts the command back, and the search goes on; left while a forget runs, it finishes first', async () => {
    const { s, env, root } = await start('zsh');
    const tombstoneDir = birdLayout(root).tombstones;
    try {
      const typed = ['echo cannot-forget-yet', 'echo kept-as-well'];
      for (const cmd of typed) await s.run(cmd);
      await waitForListed(env, typed);
      // Where the tombstones go, a file: nothing can be forgotten (a forget writes them first).
      rmSync(tombstoneDir, { recursive: true, force: true });
      writeFileSync(tombstoneDir, 'in the way\n');
      const row = s.commandLine().row;
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('cannot-forget');
      await s.waitForScreen(resultRow('echo cannot-forget-yet'));
      s.press('S-DC');
      await s.waitForScreen(asking('echo cannot-forget-yet'));
      s.type('y');
      let screen = (await s.waitForScreen(/ 1\/1 {2}could not forget echo cannot-forget-yet: \S/m)).join('\n');
      expect(screen).toMatch(resultRow('echo cannot-forget-yet'));
      // Enter right after the y: the search waits for the forget, and as it failed, stays open.
      s.press('S-DC');
      await s.waitForScreen(asking('echo cannot-forget-yet'));
      s.type('y');
      s.press('Enter');
      screen = (await s.waitForScreen(/ 1\/1 {2}could not forget echo cannot-forget-yet: \S/m)).join('\n');
      expect(screen).toMatch(resultRow('echo cannot-forget-yet'));
      expect(runsOf(env, 'echo cannot-forget-yet')).toBe(1);

      // Once it can be done: Enter right after the y waits for the forget, then puts the
      // command now selected on the line, and the forgotten one is gone by then.
      rmSync(tombstoneDir);
      s.press('C-u');
      s.type('echo ');
      await s.waitForScreen(/^▌ .* echo kept-as-well$/m);
      s.press('Down');
      await s.waitForScreen(/^▌ .* echo cannot-forget-yet$/m);
      s.press('S-DC');
      await s.waitForScreen(asking('echo cannot-forget-yet'));
      s.type('y');
      s.press('Enter');
      await s.waitForCommandLine('echo kept-as-well', row);
      expect(runsOf(env, 'echo cannot-forget-yet')).toBe(0);
      expect(tombstones(root)).toHaveLength(1);
      s.press('C-u');
      await s.run('echo after-forgetting');
      await waitForRow(root, (r) => r.cmd === 'echo after-forgetting', 'the command after the search');
    } finally {
      s.close();
    }
  });
});

/** A script in `home` that prints `lines`, for `bird run` to store what it printed. */
const script = (home: string, name: string, lines: string[]) => writeFileSync(join(home, name), `${lines.map((l) => `printf '%s\\n' '${l}'`).join('\n')}\n`);

describe.each(SHELLS)('Ctrl-O in Ctrl-R (%s)', (shell) => {
  it("Ctrl-O shows the run's host, session and source, its events and its output's last line; any key goes back to the list", async () => {
    const { s, env, home } = await start(shell);
    try {
      script(home, 'inspect-me.sh', ['first line', 'src/widget.c:12:5: error: inspector-boom', 'last-line-of-inspected']);
      await s.run('bird run -- sh inspect-me.sh | cat');
      await waitForListed(env, ['sh inspect-me.sh']);
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('^sh inspect-me');
      await s.waitForScreen(resultRow('sh inspect-me.sh'));
      s.press('C-o');
      const screen = (await s.waitForScreen(/^ {2}last-line-of-inspected$/m)).join('\n');
      expect(screen).toMatch(/host \S+ · session \S+ · source local/);
      expect(screen).toMatch(/^ {2}\S*src\/widget\.c:12:5: error: inspector-boom$/m);
      expect(screen).toMatch(/── stdout ──/);
      s.type('q');
      await s.waitForScreen(/\^R filter/);
      // The q went back to the list; it was not typed.
      expect(s.screen().join('\n')).toMatch(/^> \^sh inspect-me$/m);
      s.press('Escape');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');
    } finally {
      s.close();
    }
  });

  it("a teammate's output that would set the clipboard (OSC 52) and the title shows escaped in Ctrl-O, never raw", async () => {
    const { s, env } = await start(shell);
    try {
      await s.run('echo mine');
      const lake = tempDir('search-output-lake');
      const theirs = invocation({ cmd: 'make bobs-build', client_id: 'bob@laptop', hostname: 'laptop', timestamp: at(1), date: '2025-11-26' });
      const text = 'building\n\x1b]52;c;ZWNobyBvd25lZA==\x07\x1b]0;pwned-title\x07 last-bob-line\n';
      writeLake(lake, 'invocations', 'bob@laptop', '2025-11-26', [theirs]);
      writeLake(lake, 'outputs', 'bob@laptop', '2025-11-26', [
        output({ invocation_id: theirs.id, storage_type: 'inline', storage_ref: text, byte_length: Buffer.byteLength(text), content_hash: createHash('sha256').update(text).digest('hex'), date: '2025-11-26' }),
      ]);
      for (const args of [['remote', 'add', 'team', '--type', 'file', '--uri', lake, '--read-only'], ['pull', '--remote', 'team']]) {
        const r = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`bird ${args.join(' ')} failed: ${r.stderr}`);
      }
      await waitForListed(env, ['make bobs-build']);
      const title = () => spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '-t', s.target, '#{pane_title}'], { encoding: 'utf8' }).stdout;
      const buffers = () => spawnSync('tmux', ['-L', SOCKET, 'list-buffers'], { encoding: 'utf8' }).stdout;
      s.press('C-r');
      await s.waitForScreen(UI);
      s.type('bobs-build');
      await s.waitForScreen(resultRow('make bobs-build  @team'));
      s.press('C-o');
      const screen = (await s.waitForScreen(/last-bob-line/)).join('\n');
      expect(screen).toContain('\\x1b]52;c;ZWNobyBvd25lZA==\\x07\\x1b]0;pwned-title\\x07 last-bob-line');
      expect(screen).toMatch(/source team/);
      expect(title()).not.toContain('pwned-title');
      expect(buffers()).not.toContain('echo owned');
      s.press('Escape');
      await s.waitForScreen(/\^R filter/);
      s.press('Escape');
      await s.waitFor(() => !UI.test(s.screen().join('\n')), 'the search to close');
    } finally {
      s.close();
    }
  });
});

describe('stored output and the project store in Ctrl-R (zsh)', () => {
  it('Ctrl-Y finds a command by a word only its output holds, as bird search --output does', async () => {
    const { s, env, home } = await start('zsh');
    try {
      // The word is made when the script runs: neither the command nor the script's text holds it.
      writeFileSync(join(home, 'print-word.sh'), "printf '%s-%s\\n' zanzibar quartz\n");
      script(home, 'other.sh', ['nothing to see']);
      await s.run('bird run -- sh print-word.sh | cat');
      await s.run('bird run -- sh other.sh | cat');
      await waitForListed(env, ['sh print-word.sh', 'sh other.sh']);
      s.press('C-r');
      await s.waitForScreen(UI);
      s.press('C-y');
      await s.waitForScreen(/\[output\] \[everywhere\] \[all sources\] 1\/2 /);
      s.type('ZANZIBAR-quartz');
      const screen = (await s.waitForScreen(/\[output\] \[everywhere\] \[all sources\] 1\/1 /)).join('\n');
      expect(screen).toMatch(resultRow('sh print-word.sh'));
      expect(screen).not.toMatch(resultRow('sh other.sh'));
      s.press('Escape');
      await s.waitFor(() => !/\[output\]/.test(s.screen().join('\n')), 'the search to close');

      const printed = spawnSync(process.execPath, [BIRD_BUNDLE, 'search', '--output', 'zanzibar-quartz'], { env, encoding: 'utf8' });
      expect([printed.status, printed.stdout]).toEqual([0, 'sh print-word.sh\n']);
      const both = spawnSync(process.execPath, [BIRD_BUNDLE, 'search', '--output', 'zanzibar', 'sh'], { env, encoding: 'utf8' });
      expectOneLineError({ code: both.status ?? -1, stdout: both.stdout, stderr: both.stderr }, 2, /^bird: give a QUERY or --output TEXT, not both/);
    } finally {
      s.close();
    }
  });

  it("Ctrl-T offers the project store found from the folder: its commands show under [project]", async () => {
    const { s, env } = await start('zsh');
    const project = tempDir('search-project');
    try {
      const made = spawnSync(process.execPath, [BIRD_BUNDLE, 'init', '--project', project], { env, encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      writeLocal(birdLayout(join(project, '.bird')), 'invocations', [invocation({ cmd: 'make ci-only-target', timestamp: at(1), date: '2025-11-26' })]);
      await s.run(`cd '${project}'`);
      await waitForListed(env, [`cd '${project}'`]);
      s.press('C-r');
      await s.waitForScreen(UI);
      expect(s.screen().join('\n')).not.toMatch(/make ci-only-target/);
      // all sources → local → project
      s.press('C-t');
      await s.waitForScreen(/\[local\]/);
      s.press('C-t');
      const screen = (await s.waitForScreen(/\[project\] 1\/1 /)).join('\n');
      expect(screen).toMatch(resultRow('make ci-only-target  @project'));
      s.press('Escape');
      await s.waitFor(() => !/\[project\]/.test(s.screen().join('\n')), 'the search to close');
    } finally {
      s.close();
    }
  });
});
