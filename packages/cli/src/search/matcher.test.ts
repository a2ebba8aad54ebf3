import { describe, expect, it } from 'vitest';
import { Matcher, type SearchMode } from './matcher.ts';

const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

/** Whether `command` matches `query`, asked of a matcher that holds only it. */
function matches(mode: SearchMode, query: string, command: string): boolean {
  return new Matcher([command]).search(query, mode, all(1), 1).total === 1;
}

/** The commands `query` finds, best first, with every candidate in the given order. */
function ranked(commands: string[], query: string, mode: SearchMode = 'fuzzy', order = all(commands.length)): string[] {
  return new Matcher(commands).search(query, mode, order, commands.length).top.map((i) => commands[i]!);
}

describe('Matcher matching', () => {
  it.each<[SearchMode, string, string, boolean]>([
    ['fuzzy', 'gp', 'git push', true],
    ['fuzzy', 'pg', 'git push', false],
    ['fuzzy', 'git push', 'git commit && push', true],
    ['fuzzy', 'push git', 'git push', true],
    ['fuzzy', "'gpu", 'git push', false],
    ["fuzzy", "'t pu", 'git push', true],
    ['fuzzy', '^git', 'git push', true],
    ['fuzzy', '^push', 'git push', false],
    ['fuzzy', 'push$', 'git push', true],
    ['fuzzy', 'git$', 'git push', false],
    ['fuzzy', '^git push$', 'git push', true],
    ['fuzzy', '^git$', 'git push', false],
    ['fuzzy', '^git$', 'git', true],
    ['fuzzy', 'kubectl get pods !test', 'kubectl get pods -n test', false],
    ['fuzzy', 'kubectl get pods !test', 'kubectl get pods -n prod', true],
    // "!word" is exact: "t e s t" spread out is not excluded.
    ['fuzzy', 'pods !test', 'kubectl get pods -n t-e-s-t', true],
    ["fuzzy", "pods !'test", 'kubectl get pods -n t-e-s-t', false],
    ['fuzzy', 'get !^kubectl', 'kubectl get pods', false],
    ['fuzzy', 'get !^kubectl', 'sudo kubectl get pods', true],
    ['fuzzy', 'get !pods$', 'kubectl get pods', false],
    ['fuzzy', 'get !pods$', 'kubectl get pods -A', true],
    ['fuzzy', 'docker | podman run', 'podman run -it alpine', true],
    ['fuzzy', 'docker | podman run', 'docker run -it alpine', true],
    ['fuzzy', 'docker | podman run', 'nerdctl run -it alpine', false],
    ['fuzzy', '^docker | ^podman', 'sudo docker ps', false],
    ['fuzzy', 'git\\ push', 'git push', true],
    ['fuzzy', 'git\\ push', 'git-push', false],
    ['fuzzy', 'git\\ push', 'git  push', true],
    ['fuzzy', "'git\\ push", 'git  push', false],
    // Smart case.
    ['fuzzy', 'readme', 'cat README.md', true],
    ['fuzzy', 'README', 'cat README.md', true],
    ['fuzzy', 'README', 'cat readme.md', false],
    ['fuzzy', 'Readme', 'cat README.md', false],
    ['fuzzy', '!README', 'cat readme.md', true],
    ['fuzzy', '!readme', 'cat README.md', false],
    // One lowercase letter per term is decided by the mask alone.
    ['fuzzy', 'g', 'GIT', true],
    ['fuzzy', 'g p', 'push git', true],
    ['fuzzy', 'x', 'git push', false],
    ['fuzzy', 'k', 'echo \u212a', true],
    ['fuzzy', 'é', 'echo CAFÉ', true],
    // Accents fold when the query has none, as fzf folds them; a query with one tells them apart.
    ['fuzzy', 'naive', 'echo naïve', true],
    ["fuzzy", "'naive", 'echo NAÏVE', true],
    ['fuzzy', 'e', 'CAFÉ', true],
    ['fuzzy', 'cafe', 'CAFÉ', true],
    ['fuzzy', 'naïve', 'echo naive', false],
    ['fuzzy', 'naïve', 'echo NAÏVE', true],
    ['fuzzy', 'NAIVE', 'echo NAÏVE', true],
    ['fuzzy', 'NAIVE', 'echo naïve', false],
    ['fuzzy', 'orsted', 'cd ~/Ørsted/łódź', true],
    ['fuzzy', "'lodz", 'cd ~/Ørsted/łódź', true],
    ['fuzzy', '!naive', 'echo naïve', false],
    ['fuzzy', 'garcon$', 'echo garçon', true],
    ['prefix', 'ecole', 'école ls', true],
    ['prefix', 'ECOLE', 'École ls', false],
    ['fulltext', 'resume pdf', 'open résumé.pdf', true],
    ['prefix', 'git p', 'git push', true],
    ['prefix', 'git p', 'sudo git push', false],
    ['prefix', 'gp', 'git push', false],
    ['prefix', 'git ', 'gitk', false],
    ['prefix', 'GIT', 'git push', false],
    ['prefix', 'git', 'GIT push', true],
    ['prefix', "'main ^git", "'main ^git", true],
    ['fulltext', 'push git', 'git push', true],
    ['fulltext', 'gp', 'git push', false],
    ['fulltext', 'orig push', 'git push origin main', true],
    ['fulltext', '!test', 'echo !test', true],
    ['fulltext', '!test', 'echo test', false],
    ['fulltext', 'Main', 'git push origin main', false],
    ['fulltext', 'main', 'git push origin MAIN', true],
  ])('%s %j against %j: %s', (mode, query, command, expected) => {
    expect(matches(mode, query, command)).toBe(expected);
  });
});

