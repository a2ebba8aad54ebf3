// End to end, through the built bundles: `bird remote add|remove` edit config.toml's text (every
// other byte kept, concurrent edits all landing), and a broken [[remotes]] entry is a warning
// for every reader, never a reason local reads or capture fail.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, BIRD_BUNDLE, buildBundles, CAPTURE_BUNDLE, expectOneLineError, REPO, type Run, Sandbox, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();
const SYNC = join(REPO, 'packages/sync-worker/dist/bird-sync.cjs');

const configOf = (s: Sandbox) => readFileSync(join(s.root, 'config.toml'), 'utf8');
const remoteNames = (s: Sandbox) => ((parse(configOf(s)) as { remotes?: { name: string }[] }).remotes ?? []).map((r) => r.name);

/** A config.toml as a user keeps it: comments everywhere, a table bird does not know, [sync] after the remotes. */
const HAND_WRITTEN = `# My BIRD settings -- edited by hand, please keep my notes.
client_id = "me@laptop"   # the name my rows carry

[storage]
mode = "parquet"

# Never record these.
[capture]
ignore = [
  "exit",
  "bird *",   # bird's own commands
]

# The team's lake on the NAS.
[[remotes]]
name = "nas"
type = "s3"
uri = "s3://team-bucket/bird"
region = "eu-west-1" # Frankfurt

[sync]
# push only what we ran
default_remote = "nas"
sync_outputs = false

[my_tool]  # a table bird knows nothing about
answer = 42
`;

describe('bird remote add and remove keep the rest of config.toml byte for byte', () => {
  const s = sandbox();
  const lake = join(s.dir, 'lake');

  beforeAll(() => {
    mkdirSync(lake);
    expect(s.bird(['init']).code).toBe(0);
    writeFileSync(join(s.root, 'config.toml'), HAND_WRITTEN);
  });

  it('add appends one block after a blank line and changes nothing else', () => {
    const run = s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake]);
    expect(run).toEqual({ code: 0, stdout: `Added remote "team" (file, ${lake}) to ${join(s.root, 'config.toml')}.\n`, stderr: '' });
    expect(configOf(s)).toBe(`${HAND_WRITTEN}\n[[remotes]]\nname = "team"\ntype = "file"\nuri = "${lake}"\nmode = "read_write"\nauto_attach = true\n`);
  });

  it('remove of the block just added gives back the file as the user wrote it', () => {
    expect(s.bird(['remote', 'remove', 'team']).code).toBe(0);
    expect(configOf(s)).toBe(HAND_WRITTEN);
  });

  it('remove of the user\'s own remote takes out its block only, comments above it and [sync] staying', () => {
    expect(s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake]).code).toBe(0);
    expect(s.bird(['remote', 'remove', 'nas']).code).toBe(0);
    const block = /\[\[remotes\]\]\nname = "nas"\ntype = "s3"\nuri = "s3:\/\/team-bucket\/bird"\nregion = "eu-west-1" # Frankfurt\n\n/;
    expect(configOf(s)).toBe(`${HAND_WRITTEN.replace(block, '')}\n[[remotes]]\nname = "team"\ntype = "file"\nuri = "${lake}"\nmode = "read_write"\nauto_attach = true\n`);
    expect(configOf(s)).toContain('# The team\'s lake on the NAS.\n[sync]\n# push only what we ran\n');
    expect(remoteNames(s)).toEqual(['team']);
  });

  it('a CRLF file without a newline at its end stays CRLF', () => {
    const crlf = sandbox();
    expect(crlf.bird(['init']).code).toBe(0);
    const text = '# windows editor\r\n[storage]\r\nmode = "parquet"';
    writeFileSync(join(crlf.root, 'config.toml'), text);
    expect(crlf.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake, '--read-only']).code).toBe(0);
    expect(configOf(crlf)).toBe(`${text}\r\n\r\n[[remotes]]\r\nname = "team"\r\ntype = "file"\r\nuri = "${lake}"\r\nmode = "read_only"\r\nauto_attach = true\r\n`);
    expect(crlf.bird(['remote', 'remove', 'team']).code).toBe(0);
    expect(configOf(crlf)).toBe(`${text}\r\n`);
  });

  it('refuses, writing nothing, where remotes are an inline array it cannot edit as text', () => {
    const inline = sandbox();
    expect(inline.bird(['init']).code).toBe(0);
    const text = `remotes = [{ name = "a", type = "file", uri = "${lake}" }]\n`;
    writeFileSync(join(inline.root, 'config.toml'), text);
    expectOneLineError(inline.bird(['remote', 'add', 'b', '--type', 'file', '--uri', lake]), 1, /write each remote as a \[\[remotes\]\] table/);
    expectOneLineError(inline.bird(['remote', 'remove', 'a']), 1, /write each remote as a \[\[remotes\]\] table/);
    expect(configOf(inline)).toBe(text);
  });

  it('a TOML syntax error stops an edit with its line and column, and the file is left alone', () => {
    const broken = sandbox();
    expect(broken.bird(['init']).code).toBe(0);
    const text = '[storage]\nmode = = "parquet"\n';
    writeFileSync(join(broken.root, 'config.toml'), text);
    expectOneLineError(broken.bird(['remote', 'add', 'b', '--type', 'file', '--uri', lake]), 1, /config\.toml is not valid TOML at line 2, column 8/);
    expect(configOf(broken)).toBe(text);
  });
});

