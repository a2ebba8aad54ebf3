// Passive output capture ([capture] output = true) in real hooked zsh, bash and fish, in tmux: typed
// commands' outputs are stored exactly, the pane shows what it shows without capture, and a
// recorder that cannot start leaves a plain shell that still records commands.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIRD_BUNDLE, buildBundles } from '../cli-helpers.ts';
import { MARK, REPO, shellEnv, tempDir, waitForRow } from './shell-session.ts';
import { TmuxShell } from './tmux-shell.ts';

const SOCKET = `bird-output-capture-test-${process.pid}`;
let sessions = 0;

beforeAll(() => buildBundles());
afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid!()}`, SOCKET), { force: true });
});

type RecordedShell = 'zsh' | 'bash' | 'fish';

/**
 * The rc file the shell under the recorder reads, and what it holds: the test prompt, an alias,
 * and the hook unless `hookInRc` is false (a user who sources the hook by hand).
 */
function rcFile(shell: RecordedShell, home: string, hookInRc: boolean): { path: string; text: string } {
  const prompt = `'${MARK.slice(0, 1)}''${MARK.slice(1)} '`;
  const source = hookInRc ? `source ${join(REPO, 'hooks', `bird.${shell}`)}` : 'true';
  if (shell === 'fish') {
    mkdirSync(join(home, '.config', 'fish'), { recursive: true });
    return { path: join(home, '.config', 'fish', 'config.fish'), text: `function fish_prompt; printf ${prompt}; end; function fish_greeting; end; set -g fish_autosuggestion_enabled 0; alias hi 'echo hi-from-rc'; ${source}\n` };
  }
  return { path: join(home, shell === 'zsh' ? '.zshrc' : '.bashrc'), text: `PS1=${prompt}; PS2='> '; alias hi='echo hi-from-rc'; ${source}\n` };
}

/** A home whose rc file sets the test prompt and sources the hook (the shell under the recorder reads it), and a root with `output` set. */
function setUp(shell: RecordedShell, output: boolean, hookInRc = true): { home: string; root: string } {
  const home = tempDir(`oc-${shell}-home`);
  const root = join(tempDir(`oc-${shell}-root`), 'bird');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'config.toml'), `[capture]\noutput = ${output}\n`);
  const rc = rcFile(shell, home, hookInRc);
  writeFileSync(rc.path, rc.text);
  return { home, root };
}

const comm = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
function descendants(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

interface StoredOutputRow {
  id: string;
  cmd: string;
  storage_type: string;
  storage_ref: string;
  byte_length: number;
}

function storedOutputs(env: Record<string, string>): StoredOutputRow[] {
  const sql = 'SELECT i.id, i.cmd, o.storage_type, o.storage_ref, o.byte_length FROM outputs o JOIN invocations i ON i.id = o.invocation_id ORDER BY i."timestamp"';
  const result = spawnSync(process.execPath, [BIRD_BUNDLE, 'sql', sql, '--format', 'json'], { env, encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() ? (JSON.parse(result.stdout) as StoredOutputRow[]) : [];
}

async function waitForOutputs(env: Record<string, string>, count: number): Promise<StoredOutputRow[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = storedOutputs(env);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Writes ~50 MB of lines that differ from each other (a line number and xorshift digits), so a
 * head or tail taken from the wrong place cannot match; the last line says it is the last.
 */
function writeBigFile(path: string): string[] {
  const lines: string[] = [];
  let x = 0x9e3779b9;
  for (let i = 0, bytes = 0; bytes < 50 * (1 << 20); i++) {
    let digits = '';
    for (let j = 0; j < 10; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      digits += (x >>> 0).toString(16).padStart(8, '0');
    }
    const line = `${String(i).padStart(8, '0')} ${digits}`;
    lines.push(line);
    bytes += line.length + 1;
  }
  lines.push('last-line-of-big');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return lines;
}

/** The same session typed into a shell: plain output, colours, stderr, a full-screen program, Ctrl-C. */
async function typeSession(s: TmuxShell): Promise<void> {
  await s.run(`printf 'one\\ntwo\\n'`);
  await s.run(`printf '\\033[32mgreen\\033[0m\\n'`);
  await s.run('ls /no-such-dir-for-bird');
  await s.run(`printf '\\033[?1049hdrawn on the alternate screen\\033[?1049l'`);
  s.type('sleep 30');
  s.press('Enter');
  await new Promise((resolve) => setTimeout(resolve, 500));
  s.press('C-c');
  await s.waitForScreen(/sleep 30[\s\S]*@P@\s*$/);
  await s.run('echo after-ctrl-c');
  await s.run('printenv LANG');
}

describe.each<RecordedShell>(['zsh', 'bash', 'fish'])('%s', (shell) => {
  it('stores each typed command’s output exactly, a full-screen program as omitted, and the pane is as without capture', async () => {
    const captured = setUp(shell, true);
    const plain = setUp(shell, false);
    const env = shellEnv(captured.home, captured.root);
    const panes: string[] = [];
    for (const { home, root } of [captured, plain]) {
      const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, shellEnv(home, root), home);
      try {
        await typeSession(s);
        // Blanks at the end of a row are invisible, and fish leaves one or not at the end of the
        // long setup line depending on when it redrew the wrapped line (seen once in CI).
        panes.push(s.history().replace(/[ \t]+$/gm, '').replace(/\s+$/, ''));
      } finally {
        s.close();
      }
    }
    await waitForRow(captured.root, (r) => r.cmd === 'echo after-ctrl-c', 'the last command');
    const rows = await waitForOutputs(env, 6);
    const byCmd = new Map(rows.map((r) => [r.cmd, r]));
    expect(byCmd.get(`printf 'one\\ntwo\\n'`)).toMatchObject({ storage_type: 'inline', storage_ref: 'one\r\ntwo\r\n', byte_length: 10 });
    expect(byCmd.get(`printf '\\033[32mgreen\\033[0m\\n'`)).toMatchObject({ storage_ref: '\x1b[32mgreen\x1b[0m\r\n' });
    expect(byCmd.get('ls /no-such-dir-for-bird')?.storage_ref).toMatch(/^ls: cannot access '\/no-such-dir-for-bird': No such file or directory\r\n$/);
    expect(byCmd.get(`printf '\\033[?1049hdrawn on the alternate screen\\033[?1049l'`)).toMatchObject({ storage_type: 'omitted', storage_ref: 'alternate-screen' });
    expect(byCmd.get('echo after-ctrl-c')).toMatchObject({ storage_ref: 'after-ctrl-c\r\n' });
    // [capture] output_ignore (default: env, printenv, …): the command is stored, its output not.
    await waitForRow(captured.root, (r) => r.cmd === 'printenv LANG', 'printenv LANG');
    expect(byCmd.has('printenv LANG')).toBe(false);
    // What a person saw, scrollback included, is the same with and without the recorder.
    expect(panes[0]).toBe(panes[1]);
  });

  it('`exit 7` typed under the recorder: the terminal’s shell ends with status 7, the outputs before it stored, with what they say', async () => {
    const { home, root } = setUp(shell, true);
    // The status the terminal's own process (the shell tmux started) ended with.
    const statusFile = join(home, 'exit-status');
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, shellEnv(home, root), home, { statusFile });
    try {
      await s.run('echo inside');
      await s.run("echo 'src/app.c:12:5: error: y undeclared'");
      s.type('exit 7');
      s.press('Enter');
      await s.waitFor(() => existsSync(statusFile) && readFileSync(statusFile, 'utf8').endsWith('\n'), 'the shell to exit');
      expect(readFileSync(statusFile, 'utf8')).toBe('7\n');
    } finally {
      s.close();
    }
    await waitForRow(root, (r) => r.cmd === 'echo inside', 'the typed command');
    const outputs = (await waitForOutputs(shellEnv(home, root), 2)).map((r) => [r.cmd, r.storage_ref]);
    expect(outputs).toContainEqual(['echo inside', 'inside\r\n']);
    // `exit` itself never reaches its end mark: what it printed until the terminal closed is its
    // output (bash says "exit"), without script(1)'s closing line.
    const exitOutput = outputs.filter(([cmd]) => cmd === 'exit 7').map(([, text]) => text);
    expect(exitOutput.join('')).toBe(shell === 'bash' ? 'exit\r\n' : '');
    expect(outputs.length - exitOutput.length).toBe(2);
    // What a typed command's output says is parsed as `bird run`'s is: by the drainer, off the prompt's path.
    const events = spawnSync(process.execPath, [BIRD_BUNDLE, 'sql', 'SELECT ref_file, ref_line, ref_column, severity, message FROM main.events', '--format', 'json'], { env: shellEnv(home, root), encoding: 'utf8' });
    expect(JSON.parse(events.stdout)).toEqual([{ ref_file: 'src/app.c', ref_line: 12, ref_column: 5, severity: 'error', message: 'y undeclared' }]);
  });

  it('a nested shell shares the recorder, Ctrl-Z stops a job as without it, and a huge output keeps head and tail with its true size', async () => {
    const { home, root } = setUp(shell, true);
    const env = shellEnv(home, root);
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, env, home);
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' }).stdout.trim();
    try {
      await s.run(shell); // the nested shell reads the same rc file, so sources the hook again
      await s.run('echo from-nested');
      // One recorder in the pane, however deep the shells: the nested one found itself inside.
      const outer = Number(tmux('display-message', '-p', '-t', s.target, '#{pane_pid}'));
      expect(descendants(outer).map(comm).filter((c) => c === 'script')).toEqual(['script']);
      expect(descendants(outer).map(comm).filter((c) => c === shell)).toHaveLength(2);
      await s.run('exit');
      // So long the pane's scrollback drops the earlier prompts: wait for one at the bottom.
      s.type('seq 1 400000');
      s.press('Enter');
      await s.waitForScreen(/@P@\s*$/, 60_000);
      s.type('sleep 30');
      s.press('Enter');
      await new Promise((resolve) => setTimeout(resolve, 500));
      s.press('C-z');
      await s.waitForScreen(/(Stopped|suspended)\s+sleep 30|'sleep 30' has stopped/);
      await s.run(shell === 'fish' ? 'kill -9 (jobs -p)' : 'kill -9 %1');
    } finally {
      s.close();
    }
    const rows = await waitForOutputs(env, 3);
    const byCmd = new Map(rows.map((r) => [r.cmd, r]));
    expect(byCmd.get('sleep 30')?.storage_ref).toMatch(/^\^Z|has stopped/);
    expect(byCmd.get('echo from-nested')).toMatchObject({ storage_ref: 'from-nested\r\n' });
    const huge = byCmd.get('seq 1 400000');
    const printed = Array.from({ length: 400000 }, (_, i) => `${i + 1}\r\n`).join('');
    expect(huge).toMatchObject({ storage_type: 'blob', byte_length: printed.length });
    const shown = spawnSync(process.execPath, [BIRD_BUNDLE, 'output', huge!.id, '--raw'], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
    // [capture] output_max_bytes (1 MiB): its first half and its last half (less what zsh's
    // PROMPT_SP printed after it, which fell in the tail and was cut off).
    const stored = shown.stdout;
    expect(stored.length).toBeGreaterThan((1 << 20) - 200);
    // (fish's own bytes before the command, cut off its head, make the same few bytes of slack.)
    expect(printed.startsWith(stored.slice(0, (1 << 19) - 200)) && printed.endsWith(stored.slice((1 << 19) + 200))).toBe(true);
    expect(shown.stderr).toMatch(new RegExp(`${printed.length} bytes were printed, ${stored.length} stored`));
  });

  it('a 50 MB output: the terminal stays usable, the stored output keeps its exact head and tail, its true size, and the log is given back to the disk', async () => {
    const { home, root } = setUp(shell, true);
    const env = shellEnv(home, root);
    const lines = writeBigFile(join(home, 'big.txt'));
    // What the terminal got: the pty turns each \n into \r\n.
    const printedLength = lines.reduce((n, l) => n + l.length + 2, 0);
    const printed = (from: number, to: number) => Buffer.from(lines.slice(from, to).map((l) => `${l}\r\n`).join(''), 'latin1');
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, env, home);
    try {
      s.type('cat big.txt');
      s.press('Enter');
      await s.waitForScreen(/last-line-of-big[\s\S]*@P@\s*$/, 180_000);
      await s.run('echo after-the-big-one');
      await waitForRow(root, (r) => r.cmd === 'echo after-the-big-one', 'the command after the big output', 120_000);
      await s.run('echo and-one-more');
      await waitForRow(root, (r) => r.cmd === 'echo and-one-more', 'the last command', 120_000);
      const logs = join(root, 'spool', 'output');
      const log = statSync(join(logs, readdirSync(logs).find((n) => n.endsWith('.log'))!));
      // The recorder appends on past the 50 MB; the drainer, once they were stored, punched them out.
      expect(log.size).toBeGreaterThan(printedLength);
      expect(log.blocks * 512).toBeLessThan(4 << 20);
    } finally {
      s.close();
      rmSync(join(home, 'big.txt'), { force: true }); // 50 MB on a shared disk
    }
    const rows = await waitForOutputs(env, 3);
    const byCmd = new Map(rows.map((r) => [r.cmd, r]));
    expect(byCmd.get('echo after-the-big-one')).toMatchObject({ storage_ref: 'after-the-big-one\r\n' });
    const big = byCmd.get('cat big.txt');
    expect(big).toMatchObject({ storage_type: 'blob', byte_length: printedLength });
    const shown = spawnSync(process.execPath, [BIRD_BUNDLE, 'output', big!.id, '--raw'], { env, maxBuffer: 1 << 24 });
    const stored = shown.stdout;
    // [capture] output_max_bytes (1 MiB): the first and the last half of it, less the few bytes
    // a shell prints around a command (zsh's PROMPT_SP, fish's own bytes) that fell in them.
    const half = 1 << 19;
    expect(stored.length).toBeGreaterThan((1 << 20) - 200);
    expect(stored.length).toBeLessThanOrEqual(1 << 20);
    const head = printed(0, 10_000);
    expect(stored.subarray(0, half - 200).equals(head.subarray(0, half - 200))).toBe(true);
    const tail = printed(lines.length - 10_000, lines.length);
    expect(stored.subarray(stored.length - half + 200).equals(tail.subarray(tail.length - half + 200))).toBe(true);
    // The truncation is said: how much was printed, how much kept.
    expect(shown.stderr.toString()).toMatch(new RegExp(`${printedLength} bytes were printed, ${stored.length} stored`));
  }, 300_000);

  it.each([
    ['prints OSC 133 prompt and command marks for the terminal', {}, true],
    ['prints none where the terminal’s own integration does (iTerm2’s here), so none is doubled', { ITERM_SHELL_INTEGRATION_INSTALLED: 'Yes' }, false],
  ])('%s', async (_name, extra: Record<string, string>, expected) => {
    const { home, root } = setUp(shell, true);
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, shellEnv(home, root, extra), home);
    try {
      await s.run('echo marked');
      await s.run('true');
      const logs = join(root, 'spool', 'output');
      const log = readFileSync(join(logs, readdirSync(logs).find((n) => n.endsWith('.log'))!), 'latin1');
      // bird's own marks either way: they are how it cuts outputs.
      expect(log).toMatch(/\x1b\]6973;C;[^\x07]+\x07[\s\S]{0,300}?marked\r\n[^\x07]*\x1b\]6973;D;/);
      expect(/\x1b\]133;C\x07/.test(log) && /\x1b\]133;D;0\x07/.test(log) && /\x1b\]133;A\x07/.test(log)).toBe(expected);
      if (!expected) expect(log).not.toContain('\x1b]133;');
    } finally {
      s.close();
    }
  });

  it('a hook sourced by hand, not from the rc file, is loaded in the shell under the recorder too, after the rc file', async () => {
    // TmuxShell sources the hook by typing it; the shell the recorder starts reads only its rc file.
    const { home, root } = setUp(shell, true, false);
    const env = shellEnv(home, root);
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, env, home);
    try {
      await s.run('hi');
      await s.run('echo typed-under-the-recorder');
      // bird doctor, typed in the recorded shell, says so.
      await s.run('bird doctor | grep output:');
      expect(s.history()).toMatch(new RegExp(`ok +output: this ${shell}'s output is recorded \\(its log: `));
    } finally {
      s.close();
    }
    const rows = await waitForOutputs(env, 2);
    const byCmd = new Map(rows.map((r) => [r.cmd, r]));
    expect(byCmd.get('hi')).toMatchObject({ storage_ref: 'hi-from-rc\r\n' });
    expect(byCmd.get('echo typed-under-the-recorder')).toMatchObject({ storage_ref: 'typed-under-the-recorder\r\n' });
    expect(readFileSync(join(root, 'errors.log'), { encoding: 'utf8', flag: 'a+' })).toBe('');
  });

  it('the recorder killed with SIGKILL: the terminal keeps a working shell that records commands', async () => {
    const { home, root } = setUp(shell, true);
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, shellEnv(home, root), home);
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' }).stdout.trim();
    try {
      await s.run('echo under-the-recorder');
      const outer = Number(tmux('display-message', '-p', '-t', s.target, '#{pane_pid}'));
      const recorder = readFileSync(`/proc/${outer}/task/${outer}/children`, 'utf8').trim().split(/\s+/).map(Number).find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'script');
      expect(recorder).toBeDefined();
      process.kill(recorder!, 'SIGKILL');
      await s.waitFor(() => readFileSync(join(root, 'errors.log'), { encoding: 'utf8', flag: 'a+' }).includes('ended without its shell'), 'the line in errors.log');
      await s.run('echo after-the-kill');
      expect(tmux('display-message', '-p', '-t', s.target, '#{pane_dead}')).toBe('0');
    } finally {
      s.close();
    }
    await waitForRow(root, (r) => r.cmd === 'echo after-the-kill', 'the command typed after the kill');
  });

  it('falls back to the plain shell when script(1) is not on PATH: commands still recorded, one line in errors.log', async () => {
    const { home, root } = setUp(shell, true);
    // PATH as the machine's, every program linked in but script.
    const bin = join(home, 'bin');
    mkdirSync(bin);
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        if (name === 'script' || existsSync(join(bin, name))) continue;
        symlinkSync(join(dir, name), join(bin, name));
      }
    }
    const env = shellEnv(home, root, { PATH: bin });
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, env, home);
    try {
      await s.run('echo still-works');
      expect(s.history()).toContain('still-works');
    } finally {
      s.close();
    }
    await waitForRow(root, (r) => r.cmd === 'echo still-works', 'the typed command');
    expect(storedOutputs(env)).toEqual([]);
    expect(readFileSync(join(root, 'errors.log'), 'utf8')).toMatch(/output capture is off in \w+ \d+: script\(1\) was not found on PATH/);
  });
});

