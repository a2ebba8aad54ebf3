/**
 * The program a command line runs: the first word after leading `VAR=value` assignments and
 * wrappers like `sudo`/`env`/`time`, without its directory. Null for an empty line.
 */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'time', 'nohup', 'nice', 'exec', 'command', 'builtin', 'noglob']);

/**
 * How a tool installed from npm or a clone gets started besides by its name: `npx bird …`,
 * `node path/to/bird.cjs …`. Only `commandAsRun` looks through these: the `executable` column
 * of `npx vitest` stays `npx`, as it has always been stored.
 */
const LAUNCHERS = new Set(['npx', 'node']);

/** Wrapper flags whose value is the next word, so `sudo -u postgres psql` runs `psql`, not `postgres`. */
const FLAGS_WITH_VALUE: Readonly<Record<string, ReadonlySet<string>>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '--user', '--group', '--chdir', '--prompt']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']),
  time: new Set(['-f', '-o', '--format', '--output']),
  nice: new Set(['-n', '--adjustment']),
  npx: new Set(['-p', '--package', '-c', '--call']),
  node: new Set(['-r', '--require', '--import', '--loader', '--env-file']),
};

interface ProgramWord {
  /** The word as typed, quotes and directory included. */
  readonly word: string;
  /** Where the rest of the line (the program's arguments) starts. */
  readonly end: number;
  /** The last wrapper or launcher before it, if any. */
  readonly via: string | undefined;
}

function programWord(line: string, wrappers: ReadonlySet<string>): ProgramWord | null {
  const words = /\S+/g;
  let via: string | undefined;
  for (let match = words.exec(line); match; match = words.exec(line)) {
    const word = match[0];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    if (wrappers.has(word)) {
      via = word;
      continue;
    }
    if (word.startsWith('-')) {
      // a wrapper's own flag, e.g. `sudo -E`, possibly followed by its value
      if (via && FLAGS_WITH_VALUE[via]?.has(word)) words.exec(line);
      continue;
    }
    return { word, end: match.index + word.length, via };
  }
  return null;
}

const baseName = (word: string) => {
  const bare = word.replace(/^['"]|['"]$/g, '');
  return bare.slice(bare.lastIndexOf('/') + 1) || bare;
};

export function executableOf(cmd: string): string | null {
  const found = programWord(cmd, WRAPPERS);
  return found ? baseName(found.word) : null;
}

const ALL_WRAPPERS = new Set([...WRAPPERS, ...LAUNCHERS]);

/**
 * The command line as the program it starts would be named by hand: wrappers, assignments and
 * launchers dropped, and a path to a script (`./bin/bird.cjs`) reduced to the tool's name.
 * `npx bird history`, `time bird history` and `node packages/cli/bin/bird.cjs history` are all
 * `bird history`. Ignore patterns match this as well as the line typed.
 */
export function commandAsRun(cmd: string): string {
  const line = cmd.trim();
  const found = programWord(line, ALL_WRAPPERS);
  if (!found) return line;
  let name = baseName(found.word);
  const script = /\.[cm]?js$/.test(name);
  // `node -e …` and `node server` run no tool by name: only a script file names one.
  if (found.via === 'node' && !script) return line;
  if (script && (found.via === 'node' || found.word.includes('/'))) name = name.replace(/\.[cm]?js$/, '');
  return name + line.slice(found.end);
}
