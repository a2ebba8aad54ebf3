import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BirdError } from './errors.ts';
import { DEFAULT_IGNORE, DEFAULT_OUTPUT_IGNORE, defaultConfig, loadConfig, parseConfig, renderConfig, saveConfig, type BirdConfig } from './config.ts';
import { birdLayout } from './paths.ts';

/** A user-facing error is one sentence: a single line, ending with a full stop. */
function expectOneSentence(message: string): void {
  expect(message).not.toContain('\n');
  expect(message).toMatch(/\.$/);
  expect(message).not.toMatch(/\bat .+:\d+:\d+\)?$/m); // no stack frames
}

function parseError(text: string): BirdError {
  try {
    parseConfig(text, '/root/config.toml');
  } catch (error) {
    expect(error).toBeInstanceOf(BirdError);
    return error as BirdError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseConfig', () => {
  it('gives the default config for an empty file', () => {
    expect(parseConfig('')).toEqual(defaultConfig());
    expect(defaultConfig().capture.ignore).toEqual(DEFAULT_IGNORE);
  });

  it.each([
    ['mode parquet', '[storage]\nmode = "parquet"\n', { storage: { mode: 'parquet' } }],
    ['mode duckdb', '[storage]\nmode = "duckdb"\n', { storage: { mode: 'duckdb' } }],
    ['own ignore list replaces the default', '[capture]\nignore = ["ls", "cd *"]\n', { capture: { ignore: ['ls', 'cd *'], output_ignore: DEFAULT_OUTPUT_IGNORE, output: false } }],
    ['empty ignore list', '[capture]\nignore = []\n', { capture: { ignore: [], output_ignore: DEFAULT_OUTPUT_IGNORE, output: false } }],
    ['client id', 'client_id = "me@laptop"\n', { client_id: 'me@laptop' }],
  ])('accepts %s', (_name, text, expected) => {
    expect(parseConfig(text)).toMatchObject(expected);
  });

  it('reads remotes with defaults for mode and auto_attach', () => {
    const config = parseConfig(`
[[remotes]]
name = "team"
type = "s3"
uri = "s3://bucket/bird"
endpoint = "http://127.0.0.1:9000"
region = "eu-west-1"

[[remotes]]
name = "my-backup"
type = "file"
uri = "/mnt/backup/bird"
mode = "read_only"
auto_attach = false
`);
    expect(config.remotes).toEqual([
      { name: 'team', type: 's3', uri: 's3://bucket/bird', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', mode: 'read_write', auto_attach: true },
      { name: 'my-backup', type: 'file', uri: '/mnt/backup/bird', mode: 'read_only', auto_attach: false },
    ]);
  });

  it('still loads a remote with a reserved name (capture must not stop; the store skips it with a warning)', () => {
    const config = parseConfig('[[remotes]]\nname = "placeholder"\ntype = "file"\nuri = "/x"\n');
    expect(config.remotes.map((r) => r.name)).toEqual(['placeholder']);
  });

  it.each([
    ['an unterminated string', 'client_id = "x"\n[storage]\nmode = "parquet\n', 3],
    ['a missing value', '[storage]\n\nmode =\n', 3],
    ['a duplicate key', '[storage]\nmode = "parquet"\nmode = "duckdb"\n', 3],
    ['a broken table header', '# bird\n[storage\nmode = "parquet"\n', 2],
    ['binary junk', '\u0000\u0001\u0002', 1],
  ])('rejects corrupt TOML (%s) in one sentence naming the line', (_name, text, line) => {
    const error = parseError(text);
    expectOneSentence(error.message);
    expect(error.message).toContain('/root/config.toml');
    expect(error.message).toMatch(new RegExp(`at line ${line}, column \\d+ \\([^)]+\\)`));
    expect(error.message).toMatch(/bird init/);
  });

  it.each([
    ['an unknown storage mode', '[storage]\nmode = "sqlite"\n', /storage\.mode must be "parquet" or "duckdb", not "sqlite"/],
    ['a numeric storage mode', '[storage]\nmode = 1\n', /storage\.mode must be/],
    ['storage that is not a table', 'storage = "parquet"\n', /\[storage\] must be a table/],
    ['capture that is not a table', 'capture = ["ls"]\n', /\[capture\] must be a table/],
    ['an ignore that is a string', '[capture]\nignore = "ls"\n', /capture\.ignore must be a list of strings/],
    ['an ignore list with a number', '[capture]\nignore = ["ls", 3]\n', /capture\.ignore must be a list of strings/],
    ['an empty client id', 'client_id = ""\n', /client_id "" cannot name a lake series \(it is empty\)/],
    ['a numeric client id', 'client_id = 42\n', /client_id must be a string/],
    ['a client id with a slash', 'client_id = "me/laptop"\n', /client_id "me\/laptop" cannot name a lake series \(it holds "\/"/],
    ['a hidden client id', 'client_id = ".me"\n', /cannot name a lake series \(it starts with "\."\)/],
    ['a client id with a glob character', 'client_id = "me*"\n', /cannot name a lake series/],
    ['a bad compaction.min_files', '[compaction]\nmin_files = 1\n', /compaction.min_files must be a whole number of at least 2, not 1/],
    ['a bad compaction.auto', '[compaction]\nauto = "yes"\n', /compaction.auto must be true or false/],
    ['remotes as a single table', '[remotes]\nname = "team"\n', /remotes must be written as \[\[remotes\]\] tables/],
    ['retention that is not a table', 'retention = 30\n', /\[retention\] must be a table/],
    ['a retention of no days', '[retention]\nmax_age_days = 0\n', /retention\.max_age_days must be a whole number of days, at least 1, not 0/],
    ['a negative retention', '[retention]\nmax_age_days = -7\n', /retention\.max_age_days must be a whole number of days, at least 1, not -7/],
    ['a retention in part days', '[retention]\nmax_age_days = 1.5\n', /retention\.max_age_days must be a whole number of days, at least 1, not 1\.5/],
    ['a retention as text', '[retention]\nmax_age_days = "30d"\n', /retention\.max_age_days must be a whole number of days, at least 1, not "30d"/],
    ['a retention past what a number holds', '[retention]\nmax_age_days = 1e300\n', /retention\.max_age_days must be a whole number of days/],
  ])('rejects %s in one sentence', (_name, text, pattern) => {
    const error = parseError(text);
    expectOneSentence(error.message);
    expect(error.message).toMatch(pattern);
    expect(error.message.startsWith('/root/config.toml')).toBe(true);
  });
});

describe('broken [[remotes]] entries', () => {
  // Capture and local reads do not need remotes: a broken entry is left out and reported, never fatal.
  it.each([
    ['a remote without a name', '[[remotes]]\ntype = "file"\nuri = "/x"\n', /remote #1 needs a name/],
    ['a remote with a bad name', '[[remotes]]\nname = "a;b"\ntype = "file"\nuri = "/x"\n', /remote name "a;b" is not allowed/],
    ['a remote with an unknown type', '[[remotes]]\nname = "t"\ntype = "ftp"\nuri = "/x"\n', /remote t: type must be "file" or "s3", not "ftp"/],
    ['a remote without a uri', '[[remotes]]\nname = "t"\ntype = "file"\n', /remote t needs a uri/],
    ['a remote with an empty uri', '[[remotes]]\nname = "t"\ntype = "file"\nuri = ""\n', /remote t needs a uri/],
    ['a remote with a bad mode', '[[remotes]]\nname = "t"\ntype = "file"\nuri = "/x"\nmode = "rw"\n', /mode must be "read_write" or "read_only"/],
    ['a remote with a numeric region', '[[remotes]]\nname = "t"\ntype = "s3"\nuri = "s3://b"\nregion = 1\n', /remote t: region must be a string/],
    ['a remote with a string auto_attach', '[[remotes]]\nname = "t"\ntype = "file"\nuri = "/x"\nauto_attach = "yes"\n', /auto_attach must be true or false/],
    [
      'two remotes whose schema names clash',
      '[[remotes]]\nname = "my-team"\ntype = "file"\nuri = "/a"\n[[remotes]]\nname = "My_Team"\ntype = "file"\nuri = "/b"\n',
      /clashes with another remote/,
    ],
    ['a remote name that climbs out of the root', '[[remotes]]\nname = "../x"\ntype = "file"\nuri = "/x"\n', /remote name "\.\.\/x" is not allowed/],
    ['a remote name with a quote', '[[remotes]]\nname = "a\'b"\ntype = "file"\nuri = "/x"\n', /remote name "a'b" is not allowed/],
  ])('leaves out %s and says why in one sentence', (_name, text, pattern) => {
    const config = parseConfig(`[capture]\nignore = ["ls"]\n${text}[[remotes]]\nname = "good"\ntype = "file"\nuri = "/g"\n`, '/root/config.toml');
    expect(config.capture.ignore).toEqual(['ls']);
    expect(config.remotes.map((r) => r.name)).toContain('good');
    expect(config.remoteProblems).toHaveLength(1);
    const problem = config.remoteProblems[0]!;
    expectOneSentence(problem);
    expect(problem).toMatch(pattern);
    expect(problem.startsWith('/root/config.toml: [[remotes]] entry #')).toBe(true);
  });

  it('refuses to rewrite a config whose broken entry the rewrite would drop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-config-save-'));
    try {
      const layout = birdLayout(dir);
      const text = '[[remotes]]\nname = "../x"\ntype = "file"\nuri = "/x"\n';
      writeFileSync(layout.config, text);
      const config = loadConfig(layout);
      expect(() => saveConfig(layout, config)).toThrow(/fix or remove that entry first/);
      expect(readFileSync(layout.config, 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the seed\'s example config', () => {
  // storage-backends.md, "Configuration": both blocks, exactly as the seed writes them.
  const SEED = `
[[remotes]]
name = "team"
type = "s3"
uri = "s3://team-bucket/bird/bird.duckdb"
credential_provider = "credential_chain"
auto_attach = true  # Attach on every connection

[[remotes]]
name = "backup"
type = "file"
uri = "/mnt/backup/bird.duckdb"
mode = "read_only"
auto_attach = false  # Only attach on demand

[sync]
default_remote = "team"
sync_invocations = true
sync_outputs = true
sync_events = true
`;
  it('loads as written, every key kept', () => {
    const config = parseConfig(SEED);
    expect(config.remoteProblems).toEqual([]);
    expect(config.remotes).toEqual([
      { name: 'team', type: 's3', uri: 's3://team-bucket/bird/bird.duckdb', mode: 'read_write', auto_attach: true, credential_provider: 'credential_chain' },
      { name: 'backup', type: 'file', uri: '/mnt/backup/bird.duckdb', mode: 'read_only', auto_attach: false },
    ]);
    expect(config.sync).toEqual({ default_remote: 'team', sync_invocations: true, sync_outputs: true, sync_events: true, lake_compaction: true });
  });

  it.each([
    ['bind_keys = "no"', /search\.bind_keys must be true or false/],
    ['bind_up = 1', /search\.bind_up must be true or false/],
    ['height = 2', /search\.height must be a whole number of at least 3, not 2/],
  ])('refuses [search] %s in one sentence', (line, message) => {
    expect(() => parseConfig(`[search]\n${line}\n`)).toThrow(message);
  });

  it('keeps commands for good unless [retention] max_age_days says otherwise, and keeps the key when bird rewrites the file', () => {
    expect(parseConfig('').retention).toEqual({});
    const config = parseConfig('[retention]\nmax_age_days = 30\n');
    expect(config.retention).toEqual({ max_age_days: 30 });
    expect(parseConfig(renderConfig(config)).retention).toEqual({ max_age_days: 30 });
    expect(renderConfig(defaultConfig())).not.toMatch(/retention/);
  });

  it('keeps [search] when bird rewrites the file (a hook reads bind_keys from it)', () => {
    const config = parseConfig('[search]\nbind_keys = false\n');
    expect(config.search).toEqual({ bind_keys: false, bind_up: false, height: 14 });
    expect(renderConfig(config)).toMatch(/^bind_keys = false$/m);
  });

  it.each([
    ['sync_outputs = "yes"', /sync\.sync_outputs must be true or false/],
    ['default_remote = 3', /sync\.default_remote must be the name of a remote/],
    ['lake_compaction = "off"', /sync\.lake_compaction must be true or false/],
  ])('refuses [sync] %s in one sentence', (line, message) => {
    expect(() => parseConfig(`[sync]\n${line}\n`)).toThrow(message);
  });

  it.each([
    ['credential_provider = "static"', /credential_provider must be "credential_chain"/],
    ['force_path_style = 1', /force_path_style must be true or false/],
  ])('leaves out a remote with %s', (line, message) => {
    const config = parseConfig(`[[remotes]]\nname = "t"\ntype = "s3"\nuri = "s3://bucket"\n${line}\n`);
    expect(config.remotes).toEqual([]);
    expect(config.remoteProblems[0]).toMatch(message);
  });
});

describe('renderConfig', () => {
  it('round-trips through parseConfig', () => {
    const config: BirdConfig = {
      client_id: 'alice@box',
      storage: { mode: 'duckdb' },
      capture: { ignore: ['ls', 'echo "quoted" *'], output_ignore: DEFAULT_OUTPUT_IGNORE, output: false },
      remotes: [
        { name: 'team', type: 's3', uri: 's3://b/p', endpoint: 'http://localhost:1', region: 'us-east-1', mode: 'read_only', auto_attach: false, credential_provider: 'credential_chain', force_path_style: false },
        { name: 'disk', type: 'file', uri: '/mnt/x', mode: 'read_write', auto_attach: true },
      ],
      compaction: { min_files: 10, min_age_seconds: 5, target_file_mb: 8, auto: false, auto_interval_minutes: 1 },
      sync: { default_remote: 'team', sync_invocations: true, sync_outputs: false, sync_events: false, lake_compaction: false },
      search: { bind_keys: false, bind_up: true, height: 20 },
      retention: { max_age_days: 90 },
      project: { record: true },
      remoteProblems: [],
    };
    expect(parseConfig(renderConfig(config))).toEqual(config);
    expect(parseConfig(renderConfig(defaultConfig('parquet')))).toEqual(defaultConfig('parquet'));
  });
});

describe('[capture] output_max_bytes', () => {
  it('is absent by default, and kept when set', () => {
    expect(parseConfig('[capture]\nignore = []\n').capture.output_max_bytes).toBeUndefined();
    expect(parseConfig('[capture]\noutput_max_bytes = 4096\n').capture).toEqual({ ignore: DEFAULT_IGNORE, output_max_bytes: 4096, output_ignore: DEFAULT_OUTPUT_IGNORE, output: false });
    expect(parseConfig(renderConfig(parseConfig('[capture]\noutput_max_bytes = 4096\n'))).capture.output_max_bytes).toBe(4096);
  });

  it.each(['"1MiB"', '1.5', '1', '-4'])('refuses %s in one sentence', (value) => {
    expect(() => parseConfig(`[capture]\noutput_max_bytes = ${value}\n`)).toThrow(/capture\.output_max_bytes must be a whole number of at least 2/);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bird-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('treats a missing file as the default config', () => {
    expect(loadConfig(birdLayout(join(dir, 'missing')))).toEqual(defaultConfig());
  });

  it('names the file in a corrupt-config error', () => {
    const layout = birdLayout(join(dir, 'corrupt'));
    rmSync(layout.root, { recursive: true, force: true });
    mkdirSync(layout.root, { recursive: true });
    writeFileSync(layout.config, '[storage]\nmode = = "x"\n');
    expect(() => loadConfig(layout)).toThrow(BirdError);
    expect(() => loadConfig(layout)).toThrow(`${layout.config} is not valid TOML at line 2`);
  });

  it('explains a config that is a folder', () => {
    const layout = birdLayout(join(dir, 'folder'));
    mkdirSync(layout.config, { recursive: true });
    expect(() => loadConfig(layout)).toThrow(/cannot read .*config\.toml/);
  });
});

describe('[capture] output (passive output capture)', () => {
  it('is off unless config.toml turns it on, and a saved config keeps what it says', () => {
    expect(defaultConfig().capture.output).toBe(false);
    expect(parseConfig('[capture]\nignore = []\n').capture.output).toBe(false);
    expect(parseConfig('[capture]\noutput = true\n').capture.output).toBe(true);
    expect(parseConfig(renderConfig(parseConfig('[capture]\noutput = true\n'))).capture.output).toBe(true);
    expect(renderConfig(defaultConfig())).not.toMatch(/output/);
  });

  it.each(['"yes"', '1'])('refuses output = %s', (value) => {
    expect(() => parseConfig(`[capture]\noutput = ${value}\n`)).toThrow(/capture\.output must be true or false/);
  });
});

describe('[capture] output_ignore', () => {
  it('defaults to the commands that print secrets, and a list of its own replaces them (kept by a save)', () => {
    expect(defaultConfig().capture.output_ignore).toEqual(DEFAULT_OUTPUT_IGNORE);
    expect(DEFAULT_OUTPUT_IGNORE).toEqual(expect.arrayContaining(['env', 'printenv', 'cat *.env', 'pass *', 'gpg *', 'op *', 'vault *', 'aws configure *', 'gh auth *']));
    const mine = parseConfig('[capture]\noutput_ignore = ["kubectl get secret *"]\n');
    expect(mine.capture.output_ignore).toEqual(['kubectl get secret *']);
    expect(parseConfig(renderConfig(mine)).capture.output_ignore).toEqual(['kubectl get secret *']);
    expect(renderConfig(defaultConfig())).not.toMatch(/output_ignore/);
  });

  it('refuses a list that is not of strings', () => {
    expect(() => parseConfig('[capture]\noutput_ignore = "env"\n')).toThrow(/capture\.output_ignore must be a list of strings/);
  });
});

describe('[project] record', () => {
  it('is off by default, left out of a rendered default, and kept when on', () => {
    expect(defaultConfig().project).toEqual({ record: false });
    expect(renderConfig(defaultConfig())).not.toMatch(/\[project\]/);
    const on = parseConfig('[project]\nrecord = true\n');
    expect(on.project).toEqual({ record: true });
    expect(parseConfig(renderConfig(on)).project).toEqual({ record: true });
  });

  it.each(['"yes"', '1', '[true]'])('refuses %s in one sentence, as other bad keys are', (value) => {
    expect(() => parseConfig(`[project]\nrecord = ${value}\n`, 'x/config.toml')).toThrow(/^x\/config\.toml: project\.record must be true or false, not .*; fix it and try again\.$/);
  });

  it('refuses a [project] that is not a table', () => {
    expect(() => parseConfig('project = 3\n')).toThrow(/\[project\] must be a table/);
  });
});
