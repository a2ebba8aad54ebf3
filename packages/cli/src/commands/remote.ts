import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  BirdError,
  editConfigFile,
  loadConfig,
  planAddRemote,
  planRemoveRemote,
  rawRemotes,
  remoteNameOf,
  resolveClientId,
  usageError,
  type RemoteConfig,
} from '@bird/core';
import { parseRemoteUri } from '@bird/remote';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS, type RemoteSubcommand } from '../command-specs.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { renderResult } from '../format/render-result.ts';
import type { ResultSet } from '../format/result-set.ts';
import { renderTable } from '../format/table.ts';
import { escapeForTerminal } from '../format/text-width.ts';
import { checkRemote, type CheckName, type Report } from '../remote-checks.ts';
import { addRemote, noSuchRemote, planFileTarget, type FolderFacts, type RemoteSpec, type TargetPlan } from '../remote-config.ts';
import { layoutOf, requireRoot } from '../layout.ts';
import { REMOTE_USAGE } from '../help-text.ts';

/** `bird remote add|list|remove`: edits the remotes in config.toml; `bird remote test`: checks one. */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const [sub, ...rest] = args;
  // One handler per declared subcommand: a declaration without one does not compile.
  const handlers: Record<RemoteSubcommand, (a: string[], c: CliContext) => void | Promise<void>> = { add, list, remove, test, repair };
  if (sub === undefined) throw usageError(`missing subcommand; usage: ${REMOTE_USAGE}`);
  if (!Object.hasOwn(handlers, sub)) throw usageError(`unknown subcommand ${JSON.stringify(sub)}; usage: ${REMOTE_USAGE}`);
  await handlers[sub as keyof typeof handlers](rest, ctx);
}

async function add(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS['remote add'], args);
  const spec: RemoteSpec = {
    name: operands[0]!,
    type: values.type,
    uri: values.uri,
    endpoint: values.endpoint,
    region: values.region,
    readOnly: values['read-only'] === true,
    autoAttach: values['no-auto-attach'] !== true,
    cwd: ctx.cwd,
  };
  const layout = layoutOf(ctx);
  let added: RemoteConfig | undefined;
  let create = false;
  // Checked again under the lock, against the file as it is then: another add may just have taken the name.
  await editConfigFile(layout, ({ text, doc, config }) => {
    const brokenNames = rawRemotes(doc).map(remoteNameOf).filter((n): n is string => n !== undefined && !config.remotes.some((r) => r.name === n));
    added = addRemote(config, spec, brokenNames).remotes.at(-1)!;
    const plan = checkTarget(added);
    if (plan.action === 'refuse') throw new BirdError(plan.reason);
    create = plan.action === 'create';
    return planAddRemote(text, doc, added);
  });
  const remote = added!;
  ctx.stdout.write(escapeForTerminal(`Added remote "${remote.name}" (${remote.type}, ${remote.uri}) to ${layout.config}.`) + '\n');
  if (create) {
    makeLakeFolder(remote.uri);
    ctx.stdout.write(escapeForTerminal(`Created the lake's folder ${remote.uri}.`) + '\n');
  }
  if (remote.type === 's3') ctx.stdout.write(`Check that this machine can reach it with \`bird remote test ${remote.name}\`.\n`);
}

function makeLakeFolder(path: string): void {
  try {
    mkdirSync(path); // the umask decides, as for any folder a team shares
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // made in the meantime: just as good
    throw new BirdError(`the remote was added, but its folder ${path} could not be made (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); create it before the first push.`);
  }
}

/** What is at a file remote's location, and so whether it can be added (S3 remotes are not checked here: `bird remote test` does that). */
function checkTarget(remote: RemoteConfig): TargetPlan {
  if (remote.type !== 'file') return { action: 'use' };
  const { database } = parseRemoteUri('file', remote.uri, { cwd: '/' });
  return planFileTarget(remote, database, folderFacts(remote.uri));
}

function folderFacts(path: string): FolderFacts {
  const can = (mode: number) => {
    try {
      accessSync(path, mode);
      return true;
    } catch {
      // any refusal (EACCES, ENOENT) means this access is not there, which is what is asked
      return false;
    }
  };
  let kind: FolderFacts['kind'];
  try {
    const info = statSync(path);
    kind = info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'other';
  } catch {
    // nothing statable at the path: planFileTarget says what to do about a missing folder
    return { kind: 'missing', readable: false, writable: false, parentExists: existsSync(dirname(path)) };
  }
  const list = kind === 'folder' ? constants.X_OK : 0;
  return { kind, readable: can(constants.R_OK | list), writable: can(constants.W_OK | list), parentExists: true };
}

/**
 * The mode a remote is used in: a `.duckdb` database is only ever read (push refuses it), so it
 * is listed read_only whatever config.toml says.
 */
function modeInUse(remote: RemoteConfig): RemoteConfig['mode'] {
  try {
    return parseRemoteUri(remote.type, remote.uri, { cwd: '/' }).database ? 'read_only' : remote.mode;
  } catch {
    return remote.mode; // a uri that does not parse is reported by whatever uses the remote
  }
}

