// `bird run` typed in a real hooked zsh, bash and fish (in tmux): it joins that shell's session,
// which the hook exports, beside the commands the hook itself stores.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIRD_BUNDLE, buildBundles } from '../cli-helpers.ts';
import { SHELLS, shellEnv, tempDir, waitForRow } from './shell-session.ts';
import { TmuxShell } from './tmux-shell.ts';

const SOCKET = `bird-run-test-${process.pid}`;
let sessions = 0;

beforeAll(() => buildBundles());
afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid!()}`, SOCKET), { force: true });
});

describe.each(SHELLS)('%s', (shell) => {
  it('bird run joins the hooked shell’s session, and stores the stream that is not the terminal', async () => {
    const home = tempDir(`run-${shell}-home`);
    const root = join(tempDir(`run-${shell}-root`), 'bird');
    const env = shellEnv(home, root);
    const s = await TmuxShell.start(shell, SOCKET, `s${++sessions}`, env, home);
    try {
      await s.run('echo typed-first');
      await s.run(`node ${BIRD_BUNDLE} run printf from-run > ${home}/out.txt`);
      expect(readFileSync(join(home, 'out.txt'), 'utf8')).toBe('from-run');
      const rows = await waitForRow(root, (r) => r.cmd === 'echo typed-first', 'the typed command');
      const typed = rows.find((r) => r.cmd === 'echo typed-first')!;
      const ran = rows.find((r) => r.cmd === 'printf from-run');
      expect(ran, rows.map((r) => r.cmd).join(', ')).toMatchObject({ session_id: typed.session_id, shell, exit_code: 0 });
      const outputs = spawnSync(process.execPath, [BIRD_BUNDLE, 'sql', 'SELECT stream, storage_ref FROM outputs', '--format', 'json'], { env, encoding: 'utf8' });
      expect(JSON.parse(outputs.stdout)).toEqual([{ stream: 'stdout', storage_ref: 'from-run' }]);
    } finally {
      s.close();
    }
  });
});
