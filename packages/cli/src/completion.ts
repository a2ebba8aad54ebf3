// Tab completion: what may come next on a `bird` command line. The words come from the usage
// lines in usage.ts (the same text `bird help` prints), so a flag added there is completed
// without touching the shell scripts in hooks/completions/, which only ask `bird __complete`.

import { HELP, isUsageTopic, USAGE, type UsageTopic } from './usage.ts';

/** A word to offer, with what it does (zsh and fish show it beside the word). */
export interface Candidate {
  readonly word: string;
  readonly description?: string;
}

/** What the shell should offer: these words, or its own file-name completion. */
export type Completion = { readonly kind: 'words'; readonly candidates: readonly Candidate[] } | { readonly kind: 'files' };

/** What a flag's value, or a positional argument, may be. */
type ValueKind =
  | { readonly kind: 'choice'; readonly words: readonly string[] }
  | { readonly kind: 'files' }
  /** A configured remote's name, or one of `also` (`--attach NAME|all`). */
  | { readonly kind: 'remote'; readonly also: readonly string[] }
  | { readonly kind: 'free' };

interface CommandShape {
  /** Every flag of the command and what its value is; null for a flag that takes none. */
  readonly flags: ReadonlyMap<string, ValueKind | null>;
  /** What the first positional argument may be. */
  readonly positional: ValueKind;
}

/** What the completer reads from outside: the remote names in config.toml. */
export interface CompletionSources {
  readonly remoteNames: () => readonly string[];
}

const NONE: ValueKind = { kind: 'free' };

/** A placeholder such as N, URI or YYYY-MM-DD stands for a value the user types. */
const isPlaceholder = (word: string) => /^[A-Z][A-Z0-9_-]*$/.test(word) || word.includes('YYYY') || word.includes('…');

function valueKind(token: string): ValueKind {
  const bare = token.replace(/^["[]+|["\]]+$/g, '');
  if (bare === 'FILE' || bare === 'PATH' || bare === 'D') return { kind: 'files' };
  const alternatives = bare.split('|');
  const words = alternatives.filter((w) => w !== '' && !isPlaceholder(w));
  if (alternatives.includes('NAME')) return { kind: 'remote', also: words };
  return words.length > 0 ? { kind: 'choice', words } : NONE;
}

/**
 * Reads the usage line of `command` (`bird history [TEXT] [-n N] [--reverse] …`) into its flags
 * and first positional. A NAME is a configured remote's, except the new one `remote add` takes.
 */
export function shapeOf(command: UsageTopic): CommandShape {
  // Everything after two spaces is a remark, e.g. "(no query: read from standard input)".
  const tokens = USAGE[command].split('  ')[0]!.split(/\s+/).slice(1 + command.split(' ').length);
  const flags = new Map<string, ValueKind | null>();
  let positional: ValueKind | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\[+/, '');
    if (token.startsWith('-')) {
      const flag = token.replace(/\]+$/, '');
      const next = tokens[i + 1];
      // `[--file FILE]`: the flag's value closes the bracket; `[--reverse]`: no value.
      if (!tokens[i]!.endsWith(']') && next !== undefined && !next.startsWith('-') && !next.startsWith('[')) {
        flags.set(flag, valueKind(next));
        i++;
      } else {
        flags.set(flag, null);
      }
    } else if (token !== '|' && positional === undefined) {
      positional = command === 'remote add' ? NONE : valueKind(token);
    }
  }
  return { flags, positional: positional ?? NONE };
}

/**
 * What each command does, from the help text: `  init [--mode …]     create the store` gives
 * init, `  remote list     the remotes…` gives "remote list", and a description too long for
 * its line sits alone on the next, indented further.
 */
function commandDescriptions(): Map<string, string> {
  const described = new Map<string, string>();
  let last: string | undefined;
  for (const line of HELP.split('\n')) {
    const entry = /^ {2}([a-z]+(?: (?:add|list|remove|test))?)\b(.*)$/.exec(line);
    if (entry) {
      last = entry[1]!;
      const gap = / {2,}(\S.*)$/.exec(entry[2]!);
      if (gap && !described.has(last)) described.set(last, gap[1]!);
    } else if (last !== undefined && /^ {8,}\S/.test(line)) {
      if (!described.has(last)) described.set(last, line.trim());
      last = undefined;
    } else {
      last = undefined;
    }
  }
  described.set('remote', `other machines' stores: ${REMOTE_SUBCOMMANDS.join(', ')}`);
  return described;
}

const COMMAND_WORDS = Object.keys(USAGE).filter((name) => !name.includes(' '));
const REMOTE_SUBCOMMANDS = Object.keys(USAGE)
  .filter((name) => name.startsWith('remote '))
  .map((name) => name.slice('remote '.length));

function offer(words: readonly string[], prefix: string, describe?: (word: string) => string | undefined): Completion {
  const candidates = words.filter((w) => w.startsWith(prefix)).map((word) => ({ word, description: describe?.(word) }));
  return { kind: 'words', candidates };
}

function valueCompletion(kind: ValueKind, prefix: string, sources: CompletionSources): Completion {
  switch (kind.kind) {
    case 'files':
      return { kind: 'files' };
    case 'choice':
      return offer(kind.words, prefix);
    case 'remote':
      return offer([...sources.remoteNames(), ...kind.also], prefix);
    case 'free':
      return { kind: 'words', candidates: [] };
  }
}

/**
 * What completes `words[index]` of `bird words[1] …` (words[0] is `bird` itself; the word under
 * the cursor may be empty). Pure apart from `sources`.
 */
export function complete(words: readonly string[], index: number, sources: CompletionSources): Completion {
  const current = words[index] ?? '';
  const before = words.slice(1, index);
  if (before.length === 0) {
    if (current.startsWith('-')) return offer(['--help', '--version'], current);
    const described = commandDescriptions();
    return offer(COMMAND_WORDS, current, (w) => described.get(w));
  }
  const command = before[0]!;
  if (command === 'help') return before.length === 1 ? offer(COMMAND_WORDS, current) : { kind: 'words', candidates: [] };
  let usageKey = command;
  let rest = before.slice(1);
  if (command === 'remote') {
    if (rest.length === 0) {
      const described = commandDescriptions();
      return offer(REMOTE_SUBCOMMANDS, current, (w) => described.get(`remote ${w}`));
    }
    usageKey = `remote ${rest[0]}`;
    rest = rest.slice(1);
  }
  if (!isUsageTopic(usageKey)) return { kind: 'words', candidates: [] };
  const shape = shapeOf(usageKey);
  const previous = rest.at(-1);
  const previousValue = previous === undefined ? undefined : shape.flags.get(previous);
  if (previousValue) return valueCompletion(previousValue, current, sources);
  if (current.startsWith('-')) {
    const used = new Set(rest);
    return offer([...shape.flags.keys(), '--help'].filter((flag) => !used.has(flag)), current);
  }
  // Only the first positional is known by name; after it, nothing is offered.
  const positionals = rest.filter((word, i) => !word.startsWith('-') && !shape.flags.get(rest[i - 1] ?? ''));
  return positionals.length === 0 ? valueCompletion(shape.positional, current, sources) : { kind: 'words', candidates: [] };
}

/** The lines `bird __complete` prints: `:files`, or one `word<TAB>description` per candidate. */
export function completionLines(completion: Completion): string {
  if (completion.kind === 'files') return ':files\n';
  return completion.candidates.map((c) => (c.description ? `${c.word}\t${c.description}\n` : `${c.word}\n`)).join('');
}
