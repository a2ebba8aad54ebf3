// Real interactive zsh, bash and fish in a pty, with the hook sourced as a user would: type
// commands at the prompt, then read back what the drainer stored in Parquet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { MARK, REPO, SHELLS, ShellSession, shellEnv, tempDir, waitForRow, waitForCount, readRows, type Shell } from './shell-session.ts';

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture'], { stdio: 'inherit' });
});

const LONG = `echo ${'long-line-'.repeat(600)}end`;
const TEXTS = [
  `printf '%s\\n' 'quoted "double" and \\back\\slash' | tr a-z A-Z | cat`,
  `echo "ünïcödé ✓ 🐦 日本語"`,
  `echo 'tab\\there' "and \\$HOME" '$(not run)'`,
  LONG,
];
/** Typed with a newline inside quotes: the shell asks for the rest with PS2. */
const MULTILINE = `echo 'first line\nsecond line'`;

const INTERRUPTED = 'sleep 30';
const exitLine = (code: number) => `sh -c 'exit ${code}'`;
/** All that the spool folder holds now, every file's bytes as text (bash's scratch file too). */
function spoolText(root: string): string {
  const spool = join(root, 'spool');
  return readdirSync(spool)
    .map((name) => {
      try {
        return readFileSync(join(spool, name), 'latin1');
      } catch {
        return ''; // claimed or removed by the drainer while we looked
      }
    })
    .join('\n');
}

const disable: Record<Shell, [string, string]> = {
  zsh: ['export BIRD_DISABLED=1', 'unset BIRD_DISABLED'],
  bash: ['export BIRD_DISABLED=1', 'unset BIRD_DISABLED'],
  fish: ['set -gx BIRD_DISABLED 1', 'set -e BIRD_DISABLED'],
};

