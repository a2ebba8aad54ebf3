import { describe, expect, it } from 'vitest';
import { implies, isSubsequence, narrows, parseQuery, type Query, type SearchMode } from './query-syntax.ts';

/** A query in one line: groups joined by " & ", alternatives by " | ", "!" negated, "(Aa)" case-sensitive. */
function show(query: Query): string {
  return query
    .map((group) => group.map((t) => `${t.negated ? '!' : ''}${t.kind}:${JSON.stringify(t.text)}${t.caseSensitive ? '(Aa)' : ''}`).join(' | '))
    .join(' & ');
}

describe('parseQuery', () => {
  it.each<[SearchMode, string, string]>([
    ['fuzzy', 'git push', 'fuzzy:"git" & fuzzy:"push"'],
    ['fuzzy', '  git   push  ', 'fuzzy:"git" & fuzzy:"push"'],
    ['fuzzy', "'main", 'exact:"main"'],
    ['fuzzy', '^git', 'prefix:"git"'],
    ['fuzzy', 'push$', 'suffix:"push"'],
    ['fuzzy', '^git$', 'equal:"git"'],
    ['fuzzy', "'main$", 'suffix:"main"'],
    ['fuzzy', '!test', '!exact:"test"'],
    ['fuzzy', '!^test', '!prefix:"test"'],
    ['fuzzy', '!test$', '!suffix:"test"'],
    ['fuzzy', "!'test", '!fuzzy:"test"'],
    ['fuzzy', 'a | b', 'fuzzy:"a" | fuzzy:"b"'],
    ['fuzzy', 'a | ^b c', 'fuzzy:"a" | prefix:"b" & fuzzy:"c"'],
    ['fuzzy', 'a | b | c', 'fuzzy:"a" | fuzzy:"b" | fuzzy:"c"'],
    // Still typing: a trailing bar or a lone operator constrains nothing yet.
    ['fuzzy', 'a |', 'fuzzy:"a"'],
    ['fuzzy', 'git !', 'fuzzy:"git"'],
    ['fuzzy', "^ '", ''],
    // A bar with no term before it is a literal, as are "$" and "|" as text.
    ['fuzzy', '| a', 'fuzzy:"|" & fuzzy:"a"'],
    ['fuzzy', '$', 'fuzzy:"$"'],
    ['fuzzy', 'git\\ push', 'fuzzy:"git push"'],
    ['fuzzy', "'git\\ p x", 'exact:"git p" & fuzzy:"x"'],
    ['fuzzy', 'src\\ ', 'fuzzy:"src "'],
    ['fuzzy', 'Git push', 'fuzzy:"Git"(Aa) & fuzzy:"push"'],
    ['fuzzy', '!TEST', '!exact:"TEST"(Aa)'],
    ['fuzzy', '', ''],
    ['prefix', 'git ', 'prefix:"git "'],
    ['prefix', "'main ^git", 'prefix:"\'main ^git"'],
    ['prefix', 'Git', 'prefix:"Git"(Aa)'],
    ['prefix', '', ''],
    ['fulltext', 'git  push', 'exact:"git" & exact:"push"'],
    ['fulltext', "'main !x a|b", 'exact:"\'main" & exact:"!x" & exact:"a|b"'],
    ['fulltext', 'Push origin', 'exact:"Push"(Aa) & exact:"origin"'],
    ['fulltext', '   ', ''],
  ])('%s %j parses as %s', (mode, input, expected) => {
    expect(show(parseQuery(input, mode))).toBe(expected);
  });
});

describe('narrows', () => {
  it.each<[string, string, boolean]>([
    ['git', 'gi', true],
    ['gi', 'git', false],
    ['git p', 'git', true],
    ['git', 'git p', false],
    ['git', 'gt', true],
    ['git', 'git', true],
    ["'git", 'git', true],
    ['git', "'git", false],
    ["'git", "'gi", true],
    ['^git', "'git", true],
    ['^git', '^gi', true],
    ['^gi', '^git', false],
    ['git$', 'git', true],
    ['git$', 'it$', true],
    ['^git$', 'git$', true],
    ['^git$', '^git', true],
    ["'git", '^git', false],
    // Negated terms exclude less as they grow.
    ['!t', '!te', true],
    ['!te', '!t', false],
    ['kubectl get pods !t', 'kubectl get pods', true],
    ['kubectl !te', 'kubectl !t', false],
    ['git', 'git !t', false],
    // An OR adds matches; dropping one removes them.
    ['a | b', 'a |', false],
    ['a', 'a | b', true],
    ['a | b', 'a | b', true],
    // Smart case: a case-sensitive term narrows the insensitive one, not the reverse.
    ['Git', 'git', true],
    ['gitG', 'gitg', true],
    ['git', 'Git', false],
    // Escaped spaces: "git\ p" is one term with a space, not an extension of "git\".
    ['git\\ p', 'git\\', false],
  ])('%j after %j: %s', (next, prev, expected) => {
    expect(narrows(parseQuery(next, 'fuzzy'), parseQuery(prev, 'fuzzy'))).toBe(expected);
  });

  it.each<[SearchMode, string, string, boolean]>([
    ['prefix', 'git p', 'git', true],
    ['prefix', 'git', 'git ', false],
    ['prefix', 'gitk', 'git ', false],
    ['fulltext', 'push orig', 'push', true],
    ['fulltext', 'push', 'push orig', false],
  ])('%s %j after %j: %s', (mode, next, prev, expected) => {
    expect(narrows(parseQuery(next, mode), parseQuery(prev, mode))).toBe(expected);
  });
});

describe('implies', () => {
  it('holds between the modes where one match set contains the other', () => {
    const prefix = parseQuery('git p', 'prefix')[0]![0]!;
    const fuzzy = parseQuery('gtp', 'fuzzy')[0]![0]!;
    expect(implies(prefix, fuzzy)).toBe(true);
    expect(implies(fuzzy, prefix)).toBe(false);
  });
});

describe('isSubsequence', () => {
  it.each<[string, string, boolean]>([
    ['gp', 'git push', true],
    ['pg', 'git push', false],
    ['', 'x', true],
    ['gitt', 'git', false],
    ['ss', 'status', true],
  ])('%j in %j: %s', (needle, hay, expected) => {
    expect(isSubsequence(needle, hay)).toBe(expected);
  });
});
