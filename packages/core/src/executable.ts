/**
 * The program a command line runs: the first word after leading `VAR=value` assignments and
 * wrappers like `sudo`/`env`/`time`, without its directory. Null for an empty line.
 */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'time', 'nohup', 'nice', 'exec', 'command', 'builtin', 'noglob']);

/** Wrapper flags whose value is the next word, so `sudo -u postgres psql` runs `psql`, not `postgres`. */
const FLAGS_WITH_VALUE: Readonly<Record<string, ReadonlySet<string>>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '--user', '--group', '--chdir', '--prompt']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']),
  time: new Set(['-f', '-o', '--format', '--output']),
  nice: new Set(['-n', '--adjustment']),
};

export function executableOf(cmd: string): string | null {
  const words = cmd.trim().split(/\s+/);
  let wrapper: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '') continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    if (WRAPPERS.has(word)) {
      wrapper = word;
      continue;
    }
    if (word.startsWith('-')) {
      // a wrapper's own flag, e.g. `sudo -E`, possibly followed by its value
      if (wrapper && FLAGS_WITH_VALUE[wrapper]?.has(word)) i++;
      continue;
    }
    const bare = word.replace(/^['"]|['"]$/g, '');
    return bare.slice(bare.lastIndexOf('/') + 1) || bare;
  }
  return null;
}
