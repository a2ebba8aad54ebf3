import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BirdError, isShellName, usageError, type ShellName } from '@bird/core';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import type { CliContext } from '../context.ts';
import { HOOK_MARKER, judgeHook, nearestShell, readAncestors } from '../doctor/hook-state.ts';
import { installRoot, readShellFile } from '../shell-files.ts';
import { appendedText, findHookLine, sourceLine, startupFile } from '../startup-line.ts';

/**
 * `bird setup [SHELL] [--append]`: the line that loads this bird's hook in every new shell, by
 * its absolute path, for the shell's startup file; with --append, added there (once).
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS.setup, args);
  const shell = operands[0] ?? shellHere(ctx.env);
  const home = ctx.env.HOME;
  if (!home) throw new BirdError(`HOME is not set, so ${shell}'s startup file cannot be found; set HOME, or add \`${sourceLine(shell, hookFile(shell))}\` to it yourself.`);
  readShellFile(shell, 'hook'); // fails in one sentence when this install has lost its hooks
  const file = startupFile(shell, ctx.env, home);
  const shown = file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
  const line = sourceLine(shell, hookFile(shell));
  const existing = readIfThere(file);
  const found = existing === null ? null : findHookLine(shell, existing);
  if (found !== null) {
    ctx.stdout.write(`${shown} loads bird's hook already (line ${found.number}: ${found.text}); nothing to add.\n`);
    return;
  }
  if (values.append !== true) {
    ctx.stdout.write(`To capture in every new ${shell}, add this line to ${shown}:\n  ${line}\n(\`bird setup ${shell} --append\` adds it for you.)\n`);
    return;
  }
  try {
    mkdirSync(dirname(file), { recursive: true }); // fish's ~/.config/fish may not be there yet
    appendFileSync(file, appendedText(existing, line));
  } catch (error) {
    throw new BirdError(`cannot add the line to ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); add \`${line}\` to it yourself.`, { cause: error });
  }
  const here = judgeHook(ctx.env[HOOK_MARKER], readAncestors());
  const already = here.kind === 'hooked' && here.shell === shell ? ', as this one does already' : ' from now on';
  ctx.stdout.write(`Added \`${line}\` to ${shown}: every new ${shell} captures${already}.\n`);
}

function hookFile(shell: ShellName): string {
  return join(installRoot(), 'hooks', `bird.${shell}`);
}

/** The shell `bird setup` was typed in (the nearest one above it), else the login shell ($SHELL). */
function shellHere(env: NodeJS.ProcessEnv): ShellName {
  const ancestors = readAncestors();
  const here = ancestors === null ? null : nearestShell(ancestors);
  if (here !== null) return here;
  const login = basename(env.SHELL ?? '');
  if (isShellName(login)) return login;
  throw usageError(`cannot tell which shell to set up (SHELL=${JSON.stringify(env.SHELL ?? '')}); name it: ${usageOf(COMMAND_SPECS.setup)}`);
}

/** The file's text, or null when it does not exist. */
function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BirdError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check its permissions.`, { cause: error });
  }
}
