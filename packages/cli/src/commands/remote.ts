import { existsSync } from 'node:fs';
import { ensureRoot, loadConfig, REMOTE_TYPES, saveConfig, usageError, type RemoteConfig, type RemoteType } from '@bird/core';
import { oneOf, parseFlags } from '../args.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { renderResult } from '../format/render-result.ts';
import { OUTPUT_FORMATS, type OutputFormat, type ResultSet } from '../format/result-set.ts';
import { renderTable } from '../format/table.ts';
import { escapeControls, escapeForTerminal } from '../format/text-width.ts';
import { addRemote, removeRemote } from '../remote-config.ts';
import { layoutOf, requireRoot } from '../layout.ts';
import { USAGE } from '../usage.ts';

/** `bird remote add|list|remove`: edits the remotes in config.toml. */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const [sub, ...rest] = args;
  const handlers: Record<'add' | 'list' | 'remove', (a: string[], c: CliContext) => void> = { add, list, remove };
  if (sub === undefined) throw usageError(`missing subcommand; usage: ${USAGE.remote}`);
  if (!(sub in handlers)) throw usageError(`unknown subcommand ${JSON.stringify(sub)}; usage: ${USAGE.remote}`);
  handlers[sub as keyof typeof handlers](rest, ctx);
}

function add(args: string[], ctx: CliContext): void {
  const { values, positionals } = parseFlags(
    args,
    {
      type: { type: 'string' },
      uri: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'read-only': { type: 'boolean' },
      'no-auto-attach': { type: 'boolean' },
    },
    USAGE['remote add'],
    { min: 1, max: 1 },
  );
  if (values.type === undefined) throw usageError(`missing --type file|s3; usage: ${USAGE['remote add']}`);
  if (values.uri === undefined) throw usageError(`missing --uri; usage: ${USAGE['remote add']}`);
  const type: RemoteType = oneOf('--type', values.type as string, REMOTE_TYPES);
  const layout = layoutOf(ctx);
  const config = ensureRoot(layout);
  const updated = addRemote(config, {
    name: positionals[0]!,
    type,
    uri: values.uri as string,
    endpoint: values.endpoint as string | undefined,
    region: values.region as string | undefined,
    readOnly: values['read-only'] === true,
    autoAttach: values['no-auto-attach'] !== true,
    cwd: ctx.cwd,
  });
  saveConfig(layout, updated);
  const added = updated.remotes.at(-1)!;
  ctx.stdout.write(`Added remote "${added.name}" (${added.type}, ${added.uri}) to ${layout.config}.\n`);
}

function remotesResult(remotes: readonly RemoteConfig[]): ResultSet {
  const names = ['name', 'type', 'uri', 'mode', 'auto_attach', 'endpoint', 'region'] as const;
  const types = ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN', 'VARCHAR', 'VARCHAR'];
  return {
    columns: names.map((name, i) => ({ name, type: types[i]! })),
    rows: remotes.map((r) => [r.name, r.type, r.uri, r.mode, r.auto_attach, r.endpoint ?? null, r.region ?? null]),
  };
}

function list(args: string[], ctx: CliContext): void {
  const { values } = parseFlags(args, { format: { type: 'string', short: 'f' } }, USAGE['remote list']);
  const format: OutputFormat = values.format === undefined ? 'table' : oneOf('--format', values.format as string, OUTPUT_FORMATS);
  const layout = layoutOf(ctx);
  // No root or no config yet means no remotes, not an error.
  const remotes = existsSync(layout.config) ? loadConfig(layout).remotes : [];
  const result = remotesResult(remotes);
  const terminal = ctx.stdout.isTTY;
  if (format !== 'table') {
    ctx.stdout.write(renderResult(result, format, { terminal }));
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
      [r.name, r.type, r.uri, r.mode.replace('_', '-'), r.auto_attach ? 'yes' : 'no', r.endpoint ?? '', r.region ?? ''].map(terminal ? escapeForTerminal : escapeControls),
    ),
  };
  ctx.stdout.write(renderTable(table, { maxWidth: tableWidth(ctx.stdout) }));
}

function remove(args: string[], ctx: CliContext): void {
  const { positionals } = parseFlags(args, {}, USAGE['remote remove'], { min: 1, max: 1 });
  const layout = layoutOf(ctx);
  requireRoot(layout);
  const updated = removeRemote(loadConfig(layout), positionals[0]!);
  saveConfig(layout, updated);
  ctx.stdout.write(`Removed remote "${positionals[0]}" from ${layout.config}; data already pulled or pushed stays where it is.\n`);
}
