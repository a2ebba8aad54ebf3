import { describe, expect, it } from 'vitest';
import { projectLakeEntries } from './project-lake-entries.ts';

const W = '/r/.bird/config.toml';

describe("projectLakeEntries: a lake's name and uri, and nothing else, from a project's config.toml", () => {
  it.each([
    ['no remotes', '[storage]\nmode = "parquet"\n', [], []],
    ['a folder lake', '[[remotes]]\nname = "ci"\nuri = "/srv/lake"\n', [{ name: 'ci', type: 'file', uri: '/srv/lake' }], []],
    ['an s3 lake, its type given', '[[remotes]]\nname = "ci"\ntype = "s3"\nuri = "s3://b/p"\n', [{ name: 'ci', type: 's3', uri: 's3://b/p' }], []],
    ['a type that is not the uri\'s', '[[remotes]]\nname = "ci"\ntype = "file"\nuri = "s3://b/p"\n', [], [`${W}: [[remotes]] entry #1 is not taken: lake ci: type "file" does not match its uri.`]],
    ['credentials', '[[remotes]]\nname = "ci"\nuri = "s3://b/p"\naws_access_key_id = "AKIA"\n', [], [`${W}: [[remotes]] entry #1 is not taken: a project's config.toml may give a lake only a name and a uri, not "aws_access_key_id" (credentials, endpoints and the rest are yours to set).`]],
    ['an endpoint and a mode', '[[remotes]]\nname = "ci"\nuri = "s3://b/p"\nendpoint = "http://x"\nmode = "read_write"\n', [], [`${W}: [[remotes]] entry #1 is not taken: a project's config.toml may give a lake only a name and a uri, not "endpoint", "mode" (credentials, endpoints and the rest are yours to set).`]],
    ['a name that is a path', '[[remotes]]\nname = "../x"\nuri = "/l"\n', [], [`${W}: [[remotes]] entry #1 is not taken: remote name "../x" is not allowed: use a letter followed by up to 62 letters, digits, "_" or "-" (for example "team" or "my-team").`]],
    ['no name', '[[remotes]]\nuri = "/l"\n', [], [`${W}: [[remotes]] entry #1 is not taken: it has no name.`]],
    ['no uri', '[[remotes]]\nname = "ci"\n', [], [`${W}: [[remotes]] entry #1 is not taken: lake ci has no uri.`]],
    ['a bad entry beside a good one', '[[remotes]]\nname = 3\nuri = "/l"\n[[remotes]]\nname = "ok"\nuri = "/l"\n', [{ name: 'ok', type: 'file', uri: '/l' }], [`${W}: [[remotes]] entry #1 is not taken: it has no name.`]],
    ['remotes that are not tables', 'remotes = "x"\n', [], [`${W}: remotes must be written as [[remotes]] tables; no lake is taken from it.`]],
    ['not TOML', '[[remotes]\n', [], [`${W} is not valid TOML; no lake is taken from it.`]],
  ])('%s', (_what, text, entries, problems) => {
    expect(projectLakeEntries(text, W)).toEqual({ entries, problems });
  });
});