describe('Matcher ranking', () => {
  it.each<[string, string[], string[]]>([
    // Tiers: equal > prefix > word boundary > substring > fuzzy; in a tier, candidate order.
    ['git', ['echo mygit', 'cd ~/src/git', 'git', 'gxixt', 'git status', 'ls mygit'], ['git', 'git status', 'cd ~/src/git', 'echo mygit', 'ls mygit', 'gxixt']],
    ['dock run', ['sudo dxock run', 'sudo xdocker xrun', 'sudo docker run', 'docker run -it x', 'dock run'], ['dock run', 'docker run -it x', 'sudo docker run', 'sudo xdocker xrun', 'sudo dxock run']],
    // Negated terms stay out of the phrase: "kubectl get pods" is still an equal match.
    ['kubectl get pods !test', ['kubectl -n prod get pods', 'kubectl get pods -n test', 'kubectl get pods'], ['kubectl get pods', 'kubectl -n prod get pods']],
    // Every term must occur at a word boundary for the word tier: "mygit" holds it back.
    ['git push', ['echo mygit push', 'echo git push'], ['echo git push', 'echo mygit push']],
    // The phrase is trimmed for equality, and so is the command.
    ['  ls  ', ['ls -la', ' ls '], [' ls ', 'ls -la']],
    ['README', ['cat README', 'README'], ['README', 'cat README']],
    ['cafe', ['echo café', 'café'], ['café', 'echo café']],
  ])('%j ranks %j as %j', (query, commands, expected) => {
    expect(ranked(commands, query)).toEqual(expected);
  });

  it.each<[SearchMode, string, string[], string[]]>([
    ['prefix', 'git', ['git status', 'git', 'gitk'], ['git', 'git status', 'gitk']],
    ['fulltext', 'push', ['echo mypush', 'echo push', 'push', 'push it'], ['push', 'push it', 'echo push', 'echo mypush']],
    ['fulltext', 'push orig', ['git push origin', 'push origin main'], ['push origin main', 'git push origin']],
  ])('%s %j ranks %j as %j', (mode, query, commands, expected) => {
    expect(ranked(commands, query, mode)).toEqual(expected);
  });

  it('keeps the caller order within a tier', () => {
    const commands = ['git a', 'git b', 'my git', 'git c'];
    expect(ranked(commands, 'git', 'fuzzy', Uint32Array.from([3, 2, 1, 0]))).toEqual(['git c', 'git b', 'git a', 'my git']);
    expect(ranked(commands, 'git', 'fuzzy', Uint32Array.from([1, 2, 3]))).toEqual(['git b', 'git c', 'my git']);
  });

  it.each(['', '   ', '!', '^', "'"])('returns the candidates in order for the empty query %j', (query) => {
    const matcher = new Matcher(['a', 'b', 'c', 'd']);
    expect(matcher.search(query, 'fuzzy', Uint32Array.from([2, 0, 3, 1]), 3)).toEqual({ top: [2, 0, 3], total: 4 });
  });

  it.each<[number, number[]]>([
    [0, []],
    [1, [3]],
    [2, [3, 1]],
    [3, [3, 1, 0]],
    [10, [3, 1, 0]],
  ])('with limit %i keeps the best %j and counts every match', (limit, top) => {
    const matcher = new Matcher(['a git', 'git b', 'nothing', 'git']);
    expect(matcher.search('git', 'fuzzy', all(4), limit)).toEqual({ top, total: 3 });
  });
});

