// A store copied or moved elsewhere (BIRD_ROOT pointing there) reads its own files, not the old
// place's: the catalog's views hold absolute paths, so bird notices the move and remakes them.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, buildBundles, sandboxFactory, type Sandbox } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();

const cmds = (s: Sandbox) => JSON.parse(s.bird(['sql', 'SELECT cmd FROM main.invocations ORDER BY timestamp', '--format', 'json']).stdout).map((r: { cmd: string }) => r.cmd);
const historyCmds = (s: Sandbox) => JSON.parse(s.bird(['history', '--reverse', '--format', 'json']).stdout).map((r: { cmd: string }) => r.cmd);

describe.each(['parquet', 'duckdb'] as const)('a %s-mode store copied with cp -a', (mode) => {
  it('reads its own rows where it is now, while the original keeps reading its own', () => {
    const s = sandbox();
    const original = s.root;
    expect(s.bird(['init', '--mode', mode]).code).toBe(0);
    s.capture({ cmd: 'make build', exit: 0, startUs: at(0) });
    expect(cmds(s)).toEqual(['make build']);

    const copy = join(s.dir, 'elsewhere', 'bird');
    execFileSync('mkdir', ['-p', join(s.dir, 'elsewhere')]);
    execFileSync('cp', ['-a', original, copy]);
    s.root = copy;
    s.capture({ cmd: 'only in the copy', exit: 0, startUs: at(60) });
    expect(cmds(s)).toEqual(['make build', 'only in the copy']);
    expect(historyCmds(s)).toEqual(['make build', 'only in the copy']);

    s.root = original;
    s.capture({ cmd: 'only in the original', exit: 0, startUs: at(120) });
    expect(cmds(s)).toEqual(['make build', 'only in the original']);
    s.root = copy;
    expect(cmds(s)).toEqual(['make build', 'only in the copy']);
  });

  it('moved away, with the old place gone: bird init says what it changed, then that nothing was', () => {
    const s = sandbox();
    const original = s.root;
    expect(s.bird(['init', '--mode', mode]).code).toBe(0);
    s.capture({ cmd: 'git status', exit: 0, startUs: at(0) });
    expect(cmds(s)).toEqual(['git status']);
    const moved = join(s.dir, 'moved');
    renameSync(original, moved);
    s.root = moved;
    const init = s.bird(['init']);
    expect(init).toEqual({
      code: 0,
      stdout: `The BIRD store at ${moved} is ready (${mode} mode); bird remade its views, made for ${original}, to read the files in ${moved}.\n`,
      stderr: '',
    });
    expect(s.bird(['init']).stdout).toBe(`The BIRD store at ${moved} is ready (${mode} mode); nothing was changed.\n`);
    expect(cmds(s)).toEqual(['git status']);
    // bird-sync compact works on the moved store's files too.
    for (let n = 1; n <= 3; n++) s.capture({ cmd: `echo ${n}`, exit: 0, startUs: at(n) });
    expect(s.bird(['compact']).code).toBe(0);
    expect(cmds(s)).toEqual(['git status', 'echo 1', 'echo 2', 'echo 3']);
  });
});

describe('bird init --mode duckdb on a root that has only a config.toml', () => {
  it('sets the mode and the client id it lacked, and keeps every other byte of the file', () => {
    const s = sandbox();
    execFileSync('mkdir', ['-p', s.root]);
    const comment = '# my settings, written before bird init\n';
    const rest = '[sync]\nsync_outputs = false # not yet\n\n[capture]\n# keep bird out\nignore = ["bird *"]\n';
    writeFileSync(join(s.root, 'config.toml'), comment + rest);
    expect(s.bird(['init', '--mode', 'duckdb']).stdout).toBe(
      `Created a BIRD store in duckdb mode at ${s.root}.\nclient id: tester@box, now in ${s.root}/config.toml, so that shells and cron agree.\n`,
    );
    expect(readFileSync(join(s.root, 'config.toml'), 'utf8')).toBe(`${comment}client_id = "tester@box"\n${rest}\n[storage]\nmode = "duckdb"\n`);
    s.capture({ cmd: 'echo stored', exit: 0, startUs: at(0) });
    expect(cmds(s)).toEqual(['echo stored']);
  });
});
