// The install layout is named once (install-layout.json), and so are the names in BIRD_ROOT the
// hooks use (paths.ts): every other file that needs them reads them from there. Checked by
// reading every file the repository tracks, tests and prose (Markdown) left out: a test may
// spell a path to check it from outside, and the README describes them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INSTALL_LAYOUT, installRootOf } from './install-layout.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// Files deleted in the work tree but not yet from the index are not read.
const TRACKED = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(REPO, f)));

/** The files that may hold a path only as the layout gives it. */
const CONSUMERS = TRACKED.filter(
  (f) =>
    !f.startsWith('test/') &&
    !f.includes('/testing/') &&
    !/\.(test\.ts|md|json|lock)$/.test(f) &&
    !/^hooks\/install\.(zsh|bash|fish)$/.test(f) &&
    f !== 'package-lock.json',
);
const text = (file: string) => readFileSync(join(REPO, file), 'utf8');

describe('the install layout, named once', () => {
  it('is read from install-layout.json by every consumer: no other file spells a bundle path', () => {
    // `dist/bird.cjs`, `'dist', 'bird-sync.cjs'`, `../dist/bird-capture.cjs` …
    const bundle = /dist['"]?\s*[,/]\s*['"]?bird(-capture|-sync)?\.cjs/;
    expect(CONSUMERS.length).toBeGreaterThan(100);
    expect(CONSUMERS.filter((f) => bundle.test(text(f)))).toEqual([]);
    for (const path of [INSTALL_LAYOUT.captureBundle, INSTALL_LAYOUT.cliBundle, INSTALL_LAYOUT.syncBundle]) expect(path).toMatch(bundle);
  });

  it('and the drainer marker and errors.log are named in paths.ts alone', () => {
    const named = /['"](drainer\.pid|errors\.log)['"]/;
    expect(CONSUMERS.filter((f) => named.test(text(f)))).toEqual(['packages/core/src/paths.ts']);
  });

  it('the hooks spell none of it outside their comments: they read it from hooks/install.SHELL', () => {
    const spelled = /drainer\.pid|errors\.log|config\.toml|\bdb\/|dist\/|\/bin\b|completions\//;
    for (const shell of ['zsh', 'bash', 'fish']) {
      const code = text(`hooks/bird.${shell}`)
        .split('\n')
        .map((line, i) => [i + 1, line.replace(/(^|\s)#.*$/, '')] as const)
        .filter(([, line]) => spelled.test(line));
      expect(code, `hooks/bird.${shell}`).toEqual([]);
    }
  });

  it.each([
    ['/opt/bird/packages/cli/dist', INSTALL_LAYOUT.cliBundle, '/opt/bird'],
    ['/opt/bird/packages/capture/bin', INSTALL_LAYOUT.captureBundle, '/opt/bird'],
    ['/a/b/hooks', `${INSTALL_LAYOUT.hooks}/bird.zsh`, '/a/b'],
  ])('installRootOf(%j, %j) is %j', (dir, entry, root) => {
    expect(installRootOf(dir, entry)).toBe(root);
  });
});