function remotesResult(remotes: readonly RemoteConfig[]): ResultSet {
  const names = ['name', 'type', 'uri', 'mode', 'auto_attach', 'endpoint', 'region'] as const;
  const types = ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN', 'VARCHAR', 'VARCHAR'];
  return {
    columns: names.map((name, i) => ({ name, type: types[i]! })),
    rows: remotes.map((r) => [r.name, r.type, r.uri, modeInUse(r), r.auto_attach, r.endpoint ?? null, r.region ?? null]),
  };
}

function list(args: string[], ctx: CliContext): void {
  const format = parseCommand(COMMAND_SPECS['remote list'], args).values.format ?? 'table';
  const layout = layoutOf(ctx);
  // No root or no config yet means no remotes, not an error.
  const remotes = existsSync(layout.config) ? loadConfig(layout).remotes : [];
  const result = remotesResult(remotes);
  if (format !== 'table') {
    ctx.stdout.write(renderResult(result, format));
    return;
  }
  if (remotes.length === 0) {
    ctx.stdout.write('No remotes configured; add one with `bird remote add NAME --type file|s3 --uri URI`.\n');
    return;
  }
  const table = {
    headers: ['name', 'type', 'uri', 'mode', 'auto-attach', 'endpoint', 'region'],
    align: result.columns.map(() => 'left' as const),
    rows: remotes.map((r) =>
      [r.name, r.type, r.uri, modeInUse(r).replace('_', '-'), r.auto_attach ? 'yes' : 'no', r.endpoint ?? '', r.region ?? ''].map(escapeForTerminal),
    ),
  };
  ctx.stdout.write(renderTable(table, { maxWidth: tableWidth(ctx.stdout) }));
}

async function remove(args: string[], ctx: CliContext): Promise<void> {
  const name = parseCommand(COMMAND_SPECS['remote remove'], args).operands[0]!;
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  await editConfigFile(layout, ({ text, doc }) => {
    const edit = planRemoveRemote(text, doc, name);
    if (edit === null) throw noSuchRemote(rawRemotes(doc).map(remoteNameOf).filter((n): n is string => n !== undefined), name);
    return edit;
  });
  ctx.stdout.write(escapeForTerminal(`Removed remote "${name}" from ${layout.config}; data already pulled or pushed stays where it is.`) + '\n');
}

/**
 * `bird remote test NAME`: can this machine reach the remote, are the credentials accepted,
 * and (read_write only) can it store and delete an object. One line per check on stdout; exit
 * 1 when a check failed. It prints where the remote is, never a credential.
 */
async function test(args: string[], ctx: CliContext): Promise<void> {
  const name = parseCommand(COMMAND_SPECS['remote test'], args).operands[0]!;
  const layout = layoutOf(ctx);
  const config = existsSync(layout.config) ? loadConfig(layout) : undefined;
  const remotes = config?.remotes ?? [];
  const remote = remotes.find((r) => r.name === name);
  if (!remote) {
    const similar = remotes.find((r) => r.name.toLowerCase() === name.toLowerCase());
    const hint = similar ? ` (did you mean "${similar.name}"?)` : '; `bird remote list` shows the configured ones';
    throw usageError(`there is no remote named ${JSON.stringify(name)}${hint}.`);
  }
  const failed: CheckName[] = [];
  const report: Report = (status, check, text) => {
    if (status === 'FAIL') failed.push(check);
    ctx.stdout.write(`${escapeForTerminal(`${status.padEnd(6)}${text}`)}\n`);
  };
  await checkRemote(remote, report, { clientId: resolveClientId(ctx.env, config?.client_id), write: true });
  if (failed.length > 0) {
    throw new BirdError(`remote "${remote.name}" failed the ${failed.join(' and ')} check; fix what the FAIL line says, then run \`bird remote test ${remote.name}\` again.`);
  }
}

/**
 * `bird remote repair NAME [--client ID]`: rewrites the index of each series this store writes
 * from what the lake holds, and claims them for this machine (sync-worker's repairRemote).
 */
async function repair(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS['remote repair'], args);
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const config = loadConfig(layout);
  const remote = config.remotes.find((r) => r.name === operands[0]);
  if (!remote) throw noSuchRemote(config.remotes.map((r) => r.name), operands[0]!);
  const { repairRemote } = await import('@bird/sync-worker');
  const result = await repairRemote(layout, config, remote, { env: ctx.env, client: values.client });
  if (result.outcome === 'locked') throw new BirdError(`another push, pull or repair of ${remote.name} is running; try again when it is done.`);
  if (result.series.length === 0) ctx.stdout.write(`${escapeForTerminal(remote.name)}: this store has no series there yet; nothing to repair.\n`);
  for (const s of result.series) {
    const what = s.rewrittenSegments === 0 && s.orphanBatches === 0 ? 'index intact' : `${s.rewrittenSegments} segments rewritten, ${s.orphanBatches} batches indexed that no segment named`;
    ctx.stdout.write(escapeForTerminal(`${remote.name}: series ${s.client}: ${what}; head at ${s.seq}, written by this machine.`) + '\n');
  }
}

