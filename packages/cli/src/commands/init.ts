import { existsSync } from 'node:fs';
import { checkClientId, clientIdOf, describeError, loadConfig, settleClientId, setClientId } from '@bird/core';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { type CliContext } from '../context.ts';
import { escapeForTerminal } from '../format/text-width.ts';
import { layoutOf } from '../layout.ts';
import { lockOptions } from '../store-access.ts';
import { clientIdChange } from '../client-id-change.ts';

/**
 * `bird init [--mode parquet|duckdb] [--client-id ID]`: creates the store, or checks the one that
 * is there. Without --mode an existing store keeps its mode; the store refuses a different one.
 * The client id is settled in config.toml (the one given, else the one in force), so that the
 * shells, cron and scripts name their rows and lake series alike.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values } = parseCommand(COMMAND_SPECS.init, args);
  const mode = values.mode;
  const wanted = values['client-id'];
  // Before anything is made: a bad id must not leave a half-set-up store behind.
  if (wanted !== undefined) checkClientId(wanted);
  const layout = layoutOf(ctx);
  const warn = (message: string) => ctx.stderr.write(`bird: warning: ${message}\n`);
  const { initStore } = await import('@bird/store');
  const hadConfig = existsSync(layout.config);
  const hadId = hadConfig ? loadConfigClientId(layout) : undefined;
  const result = await initStore(layout, mode, { ...lockOptions(ctx), onWarning: warn });
  ctx.stdout.write(
    result.created
      ? `Created a BIRD store in ${result.mode} mode at ${layout.root}.\n`
      : result.changes.length > 0
        ? `The BIRD store at ${layout.root} is ready (${result.mode} mode); bird ${result.changes.join(' and ')}.\n`
        : `The BIRD store at ${layout.root} is ready (${result.mode} mode); nothing was changed.\n`,
  );
  if (wanted !== undefined) {
    const before = await setClientId(layout, wanted);
    // No id in config.toml before this run: nothing was captured under a settled one.
    ctx.stdout.write(`${escapeForTerminal(clientIdChange(hadId === undefined ? undefined : before, wanted))}\n`);
    const inForce = clientIdOf(ctx.env, wanted);
    if (inForce.origin === 'env' && inForce.id !== wanted) {
      warn(escapeForTerminal(`BIRD_CLIENT_ID=${inForce.id} in this environment overrides it for the commands of shells that export it; unset it there, or set it to ${wanted}.`));
    }
    return;
  }
  // A new config.toml was written with the id in force; one without client_id (written by hand,
  // or by an older bird) gets it now.
  if (!hadConfig || hadId !== undefined) return;
  try {
    const settled = await settleClientId(layout, ctx.env);
    ctx.stdout.write(`${escapeForTerminal(`client id: ${settled}, now in ${layout.config}, so that shells and cron agree.`)}\n`);
  } catch (error) {
    warn(describeError(error).replace(/^bird: /, ''));
  }
}

/** config.toml's client_id before this run, or undefined when it names none. */
function loadConfigClientId(layout: ReturnType<typeof layoutOf>): string | undefined {
  try {
    return loadConfig(layout).client_id;
  } catch {
    return undefined; // a broken config: initStore says so in its own words
  }
}
