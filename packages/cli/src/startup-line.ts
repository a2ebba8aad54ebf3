// `bird setup`: the line that loads bird's hook from a shell's startup file, by its absolute
// path (a relative `source hooks/bird.zsh` works only inside the clone), and whether the file
// loads a hook already. Pure: the command does the reading and writing.
import { join } from 'node:path';
import type { ShellName } from '@bird/core';
import { fishQuote, posixQuote } from './shell-quote.ts';

/** The file each shell reads when an interactive session starts, as the README names them. */
export function startupFile(shell: ShellName, env: NodeJS.ProcessEnv, home: string): string {
  if (shell === 'zsh') return join(env.ZDOTDIR || home, '.zshrc');
  if (shell === 'bash') return join(home, '.bashrc');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'fish', 'config.fish');
}

/**
 * `source /abs/hooks/bird.zsh`, the path quoted only when it must be.
 *
 * @example
 * sourceLine('fish', "/home/ana/my bird/hooks/bird.fish") // "source '/home/ana/my bird/hooks/bird.fish'"
 */
export function sourceLine(shell: ShellName, hookFile: string): string {
  if (/^[A-Za-z0-9@%+=:,./_-]+$/.test(hookFile)) return `source ${hookFile}`;
  return `source ${shell === 'fish' ? fishQuote(hookFile) : posixQuote(hookFile)}`;
}

/**
 * The first line of a startup file that loads bird's hook for `shell`, by any path (`source
 * …/hooks/bird.zsh`) or through `bird hook zsh`, and is not commented out; null when none does.
 */
export function findHookLine(shell: ShellName, text: string): { readonly number: number; readonly text: string } | null {
  const lines = text.split('\n');
  const loads = new RegExp(`hooks/bird\\.${shell}\\b|\\bbird hook ${shell}\\b`);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line.startsWith('#') && loads.test(line)) return { number: i + 1, text: line };
  }
  return null;
}

/** What to append to a startup file holding `existing` (null: there is none yet): `line` on a line of its own, after a comment saying what it is. */
export function appendedText(existing: string | null, line: string): string {
  const start = existing === null || existing === '' ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return `${start}# bird: capture every command (added by \`bird setup --append\`)\n${line}\n`;
}
