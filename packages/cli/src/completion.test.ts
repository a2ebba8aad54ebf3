import { describe, expect, it } from 'vitest';
import { complete, completionLines, type Completion } from './completion.ts';
import { COMMAND_NAMES } from './cli.ts';

const sources = { remoteNames: () => ['team', 'backup'] };
const words = (c: Completion) => (c.kind === 'files' ? ':files' : c.candidates.map((x) => x.word));
/** Completes the last word of `line` (a trailing space means a new, empty word). */
const at = (line: string) => {
  const parts = line.split(' ');
  return words(complete(parts, parts.length - 1, sources));
};

describe('complete', () => {
  it.each([
    ['bird ', [...COMMAND_NAMES]],
    ['bird hi', ['history']],
    ['bird h', ['history', 'hook', 'help']],
    ['bird -', ['--help', '--version']],
    ['bird history --', ['--reverse', '--host', '--source', '--project', '--format', '--help']],
    ['bird history -', ['-n', '--reverse', '--host', '--source', '--project', '--format', '--help']],
    ['bird history --reverse --', ['--host', '--source', '--project', '--format', '--help']],
    ['bird history --format ', ['table', 'csv', 'json']],
    ['bird history --format c', ['csv']],
    ['bird history -n ', []],
    ['bird history ', []],
    ['bird sql --file ', ':files'],
    ['bird import --file ', ':files'],
    ['bird import ', ['zsh', 'bash', 'fish', 'atuin']],
    ['bird import zsh ', []],
    ['bird import --dry-run ', ['zsh', 'bash', 'fish', 'atuin']],
    ['bird hook ', ['zsh', 'bash', 'fish']],
    ['bird completion f', ['fish']],
    ['bird init --mode ', ['parquet', 'duckdb']],
    ['bird init --', ['--mode', '--client-id', '--project', '--help']],
    ['bird init --client-id ', []],
    ['bird doctor --', ['--json', '--help']],
    ['bird doctor ', []],
    ['bird d', ['doctor']],
    ['bird stats --since ', ['24h', '7d', '30d']],
    ['bird stats --dir ', ':files'],
    ['bird stats --host ', []],
    ['bird remote ', ['add', 'list', 'remove', 'test', 'repair']],
    ['bird remote remove ', ['team', 'backup']],
    ['bird remote test b', ['backup']],
    ['bird remote add ', []],
    ['bird remote add team --type ', ['file', 's3']],
    ['bird remote add team --type s3 --', ['--uri', '--endpoint', '--region', '--read-only', '--no-auto-attach', '--help']],
    ['bird push --remote ', ['team', 'backup']],
    ['bird sql --attach ', ['team', 'backup', 'all']],
    ['bird sql --attach b', ['backup']],
    ['bird sql --', ['--file', '--attach', '--format', '--help']],
    ['bird pull --since ', ['7d', '30d']],
    ['bird search --mode ', ['fuzzy', 'prefix', 'fulltext']],
    ['bird help ', [...COMMAND_NAMES]],
    ['bird help sql ', []],
    ['bird nonsense ', []],
    ['bird toString ', []],
    ['bird remote constructor ', []],
  ])('%j → %j', (line, expected) => {
    expect(at(line)).toEqual(expected);
  });

  it('describes commands and remote subcommands as bird help does', () => {
    const top = complete(['bird', ''], 1, sources);
    expect(top.kind === 'words' && top.candidates.find((c) => c.word === 'init')?.description).toBe('create the store (idempotent; never destroys data)');
    expect(top.kind === 'words' && top.candidates.find((c) => c.word === 'push')?.description).toBe("send this machine's new rows to a remote's lake");
    const remote = complete(['bird', 'remote', ''], 2, sources);
    expect(remote.kind === 'words' && remote.candidates.find((c) => c.word === 'remove')?.description).toBe('forget a remote (its data stays where it is)');
  });
});

describe('completionLines', () => {
  it.each([
    [{ kind: 'files' } as const, ':files\n'],
    [{ kind: 'words', candidates: [] } as const, ''],
    [{ kind: 'words', candidates: [{ word: 'init', description: 'create' }, { word: 'csv' }] } as const, 'init\tcreate\ncsv\n'],
  ])('%j', (completion, text) => {
    expect(completionLines(completion)).toBe(text);
  });
});