/** Runs the built `bird` without waiting, so that several run at once. */
function birdAsync(s: Sandbox, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIRD_BUNDLE, ...args], { env: s.env(), cwd: s.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('bird remote add run many times at once', () => {
  it.each([
    ['on an existing root', true],
    ['on a root that does not exist yet', false],
  ])('8 adds %s all land, and the comments stay', async (_what, init) => {
    const s = sandbox();
    if (init) {
      expect(s.bird(['init']).code).toBe(0);
      writeFileSync(join(s.root, 'config.toml'), HAND_WRITTEN);
    }
    const names = Array.from({ length: 8 }, (_, i) => `lake${i}`);
    for (const name of names) mkdirSync(join(s.dir, name));
    const runs = await Promise.all(names.map((name) => birdAsync(s, ['remote', 'add', name, '--type', 'file', '--uri', join(s.dir, name)])));
    for (const run of runs) expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(remoteNames(s).filter((n) => n !== 'nas').sort()).toEqual(names);
    if (init) expect(configOf(s).startsWith(HAND_WRITTEN)).toBe(true);
    expect(existsSync(join(s.root, 'config.toml.lock'))).toBe(false);
  }, 60_000);

  it('a lock left by a process that died does not block the next edit', () => {
    const s = sandbox();
    expect(s.bird(['init']).code).toBe(0);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(s.root, 'config.toml.lock'), `${dead} - -\n`);
    const lake = join(s.dir, 'lake');
    mkdirSync(lake);
    expect(s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake])).toMatchObject({ code: 0, stderr: '' });
    expect(remoteNames(s)).toEqual(['team']);
  });
});

describe('bird remote add checks a file remote\'s folder', () => {
  const s = sandbox();

  beforeAll(() => expect(s.bird(['init']).code).toBe(0));

  it.each([
    ['a folder whose parent is missing (a share not mounted)', ['mnt', 'nas', 'lake'], [], /does not exist, nor does the folder it would go in \(a share not mounted\?\); create it with `mkdir -p \S+\/mnt\/nas\/lake` \(or mount its share\), then add the remote again\./],
    ['a missing folder, read-only', ['ro-lake'], ['--read-only'], /does not exist, and a read-only remote is only read from, so its folder must be there; create it with `mkdir -p \S+\/ro-lake`/],
    ['a missing .duckdb file', ['team.duckdb'], [], /team\.duckdb does not exist; check the path/],
  ])('refuses %s, exit 1, config unchanged; after the mkdir it suggests, the same add works', (_what, parts, flags, message) => {
    const before = configOf(s);
    const target = join(s.dir, ...parts);
    const run = s.bird(['remote', 'add', 'x', '--type', 'file', '--uri', target, ...flags]);
    expectOneLineError(run, 1, message);
    expect(configOf(s)).toBe(before);
    expect(existsSync(join(s.dir, parts[0]!))).toBe(false);
    if (parts.at(-1)!.endsWith('.duckdb')) return;
    const mkdir = /`(mkdir -p [^`]+)`/.exec(run.stderr)![1]!;
    expect(spawnSync('sh', ['-c', mkdir]).status).toBe(0);
    expect(s.bird(['remote', 'add', 'x', '--type', 'file', '--uri', target, ...flags])).toMatchObject({ code: 0, stderr: '' });
    expect(s.bird(['remote', 'remove', 'x']).code).toBe(0);
  });

  it('refuses a file where a folder should be', () => {
    const file = join(s.dir, 'not-a-folder');
    writeFileSync(file, 'x');
    expectOneLineError(s.bird(['remote', 'add', 'x', '--type', 'file', '--uri', file]), 1, /not-a-folder is not a folder/);
  });

  it('refuses a read-write remote on a folder this user cannot write, and takes it read-only', () => {
    // root may write anywhere a mode allows; /proc/sys refuses even root.
    let folder = '/proc/sys';
    if (process.getuid?.() !== 0) {
      folder = join(s.dir, 'locked');
      mkdirSync(folder);
      chmodSync(folder, 0o555);
    }
    expectOneLineError(s.bird(['remote', 'add', 'x', '--type', 'file', '--uri', folder]), 1, /is not writable by you, and push writes there; fix its permissions \(chmod u\+w \S+\), or add it with --read-only/);
    expect(remoteNames(s)).toEqual([]);
    expect(s.bird(['remote', 'add', 'x', '--type', 'file', '--uri', folder, '--read-only'])).toMatchObject({ code: 0, stderr: '' });
    expect(remoteNames(s)).toEqual(['x']);
  });

  it('makes a missing read-write lake\'s folder inside one that exists', () => {
    const lake = join(s.dir, 'new-lake');
    const run = s.bird(['remote', 'add', 'fresh', '--type', 'file', '--uri', lake]);
    expect(run).toEqual({ code: 0, stdout: `Added remote "fresh" (file, ${lake}) to ${join(s.root, 'config.toml')}.\nCreated the lake's folder ${lake}.\n`, stderr: '' });
    expect(existsSync(lake)).toBe(true);
  });
});

