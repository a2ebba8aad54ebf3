// Tab completion: what may come next on a `bird` command line, read from the commands'
// declarations in command-specs.ts (the ones they parse with), so a flag declared there is
// completed without touching the shell scripts in hooks/completions/, which only ask `bird __complete`.
import { usageName, type CommandSpec, type FlagSpec, type ValueSource } from '@bird/core';
import { REMOTE_ABOUT, REMOTE_SUBCOMMANDS, specOf, TOP_COMMANDS } from './command-specs.ts';

/** A word to offer, with what it does (zsh and fish show it beside the word). */
export interface Candidate {
  readonly word: string;
  readonly description?: string;
}

/** What the shell should offer: these words, or its own file-name completion. */
export type Completion = { readonly kind: 'words'; readonly candidates: readonly Candidate[] } | { readonly kind: 'files' };

/** What the completer reads from outside: the remote names in config.toml. */
export interface CompletionSources {
  readonly remoteNames: () => readonly string[];
}

const NOTHING: Completion = { kind: 'words', candidates: [] };

function offer(words: readonly string[], prefix: string, describe?: (word: string) => string | undefined): Completion {
  const candidates = words.filter((w) => w.startsWith(prefix)).map((word) => ({ word, description: describe?.(word) }));
  return { kind: 'words', candidates };
}

/** The words `source` stands for, then `also`; or the shell's file names. */
function valueCompletion(source: ValueSource | undefined, also: readonly string[], prefix: string, sources: CompletionSources): Completion {
  switch (source) {
    case 'files':
      return { kind: 'files' };
    case 'remotes':
      return offer([...sources.remoteNames(), ...also], prefix);
    case 'commands':
      return offer([...TOP_COMMANDS, ...also], prefix);
    case undefined:
      return offer(also, prefix);
  }
}

/** The flag `word` names (`--limit`, `-n`) when it is one of `spec`'s written alone, its value to follow. */
function flagNamed(spec: CommandSpec, word: string): FlagSpec | undefined {
  if (word.startsWith('--')) return spec.flags.find((f) => `--${f.name}` === word);
  return word.length === 2 && word.startsWith('-') ? spec.flags.find((f) => f.short === word[1]) : undefined;
}

const takesValue = (flag: FlagSpec | undefined): flag is Exclude<FlagSpec, { type: 'boolean' }> => flag !== undefined && flag.type !== 'boolean';

/** What completes the word after `rest` (the words after the command's name) for `spec`. */
function completeCommand(spec: CommandSpec, rest: readonly string[], current: string, sources: CompletionSources): Completion {
  const end = rest.indexOf('--');
  const flagged = end === -1 ? rest : rest.slice(0, end);
  const previous = flagNamed(spec, rest.at(-1) ?? '');
  if (end === -1 && takesValue(previous)) {
    if (previous.type === 'enum') return offer(previous.values, current);
    if (previous.type === 'number') return NOTHING;
    return valueCompletion(previous.complete, previous.suggest ?? [], current, sources);
  }
  if (end === -1 && current.startsWith('-')) {
    // Each flag as the usage line names it, once (a repeatable one again), then --help.
    const used = new Set(flagged.map((w) => flagNamed(spec, w)).filter((f) => f !== undefined && !(f.type === 'string' && f.repeatable)));
    const flags = spec.flags.filter((f) => !f.hidden && !used.has(f));
    const help = new Map(flags.map((f) => [usageName(f), f.help]));
    return offer([...help.keys(), '--help'], current, (word) => help.get(word));
  }
  // Only the first operand is known by name; after it, nothing is offered.
  const operands = end === -1 ? rest.filter((word, i) => !word.startsWith('-') && !takesValue(flagNamed(spec, rest[i - 1] ?? ''))) : ['--'];
  const operand = spec.operand;
  if (operands.length > 0 || operand === undefined) return NOTHING;
  return operand.type === 'enum' ? offer(operand.values, current) : valueCompletion(operand.complete, [], current, sources);
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
    return offer(TOP_COMMANDS, current, (w) => (w === 'remote' ? REMOTE_ABOUT : specOf(w)?.about));
  }
  const [command, ...rest] = before as [string, ...string[]];
  if (command !== 'remote') {
    const spec = specOf(command);
    return spec === undefined ? NOTHING : completeCommand(spec, rest, current, sources);
  }
  if (rest.length === 0) return offer(REMOTE_SUBCOMMANDS, current, (w) => specOf(`remote ${w}`)?.about);
  const spec = specOf(`remote ${rest[0]}`);
  return spec === undefined ? NOTHING : completeCommand(spec, rest.slice(1), current, sources);
}

/** The lines `bird __complete` prints: `:files`, or one `word<TAB>description` per candidate. */
export function completionLines(completion: Completion): string {
  if (completion.kind === 'files') return ':files\n';
  return completion.candidates.map((c) => (c.description ? `${c.word}\t${c.description}\n` : `${c.word}\n`)).join('');
}
