import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { type RemoteConfig } from './config.ts';
import { appendRemoteBlock, checkConfigEdit, countRemoteBlocks, planAddRemote, planRemoveRemote, planStorageMode, removeRemoteBlock } from './config-text.ts';

const lake: RemoteConfig = { name: 'lake', type: 'file', uri: '/srv/lake', mode: 'read_write', auto_attach: true };
const LAKE_BLOCK = '[[remotes]]\nname = "lake"\ntype = "file"\nuri = "/srv/lake"\nmode = "read_write"\nauto_attach = true\n';

const remote = (name: string) => `[[remotes]]\nname = "${name}"\ntype = "file"\nuri = "/srv/${name}"\n`;
const doc = (text: string) => parse(text) as Record<string, unknown>;

describe('appendRemoteBlock', () => {
  it.each([
    ['an empty file', '', LAKE_BLOCK],
    ['a file with one table', '[storage]\nmode = "parquet"\n', `[storage]\nmode = "parquet"\n\n${LAKE_BLOCK}`],
    ['a file without a newline at its end', '[storage]\nmode = "parquet"', `[storage]\nmode = "parquet"\n\n${LAKE_BLOCK}`],
    ['a file ending in a comment', '[storage]\nmode = "parquet" # fast\n# the end', `[storage]\nmode = "parquet" # fast\n# the end\n\n${LAKE_BLOCK}`],
    ['a file ending in a blank line', '[storage]\nmode = "parquet"\n\n', `[storage]\nmode = "parquet"\n\n${LAKE_BLOCK}`],
    ['a CRLF file', '# mine\r\n[storage]\r\nmode = "parquet"\r\n', `# mine\r\n[storage]\r\nmode = "parquet"\r\n\r\n${LAKE_BLOCK.replaceAll('\n', '\r\n')}`],
    ['a file whose [sync] comes after its remotes', `${remote('a')}\n[sync]\nsync_outputs = false\n`, `${remote('a')}\n[sync]\nsync_outputs = false\n\n${LAKE_BLOCK}`],
  ])('to %s', (_what, text, expected) => {
    expect(appendRemoteBlock(text, lake)).toBe(expected);
  });

  it('escapes a uri so that it reads back as given', () => {
    const odd = { ...lake, uri: '/srv/a "quoted"\\ dir\u007f\n' };
    expect((doc(appendRemoteBlock('', odd)).remotes as { uri: string }[])[0]!.uri).toBe(odd.uri);
  });
});

const THREE = `# my remotes\n${remote('a')}\n# b is the team's\n${remote('b')}\n${remote('c')}`;

describe('removeRemoteBlock', () => {
  it.each([
    ['the first of three', THREE, 0, `# my remotes\n# b is the team's\n${remote('b')}\n${remote('c')}`],
    // A comment above a header is kept: it may be about more than that entry (as "# my remotes" is).
    ['the middle one, from its header on', THREE, 1, `# my remotes\n${remote('a')}\n# b is the team's\n${remote('c')}`],
    ['the last, with the blank line before it', THREE, 2, `# my remotes\n${remote('a')}\n# b is the team's\n${remote('b')}`],
    ['the only one, leaving the file as it was before it', `[storage]\nmode = "parquet"\n\n${remote('a')}`, 0, '[storage]\nmode = "parquet"\n'],
    ['one followed by [sync]', `${remote('a')}\n# sync settings\n[sync]\nsync_outputs = false\n`, 0, '# sync settings\n[sync]\nsync_outputs = false\n'],
    ['one before [sync], with no blank line', `${remote('a')}[sync]\nsync_outputs = false\n`, 0, '[sync]\nsync_outputs = false\n'],
    ['one with inline comments and a commented-out key', `${remote('a').replace('\n', ' # first\n')}# mode = "read_only"\n\n${remote('b')}`, 0, remote('b')],
    ['one whose comment a blank line below is about the file', `${remote('a')}\n# keep me\n`, 0, '# keep me\n'],
    ['one with its own sub-table', `${remote('a')}[remotes.extra]\nx = 1\n\n${remote('b')}`, 0, remote('b')],
    ['one in a CRLF file', `x = 1\r\n\r\n${remote('a').replaceAll('\n', '\r\n')}\r\n[sync]\r\n`, 0, 'x = 1\r\n\r\n[sync]\r\n'],
    ['the last, with no newline at the end', `x = 1\n\n${remote('a').trimEnd()}`, 0, 'x = 1\n'],
    ['one holding a multi-line string with lines that look like tables', `${remote('a')}note = """\n[[remotes]]\n# no\n\n"""\n${remote('b')}`, 0, remote('b')],
    ['one holding a multi-line array', `${remote('a')}tags = [\n  [1],\n  # inside\n  [2],\n]\n${remote('b')}`, 0, remote('b')],
    ['one among other arrays of tables', `[[hosts]]\nn = 1\n${remote('a')}[[hosts]]\nn = 2\n`, 0, '[[hosts]]\nn = 1\n[[hosts]]\nn = 2\n'],
    ['one written with a quoted, spaced header', `[[ "remotes" ]] # quoted\nname = "a"\n\n${remote('b')}`, 0, remote('b')],
  ])('%s', (_what, text, index, expected) => {
    expect(removeRemoteBlock(text, index)).toBe(expected);
  });

  it('does not take a literal-string header look-alike for a table', () => {
    const text = `${remote('a')}x = '''\n[[remotes]]\n'''\n`;
    expect(countRemoteBlocks(text)).toBe(1);
  });
});