describe('zsh with its startup files in a ZDOTDIR of its own', () => {
  it('the shell under the recorder reads them there, and hands ZDOTDIR back', async () => {
    const { home, root } = setUp('zsh', true, false);
    const dot = join(home, 'dot');
    mkdirSync(dot);
    // Where ~/.zshenv points ZDOTDIR, as many set-ups do; the rc file written by setUp is then not read.
    writeFileSync(join(home, '.zshenv'), `ZDOTDIR=${dot}\n`);
    writeFileSync(join(dot, '.zshrc'), `PS1='${MARK.slice(0, 1)}''${MARK.slice(1)} '; alias hi='echo hi-from-zdotdir'\n`);
    const env = shellEnv(home, root);
    const s = await TmuxShell.start('zsh', SOCKET, `s${++sessions}`, env, home);
    try {
      await s.run('hi');
      await s.run('echo "zdotdir=$ZDOTDIR hook=${BIRD_REC_HOOK-unset}"');
    } finally {
      s.close();
    }
    const rows = await waitForOutputs(env, 2);
    const byCmd = new Map(rows.map((r) => [r.cmd, r]));
    expect(byCmd.get('hi')).toMatchObject({ storage_ref: 'hi-from-zdotdir\r\n' });
    expect(byCmd.get('echo "zdotdir=$ZDOTDIR hook=${BIRD_REC_HOOK-unset}"')).toMatchObject({ storage_ref: `zdotdir=${dot} hook=unset\r\n` });
  });
});
