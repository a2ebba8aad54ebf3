import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BirdError } from '@bird/core';
import { oneOf, parseFlags } from '../args.ts';
import type { CliContext } from '../context.ts';
import { renderHook, SHELLS } from '../hook-script.ts';
import { USAGE } from '../usage.ts';

/** The repository (or package tree) this bundle belongs to: dist → cli → packages → root. */
function installRoot(): string {
  return resolve(__dirname, '..', '..', '..');
}

/** `bird hook zsh|bash|fish`: prints the hook for `eval "$(bird hook zsh)"`. */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { positionals } = parseFlags(args, {}, USAGE.hook, { min: 1, max: 1 });
  const shell = oneOf('the shell', positionals[0]!, SHELLS);
  const root = installRoot();
  const hookFile = join(root, 'hooks', `bird.${shell}`);
  let text: string;
  try {
    text = readFileSync(hookFile, 'utf8');
  } catch (error) {
    throw new BirdError(
      `cannot read the ${shell} hook ${hookFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): reinstall bird, or run \`npm install\` in its repository.`,
      { cause: error },
    );
  }
  ctx.stdout.write(renderHook(shell, text, join(root, 'packages', 'capture', 'dist', 'bird-capture.cjs')));
}
