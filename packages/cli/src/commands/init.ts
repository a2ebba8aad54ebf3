import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { BirdError, PROJECT_STORE_DIR, birdLayout, checkClientId, clientIdOf, describeError, ensureRoot, loadConfig, settleClientId, setClientId, type BirdLayout, type StorageMode } from '@bird/core';
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
  const { values, operands } = parseCommand(COMMAND_SPECS.init, args);
  if (values.project) return initProject(resolve(ctx.cwd, operands[0] ?? '.'), values.mode ?? 'parquet', ctx);
  if (operands.length > 0) throw new BirdError(`bird init takes a folder only with --project (bird init --project ${operands[0]}); the store's own folder is BIRD_ROOT.`, { exitCode: 2 });
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

/**
 * What git should not carry of a project's store: what each machine makes for itself (the
 * catalog of views, the history index, temporaries, the spool) or keeps to itself (push and pull
 * state, pulled rows, logs). This machine's rows, the blobs of the outputs they name, config.toml
 * and the placeholders are what a project shares. Paths from the layout, relative to the store's
 * root, as .gitignore takes them.
 */
function projectGitignore(layout: BirdLayout): string {
  const at = (path: string) => relative(layout.root, path).split(sep).join('/');
  return [`${at(layout.dbDir)}/*`, `!${at(layout.dataDir)}/`, `!${at(layout.blobs)}/`, `${at(layout.cachedData)}/`, `${at(layout.spool)}/`, at(layout.errorsLog), '*.lock', ''].join('\n');
}

/** `bird init --project [DIR]`: a store in DIR/.bird for CI to record into and teammates to read as `project`. */
async function initProject(dir: string, mode: StorageMode, ctx: CliContext): Promise<void> {
  let isDir = false;
  try {
    isDir = lstatSync(dir).isDirectory();
  } catch {
    // said below
  }
  if (!isDir) throw new BirdError(`${dir} is not a folder; give the project's folder (bird init --project DIR).`, { exitCode: 2 });
  const root = join(dir, PROJECT_STORE_DIR);
  try {
    if (lstatSync(root).isSymbolicLink()) throw new BirdError(`${root} is a symbolic link; a project's store must be a folder inside the project: remove the link and run this again.`, { exitCode: 2 });
  } catch (error) {
    if (error instanceof BirdError) throw error; // otherwise there is nothing there yet
  }
  const layout = birdLayout(root);
  const made = !existsSync(layout.config);
  ensureRoot(layout, mode, ctx.env);
  const { initStore } = await import('@bird/store');
  const result = await initStore(layout, mode, { ...lockOptions(ctx), onWarning: (m) => ctx.stderr.write(`bird: warning: ${m}\n`) });
  const gitignore = join(root, '.gitignore');
  if (!existsSync(gitignore)) writeFileSync(gitignore, projectGitignore(layout), { mode: 0o644 });
  const shown = relative(ctx.cwd, root) || '.';
  ctx.stdout.write(
    `${made ? 'Created' : 'Checked'} the project store at ${escapeForTerminal(root)} (${result.mode} mode).\n` +
      `Record into it, in CI for example: BIRD_ROOT=${escapeForTerminal(shown)} bird run -- make test\n` +
      `Inside ${escapeForTerminal(dir)}, bird sql reads it as project.invocations (or project_invocations(), empty elsewhere).\n`,
  );
}
