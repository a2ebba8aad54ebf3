import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { BirdError, ensureRoot, usageError } from '@bird/core';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS, type IMPORT_FORMATS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { escapeForTerminal } from '../format/text-width.ts';
import { layoutOf } from '../layout.ts';

type Format = (typeof IMPORT_FORMATS)[number];

/**
 * `bird import [zsh|bash|fish|atuin] [--file PATH] [--dry-run]`: brings an existing history in,
 * once (a second run adds only what is new), through the same privacy rules as capture. With no
 * format named, the file's content tells it (plain text: $SHELL's); a named one the content
 * clearly contradicts is refused.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS.import, args);
  const named = operands[0] ?? null;
  const file = values.file !== undefined ? resolve(ctx.cwd, values.file) : defaultFile(named ?? formatOfShell(ctx.env), ctx.env);
  const dryRun = values['dry-run'] === true;
  const [{ openHistoryFile, closeHistory, detectHistoryFormatOfFile, chooseImportFormat, importHistory }, { initStore }, { progressBar }] = await Promise.all([
    import('@bird/import'),
    import('@bird/store'),
    import('@bird/sync-worker'),
  ]);
  // Read first: a file that cannot be read, or is another shell's, leaves no store behind.
  const fd = openHistoryFile(file);
  let detected;
  try {
    detected = detectHistoryFormatOfFile(fd);
  } finally {
    closeHistory(fd);
  }
  // The content decides, not $SHELL: ~/.zsh_history given under SHELL=/bin/bash is zsh's.
  const format = chooseImportFormat(named, detected, file, () => formatOfShell(ctx.env));
  const layout = layoutOf(ctx);
  const config = ensureRoot(layout);
  if (!existsSync(layout.catalog)) await initStore(layout);
  const progress = ctx.stderr.isTTY ? progressBar(ctx.stderr, Date.now, 'importing [{bar}] {value}/{total} files') : null;
  let summary;
  try {
    summary = await importHistory(layout, config, format, file, { dryRun, env: ctx.env, onProgress: (done: number, total: number) => progress?.update(done, total) });
  } finally {
    progress?.stop();
  }
  if (summary.read === 0 && summary.unreadable > 0) {
    throw new BirdError(`${file} holds no ${format} history that bird can read (${unreadableWhere(summary.unreadableLines)}); check that it is a ${format} history file.`);
  }
  if (summary.unreadable > 0) {
    warn(ctx, `${file}: ${summary.unreadable} ${summary.unreadable === 1 ? 'entry' : 'entries'} could not be read (${unreadableWhere(summary.unreadableLines)}) and were skipped; the rest were read.`);
  }
  const verb = dryRun ? 'would import' : 'imported';
  if (summary.warning) warn(ctx, summary.warning);
  const forgottenToo = summary.forgotten > 0 ? `, ${summary.forgotten} forgotten here (bird forget)` : '';
  ctx.stdout.write(`${escapeForTerminal(basename(file))}: read ${summary.read}, ${verb} ${summary.imported}, skipped ${summary.duplicates} already stored${forgottenToo} and ${summary.private} kept out by the privacy rules.\n`);
}

function unreadableWhere(lines: readonly number[]): string {
  if (lines.length === 0) return 'damaged data';
  return lines.length === 1 ? `line ${lines[0]}` : `first at line ${lines[0]}`;
}

/** `bird import` alone: the user's login shell, from $SHELL. */
function formatOfShell(env: NodeJS.ProcessEnv): Format {
  const shell = basename(env.SHELL ?? '');
  if (shell === 'zsh' || shell === 'bash' || shell === 'fish') return shell;
  throw usageError(`cannot tell which history to import from SHELL=${JSON.stringify(env.SHELL ?? '')}; name it: ${usageOf(COMMAND_SPECS.import)}`);
}

/** Where each shell (and atuin) keeps its history unless told otherwise. */
function defaultFile(format: Format, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  const data = env.XDG_DATA_HOME || join(home, '.local', 'share');
  switch (format) {
    case 'zsh':
      return env.HISTFILE || join(home, '.zsh_history');
    case 'bash':
      return env.HISTFILE || join(home, '.bash_history');
    case 'fish':
      return join(data, 'fish', 'fish_history');
    case 'atuin':
      return join(data, 'atuin', 'history.db');
  }
}
