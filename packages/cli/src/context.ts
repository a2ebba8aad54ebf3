import { escapeForTerminal } from './format/text-width.ts';

/** Where a command writes, and what it may read of its environment. */
export interface Output {
  write(text: string): void;
  /** True when this is a terminal: tables are then fitted to `columns`. */
  readonly isTTY: boolean;
  readonly columns: number | undefined;
}

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly cwd: string;
  /** True when standard input is a terminal (nothing is piped in). */
  readonly stdinIsTTY?: boolean;
}

/** The width a table may take on `out`: the terminal's when it is one, unlimited when piped. */
export function tableWidth(out: Output): number | undefined {
  return out.isTTY && out.columns && out.columns > 0 ? out.columns : undefined;
}

/**
 * `bird: warning: MESSAGE` on stderr. Warnings name files, remotes and hosts that came from
 * data (a lake, a config.toml, a history file), so control and bidi characters are escaped.
 */
export function warn(ctx: Pick<CliContext, 'stderr'>, message: string): void {
  ctx.stderr.write(`bird: warning: ${escapeForTerminal(message)}\n`);
}