describe('a broken [[remotes]] entry', () => {
  const s = sandbox();
  const WARNING = /^bird(-sync)?: warning: \S+config\.toml: \[\[remotes\]\] entry #1 is ignored: remote bad: type must be "file" or "s3", not "ftp"; fix or remove it\.$/;
  const BROKEN = '# an old experiment\n[[remotes]]\nname = "bad"\ntype = "ftp"\nuri = "/srv/ftp"\n';
  const errorsLog = () => (existsSync(join(s.root, 'errors.log')) ? readFileSync(join(s.root, 'errors.log'), 'utf8') : '');

  /** The stderr of a run that succeeded with the one warning naming the broken entry. */
  const expectWarnedOnce = (run: Run) => {
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(WARNING);
  };

  beforeAll(() => {
    s.capture({ cmd: 'ls', exit: 0, startUs: at(0) });
    writeFileSync(join(s.root, 'config.toml'), `${configOf(s)}\n${BROKEN}`);
  });

  it('does not stop a capture, which stores the command and logs nothing (the remote is no concern of capture)', () => {
    s.capture({ cmd: 'echo after', exit: 0, startUs: at(10) });
    expect(errorsLog()).toBe('');
  });

  it('is one warning in bird history, which lists the local commands', () => {
    const run = s.bird(['history', '--format', 'json']);
    expectWarnedOnce(run);
    expect((JSON.parse(run.stdout) as { cmd: string }[]).map((r) => r.cmd)).toEqual(['echo after', 'ls']);
  });

  it('is one warning in bird sql, which answers from the local store', () => {
    const run = s.bird(['sql', 'SELECT count(*) AS n FROM main.invocations', '--format', 'json']);
    expectWarnedOnce(run);
    expect(JSON.parse(run.stdout)).toEqual([{ n: 2 }]);
  });

  it('is one warning in bird search (no terminal: it prints the matches) and bird stats', () => {
    const search = s.bird(['search', 'after']);
    expectWarnedOnce(search);
    expect(search.stdout).toContain('echo after');
    const stats = s.bird(['stats', '--format', 'json']);
    expectWarnedOnce(stats);
    expect(stats.stdout).toMatch(/"echo"/);
  });

  it('is one warning in bird-sync, which still compacts', () => {
    const run = spawnSync(process.execPath, [SYNC], { env: s.env(), encoding: 'utf8' });
    expectWarnedOnce({ code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr });
  });

  it('does not stop bird remote add, which keeps it as written, nor bird remote remove, which can drop it', () => {
    const lake = join(s.dir, 'lake');
    mkdirSync(lake);
    const before = configOf(s);
    expectOneLineError(s.bird(['remote', 'add', 'bad', '--type', 'file', '--uri', lake]), 2, /already has a \[\[remotes\]\] entry named "bad", left out because it is broken/);
    expect(s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake])).toMatchObject({ code: 0, stderr: '' });
    expect(configOf(s).startsWith(before)).toBe(true);
    expect(s.bird(['remote', 'remove', 'bad'])).toMatchObject({ code: 0, stderr: '' });
    expect(configOf(s)).not.toContain('name = "bad"');
    expect(configOf(s)).toContain('# an old experiment\n');
    expect(s.bird(['history']).stderr).toBe('');
  });
});

describe('a config.toml that is not valid TOML', () => {
  const s = sandbox();
  const errorsLog = () => readFileSync(join(s.root, 'errors.log'), 'utf8');

  beforeAll(() => {
    s.capture({ cmd: 'ls', exit: 0, startUs: at(0) });
    writeFileSync(join(s.root, 'config.toml'), `${configOf(s)}oops = = 1\n`);
  });

  it('stops bird history with the line and column', () => {
    expectOneLineError(s.bird(['history']), 1, /config\.toml is not valid TOML at line \d+, column 8/);
  });

  const capture = (stderr: 'pipe' | number) =>
    spawnSync(
      process.execPath,
      [CAPTURE_BUNDLE, '--cmd', 'echo x', '--exit', '0', '--start-us', String(at(5)), '--end-us', String(at(6)), '--cwd', '/tmp', '--session', 's', '--shell', 'bash'],
      { env: s.env(), encoding: 'utf8', stdio: ['ignore', 'ignore', stderr] },
    );

  it('fails a capture, which says so once in errors.log, also when its stderr goes to errors.log', () => {
    const plain = capture('pipe');
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/^bird-capture: \S+config\.toml is not valid TOML at line \d+, column 8/);
    expect(errorsLog().match(/not valid TOML/g)).toHaveLength(1);
    const fd = openSync(join(s.root, 'errors.log'), 'a');
    try {
      expect(capture(fd).status).toBe(1);
    } finally {
      closeSync(fd);
    }
    expect(errorsLog().match(/not valid TOML/g)).toHaveLength(2);
  });
});