/** Seeded so that a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Matcher narrowing cache', () => {
  const commands = ['git push', 'git pull', 'xgit push', 'gist', 'git status', 'docker run', 'GIT log', 'push git'];

  it('gives after "gi" what a fresh search gives for "git"', () => {
    const matcher = new Matcher(commands);
    const candidates = all(commands.length);
    matcher.search('gi', 'fuzzy', candidates, 3);
    expect(matcher.search('git', 'fuzzy', candidates, 3)).toEqual(new Matcher(commands).search('git', 'fuzzy', candidates, 3));
  });

  it.each<[string, SearchMode, string, SearchMode, number[]]>([
    // "gitp" extends "git", but a prefix search's matches are not a fuzzy search's.
    ['git', 'prefix', 'gitp', 'fuzzy', [0, 1, 2]],
    ['git p', 'fuzzy', 'git p', 'prefix', [0, 1]],
    // Shrinking queries, and a negation that excludes less as it grows.
    ['git push', 'fuzzy', 'git pu', 'fuzzy', [0, 1, 2, 7]],
    ['git !s', 'fuzzy', 'git !st', 'fuzzy', [0, 1, 2, 6, 7]],
    ['git |', 'fuzzy', 'git | dock', 'fuzzy', [0, 1, 2, 3, 4, 5, 6, 7]],
  ])('after %j (%s), %j (%s) finds %j', (first, firstMode, second, secondMode, expected) => {
    const matcher = new Matcher(commands);
    const candidates = all(commands.length);
    matcher.search(first, firstMode, candidates, 8);
    expect([...matcher.search(second, secondMode, candidates, 8).top].sort((a, b) => a - b)).toEqual(expected);
  });

  it('starts over when the candidates change', () => {
    const matcher = new Matcher(commands);
    expect(matcher.search('g', 'fuzzy', Uint32Array.from([0, 5]), 8).top).toEqual([0]);
    expect(matcher.search('gi', 'fuzzy', Uint32Array.from([3, 4, 5]), 8).top).toEqual([3, 4]);
  });

  it('gives what a fresh search gives over random typing, deleting and switching modes', () => {
    const random = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const alphabet = ['a', 'b', 'a', 'b', 'A', 'á', 'Á', ' ', ' ', '-', '!', '^', "'", '$', '|', '\\'];
    const pool = Array.from({ length: 200 }, () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(['a', 'b', 'A', 'B', 'á', 'Á', ' ', '-'])).join(''));
    const matcher = new Matcher(pool);
    const subsets = [all(pool.length), all(pool.length).filter((i) => i % 3 !== 0)];
    let query = '';
    let mode: SearchMode = 'fuzzy';
    let candidates = subsets[0]!;
    let checked = 0;
    for (let step = 0; step < 3000; step++) {
      const roll = random();
      if (roll < 0.02) mode = pick(['fuzzy', 'prefix', 'fulltext'] as const);
      else if (roll < 0.04) candidates = pick(subsets);
      else if (roll < 0.4 || query.length >= 6) query = query.slice(0, -1);
      else query += pick(alphabet);
      const limit = pick([0, 1, 5, 1000]);
      const got = matcher.search(query, mode, candidates, limit);
      expect(got, `${mode} ${JSON.stringify(query)} limit ${limit}`).toEqual(new Matcher(pool).search(query, mode, candidates, limit));
      checked += got.total > 0 && got.total < candidates.length ? 1 : 0;
    }
    // The walk must have exercised queries that really filter, or it proves nothing.
    expect(checked).toBeGreaterThan(400);
  });

  it('keeps the best of each tier when the limit cuts the ranking short', () => {
    const random = prng(11);
    const pool = Array.from({ length: 300 }, () => Array.from({ length: 2 + Math.floor(random() * 10) }, () => 'ab c'[Math.floor(random() * 4)]).join(''));
    const matcher = new Matcher(pool);
    for (const query of ['a', 'ab', 'a b', 'ab c', "'ab", '^a', 'b$', 'c !ab']) {
      const full = matcher.search(query, 'fuzzy', all(pool.length), pool.length);
      for (const limit of [1, 3, 10, 50]) {
        expect(new Matcher(pool).search(query, 'fuzzy', all(pool.length), limit).top, `${query} limit ${limit}`).toEqual(full.top.slice(0, limit));
      }
    }
  });
});

describe('Matcher.positions', () => {
  it.each<[SearchMode, string, string, number[]]>([
    ['fuzzy', 'git', 'git push', [0, 1, 2]],
    ['fuzzy', 'gp', 'git push', [0, 4]],
    // The subsequence is tightened: the "g" next to the "p", not the first one.
    ['fuzzy', 'gp', 'git log; git push', [9, 13]],
    // A contiguous occurrence at a word boundary wins over an earlier one inside a word.
    ['fuzzy', 'push', 'xpush push', [6, 7, 8, 9]],
    ['fuzzy', 'push', 'xpush', [1, 2, 3, 4]],
    ['fuzzy', "^git 'main", 'git checkout main', [0, 1, 2, 13, 14, 15, 16]],
    ['fuzzy', 'in$', 'git checkout main', [15, 16]],
    ['fuzzy', 'ls !x', 'ls -la', [0, 1]],
    ['fuzzy', 'docker | podman', 'podman ps', [0, 1, 2, 3, 4, 5]],
    ['fuzzy', 'git\\ p', 'git push', [0, 1, 2, 3, 4]],
    ['fuzzy', 'readme', 'cat README.md', [4, 5, 6, 7, 8, 9]],
    ['fuzzy', 'naive', 'echo NAÏVE', [5, 6, 7, 8, 9]],
    ['fuzzy', 'git', 'docker ps', []],
    ['prefix', 'git p', 'git push', [0, 1, 2, 3, 4]],
    ['fulltext', 'push git', 'git push', [0, 1, 2, 4, 5, 6, 7]],
    ['fulltext', '', 'git push', []],
  ])('%s %j in %j marks %j', (mode, query, command, expected) => {
    expect(new Matcher([command]).positions(query, mode, 0)).toEqual(expected);
  });

  it('marks the same positions in a command whose lowercase is longer', () => {
    // "İ" lowercases to two UTF-16 units; the marks must still fit the original.
    expect(new Matcher(['İ git']).positions('git', 'fuzzy', 0)).toEqual([2, 3, 4]);
  });
});