describe.each(SHELLS)('%s', (shell) => {
  it('stores each typed command once, byte-exact, with exit code, duration, cwd and one session', async () => {
    const home = tempDir(`${shell}-home`);
    const root = join(tempDir(`${shell}-root`), 'bird'); // does not exist: the first capture makes it
    const s = await ShellSession.start(shell, shellEnv(home, root));
    try {
      for (const text of TEXTS) await s.run(text);
      await s.run(MULTILINE.replace('\n', '\r'));
      for (const code of [0, 1, 2, 7]) await s.run(exitLine(code));
      // Ctrl-C once sleep really runs (a child of the shell), not while the line is being read.
      await s.interrupt(INTERRUPTED, () => s.hasChild('sleep'));
      await s.run('sleep 0.3');
      await s.run('cd /tmp');
      await s.run('pwd');
      await s.run(' echo space-prefixed-secret');
      // Kept out of BIRD, and not left on disk either (bash reads history through a file there).
      expect(spoolText(root)).not.toContain('space-prefixed-secret');
      await s.run(disable[shell][0]);
      await s.run('echo disabled-secret');
      expect(spoolText(root)).not.toContain('disabled-secret');
      await s.run(disable[shell][1]);
      await s.run('echo sentinel-after');
      await s.run('');
      await s.ctrlCAtPrompt(); // a line abandoned with Ctrl-C is not a command: nothing to store
      await s.run('echo last');

      const rows = await waitForRow(root, (r) => r.cmd === 'echo last', 'the last command');
      const cmds = rows.map((r) => r.cmd);
      const expected = [
        ...TEXTS,
        MULTILINE,
        ...[0, 1, 2, 7].map(exitLine),
        INTERRUPTED,
        'sleep 0.3',
        'cd /tmp',
        'pwd',
        disable[shell][1],
        'echo sentinel-after',
        'echo last',
      ];
      expect(cmds).toEqual(expected);
      const by = (cmd: string) => rows.find((r) => r.cmd === cmd)!;
      for (const code of [0, 1, 2, 7]) expect(by(exitLine(code)).exit_code).toBe(code);
      expect(by(INTERRUPTED).exit_code).toBe(130);
      const slept = by('sleep 0.3').duration_ms!;
      expect(slept).toBeGreaterThanOrEqual(300);
      expect(slept).toBeLessThanOrEqual(1000);
      expect(by('cd /tmp').cwd).toBe(home);
      expect(by('pwd').cwd).toBe('/tmp');
      expect(new Set(rows.map((r) => r.session_id)).size).toBe(1);
      expect(new Set(rows.map((r) => r.shell))).toEqual(new Set([shell]));
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(readFileSync(join(root, 'config.toml'), 'utf8')).toContain('parquet');
      // The spool holds raw text only until it is drained, or (bash) the shell is gone.
      s.hangUp();
      await s.until(() => s.exited, 'the shell to exit');
      for (const deadline = Date.now() + 10_000; spoolText(root).includes('echo last') && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(spoolText(root)).not.toContain('echo last');
    } finally {
      s.close();
    }
  });

  it('keeps the order of commands run back to back, quick ones after instant ones', async () => {
    const home = tempDir(`order-${shell}-home`);
    const root = join(tempDir(`order-${shell}-root`), 'bird');
    const s = await ShellSession.start(shell, shellEnv(home, root));
    try {
      // fish dates a command by its spool file's mtime, kept by the kernel to a clock tick: an
      // instant builtin then a short program can end within one tick.
      const lines = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `echo order-${i}` : `sh -c 'exit 0' order-${i}`));
      for (const line of lines) await s.run(line);
      const rows = await waitForCount(root, lines.length, 30_000).then(() => readRows(root));
      expect(rows.map((r) => r.cmd)).toEqual(lines);
    } finally {
      s.close();
    }
  });

  it('prints nothing of its own into the terminal', async () => {
    const home = tempDir(`${shell}-quiet`);
    const lines = ['echo one', 'false', 'true', exitLine(3), shell === 'fish' ? 'true' : 'set -x', 'echo traced', 'echo again'];
    const transcript = async (hook: boolean) => {
      const s = await ShellSession.start(shell, shellEnv(home, join(tempDir(`${shell}-qroot`), 'bird')), { hook });
      try {
        const first = await s.run(lines[0]!);
        const from = s.output.length - first.length + first.indexOf('one\r\n');
        for (const line of lines.slice(1)) await s.run(line);
        // A drainer started from the hook has had time to print anything it would print.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await s.run('echo end');
        // Up to the last prompt marker: the shell may still be writing the rest of that prompt
        // (e.g. zsh's bracketed-paste switch) when `run` returns, in either transcript.
        const end = s.output.lastIndexOf(MARK) + MARK.length;
        return s.output.slice(from, end);
      } finally {
        s.close();
      }
    };
    const without = await transcript(false);
    const withHook = await transcript(true);
    expect(withHook).toEqual(without);
  });

  it('starts a new drainer for the next command after the last one lingered out and exited', async () => {
    const home = tempDir(`${shell}-relaunch`);
    const root = join(tempDir(`${shell}-relaunchroot`), 'bird');
    const s = await ShellSession.start(shell, shellEnv(home, root, { BIRD_DRAIN_LINGER_MS: '200', BIRD_DRAIN_GRACE_MS: '100' }));
    try {
      await s.run('echo before-linger');
      await waitForRow(root, (r) => r.cmd === 'echo before-linger', 'the first command');
      const drainerPid = () => Number(readFileSync(join(root, 'spool', 'drainer.pid'), 'utf8').split(' ')[0]);
      const first = drainerPid();
      await s.until(() => !existsSync(`/proc/${first}`), 'the first drainer to exit', 30_000);
      await s.run('echo after-linger');
      await waitForRow(root, (r) => r.cmd === 'echo after-linger', 'the command typed after the drainer exited');
    } finally {
      s.close();
    }
  });

  it('records a command whose terminal is closed right after it', async () => {
    const home = tempDir(`${shell}-hup`);
    const root = join(tempDir(`${shell}-huproot`), 'bird');
    const s = await ShellSession.start(shell, shellEnv(home, root));
    // The first command of a fresh root: its drainer is started right here and must survive.
    await s.run(`echo hangup-${shell}`);
    s.close();
    await s.until(() => s.exited, 'the shell to exit on SIGHUP');
    await waitForRow(root, (r) => r.cmd === `echo hangup-${shell}`, 'the command before the hangup');
  });

  it('keeps the shell working when node or the bundle is missing, says why, and loses nothing', async () => {
    const home = tempDir(`${shell}-broken`);
    const root = join(tempDir(`${shell}-brokenroot`), 'bird');
    for (const [extra, why] of [
      [{ BIRD_NODE: '/nonexistent/node' }, 'was not found'],
      [{ BIRD_CAPTURE_BIN: '/nonexistent/bird-capture.cjs' }, 'does not exist'],
    ] as const) {
      const s = await ShellSession.start(shell, shellEnv(home, root, extra));
      try {
        const out = await s.run(`echo still-works-${Object.keys(extra)[0]}`);
        expect(out).toContain(`still-works-${Object.keys(extra)[0]}`);
        await s.run('echo second');
      } finally {
        s.close();
      }
      const log = readFileSync(join(root, 'errors.log'), 'utf8');
      expect(log).toContain(why);
    }
    expect(await readRows(root)).toEqual([]);
    // Once bird-capture can start, the next shell's drainer stores what waited in the spool.
    const s = await ShellSession.start(shell, shellEnv(home, root));
    try {
      await s.run('echo fixed');
    } finally {
      s.close();
    }
    await waitForRow(root, (r) => r.cmd === 'echo fixed', 'the command after the fix');
    await waitForCount(root, 5, 30_000);
    const settled = await readRows(root);
    expect(settled.map((r) => r.cmd).sort()).toEqual(
      ['echo fixed', 'echo second', 'echo second', 'echo still-works-BIRD_CAPTURE_BIN', 'echo still-works-BIRD_NODE'].sort(),
    );
    expect(existsSync(join(root, 'spool'))).toBe(true);
  });
});