describe('planAddRemote and planRemoveRemote', () => {
  const text = `# settings\nclient_id = "me@box"\n\n${remote('a')}\n[sync]\n# which remote\ndefault_remote = "a"\n`;

  it('append and remove, leaving every other byte', () => {
    const added = planAddRemote(text, doc(text), lake);
    expect(added.text).toBe(`${text}\n${LAKE_BLOCK}`);
    checkConfigEdit(added.text, doc(text), added.remotes, 'config.toml');
    const removed = planRemoveRemote(added.text, doc(added.text), 'lake')!;
    expect(removed.text).toBe(text);
    checkConfigEdit(removed.text, doc(added.text), removed.remotes, 'config.toml');
  });

  it('removes a broken entry by its name, and finds none of a name no entry has', () => {
    const broken = `${remote('a')}\n[[remotes]]\nname = "bad"\ntype = "ftp"\n`;
    expect(planRemoveRemote(broken, doc(broken), 'bad')!.text).toBe(remote('a'));
    expect(planRemoveRemote(broken, doc(broken), 'BAD')).toBeNull();
  });

  it.each([
    ['add', (t: string) => planAddRemote(t, doc(t), lake)],
    ['remove', (t: string) => planRemoveRemote(t, doc(t), 'a')],
  ])('refuse to %s where remotes are an inline array', (_what, plan) => {
    expect(() => plan('remotes = [{ name = "a", type = "file", uri = "/a" }]\n')).toThrow(/inline `remotes = \[\.\.\.\]` array/);
  });
});

describe('checkConfigEdit', () => {
  const before = doc(`x = 1\n${remote('a')}`);

  it.each([
    ['text that does not parse', 'x = 1\n[[remotes]\n', /would not parse/],
    ['a change to another setting', `x = 2\n${remote('a')}`, /would change more than the one remote/],
    ['remotes other than intended', 'x = 1\n', /would change more than the one remote/],
  ])('refuses %s', (_what, after, message) => {
    expect(() => checkConfigEdit(after, before, before.remotes as unknown[], 'config.toml')).toThrow(message);
  });
});

describe('planStorageMode', () => {
  it.each([
    ['the mode line, its comment kept', '# mine\n[storage]\nmode = "parquet" # the default\n\n[sync]\nsync_outputs = false\n', '# mine\n[storage]\nmode = "duckdb" # the default\n\n[sync]\nsync_outputs = false\n'],
    ['single quotes and odd spacing', "[storage]\n  mode='parquet'\n", '[storage]\n  mode="duckdb"\n'],
    ['a [storage] without mode', '[storage]\n# nothing yet\n[capture]\nignore = []\n', '[storage]\nmode = "duckdb"\n# nothing yet\n[capture]\nignore = []\n'],
    ['no [storage] at all', '# only a comment\n[capture]\nignore = []\n', '# only a comment\n[capture]\nignore = []\n\n[storage]\nmode = "duckdb"\n'],
    ['an empty file', '', '[storage]\nmode = "duckdb"\n'],
    ['a CRLF file', '[storage]\r\nmode = "parquet"\r\n', '[storage]\r\nmode = "duckdb"\r\n'],
    ['a mode key of a remote, left alone', `${remote('a')}mode = "read_only"\n[storage]\nmode = "parquet"\n`, `${remote('a')}mode = "read_only"\n[storage]\nmode = "duckdb"\n`],
  ])('%s', (_what, text, expected) => {
    const edit = planStorageMode(text, doc(text), 'duckdb');
    expect(edit.text).toBe(expected);
    expect(() => checkConfigEdit(edit.text, doc(text), edit.remotes, 'config.toml', 'duckdb')).not.toThrow();
  });

  it('a mode written as a dotted key elsewhere is refused by the check, not written twice', () => {
    const text = 'storage.mode = "parquet"\n';
    const edit = planStorageMode(text, doc(text), 'duckdb');
    expect(() => checkConfigEdit(edit.text, doc(text), edit.remotes, 'config.toml', 'duckdb')).toThrow(/edit it by hand/);
  });
});
