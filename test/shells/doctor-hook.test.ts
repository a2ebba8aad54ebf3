// `bird doctor` typed in a real interactive zsh, bash and fish: hooked when the hook was sourced,
// not hooked when it was not, and not hooked in a shell started inside a hooked one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, SHELLS, ShellSession, shellEnv, tempDir } from './shell-session.ts';

const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'cli', 'capture'], { stdio: 'inherit' });
});

/** Types `bird doctor --json` (preceded by `prefix`) in `s`, and reads the hook part of what it wrote. */
async function doctorHook(s: ShellSession, dir: string, prefix = ''): Promise<Record<string, unknown>> {
  const out = join(dir, `doctor-${Date.now()}.json`);
  await s.run(`${prefix}node ${BIRD} doctor --json > ${out}`);
  return JSON.parse(readFileSync(out, 'utf8')).hook;
}

describe.each(SHELLS)('%s', (shell) => {
  it('bird doctor says this shell is hooked, by its pid; without the hook, that it is not', async () => {
    const dir = tempDir(`doctor-${shell}`);
    const env = shellEnv(join(dir, 'home'), join(dir, 'root'));
    const hooked = await ShellSession.start(shell, env);
    try {
      expect(await doctorHook(hooked, dir)).toEqual({ state: 'hooked', shell, pid: hooked.term.pid, disabled: false });
      // A shell started inside it that does not source the hook: what is typed there is not captured.
      // (`; true` keeps the inner shell alive around bird, as an interactive one would be.)
      const inner = shell === 'fish' ? `fish --no-config -c 'node ${BIRD} doctor --json > ${dir}/nested.json; true'` : `bash --norc --noprofile -c 'node ${BIRD} doctor --json > ${dir}/nested.json; true'`;
      await hooked.run(inner);
      const nested = JSON.parse(readFileSync(join(dir, 'nested.json'), 'utf8')).hook;
      expect(nested).toMatchObject({ state: 'nested', shell, pid: hooked.term.pid, inner: { comm: shell === 'fish' ? 'fish' : 'bash' } });
    } finally {
      hooked.close();
    }
    const plain = await ShellSession.start(shell, env, { hook: false });
    try {
      expect(await doctorHook(plain, dir)).toEqual({ state: 'none', disabled: false });
    } finally {
      plain.close();
    }
  });
});
