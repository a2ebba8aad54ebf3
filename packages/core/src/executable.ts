/**
 * The program a command line runs: the first word after leading `VAR=value` assignments and
 * wrappers like `sudo`/`env`/`time`, without its directory. Null for an empty line.
 */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'time', 'nohup', 'nice', 'exec', 'command', 'builtin', 'noglob']);

export function executableOf(cmd: string): string | null {
  const words = cmd.trim().split(/\s+/);
  for (const word of words) {
    if (word === '') continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    if (WRAPPERS.has(word)) continue;
    if (word.startsWith('-')) continue; // a wrapper's own flag, e.g. `sudo -E`
    const bare = word.replace(/^['"]|['"]$/g, '');
    return bare.slice(bare.lastIndexOf('/') + 1) || bare;
  }
  return null;
}
