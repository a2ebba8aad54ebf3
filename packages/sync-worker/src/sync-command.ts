// `push`, `pull` and the whole sync as command lines, shared by `bird-sync` and `bird`: flags
// in, the remotes they name, one summary line per remote out (silent under cron unless it failed).
import { BirdError, birdLayout, ensureRoot, escapeForTerminal, parseCommandLine, resolveBirdRoot, usageError, type BirdConfig, type FlagValues, type RemoteConfig } from '@bird/core';
import { PULL_SPEC, PUSH_SPEC, SYNC_SPEC } from './command-specs.ts';
import { runCompact, type CommandIO } from './compact-command.ts';
import { progressBar } from './progress.ts';
import { pull, type PullSummary } from './sync/pull.ts';
import { isPushable, push, type PushSummary } from './sync/push.ts';
import { projectPull } from './project-lakes.ts';

/** `7d`, `30d` or `YYYY-MM-DD` → the first UTC day to include. */
export function parseSince(value: string, now = Date.now()): string {
  const days = /^([0-9]{1,5})d$/.exec(value);
  if (days) return new Date(now - Number(days[1]) * 86_400_000).toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)) return value;
  throw usageError(`--since takes a number of days (7d, 30d) or a date (YYYY-MM-DD), not ${JSON.stringify(value)}.`);
}

/** The remotes a command works on: the one named, else `[sync] default_remote`, else every auto-attach remote. */
export function selectRemotes(config: BirdConfig, named: string | undefined): RemoteConfig[] {
  const find = (name: string, why: string) => {
    const remote = config.remotes.find((r) => r.name === name);
    if (!remote) throw new BirdError(`there is no remote named ${JSON.stringify(name)}${why}; \`bird remote list\` shows the remotes.`, { exitCode: 2 });
    return remote;
  };
  if (named !== undefined) return [find(named, '')];
  if (config.sync.default_remote !== undefined) return [find(config.sync.default_remote, ' ([sync] default_remote in config.toml)')];
  return config.remotes.filter((r) => r.auto_attach);
}

type Op = 'push' | 'pull' | 'sync';

/** Runs `op` with `args`; returns the exit code. `prefix` names the program in messages. */
export async function runSync(op: Op, args: readonly string[], io: CommandIO, prefix: string): Promise<number> {
  // Each op takes only its own flags: `pull --dry-run` is an unknown option, with pull's usage.
  const values: FlagValues<typeof PUSH_SPEC | typeof PULL_SPEC> = parseCommandLine(op === 'push' ? PUSH_SPEC : op === 'pull' ? PULL_SPEC : SYNC_SPEC, args, prefix).values;
  const since = values.since === undefined ? undefined : parseSince(values.since);
  const ownLayout = birdLayout(resolveBirdRoot(io.env));
  const ownConfig = ensureRoot(ownLayout);
  // `pull --project`: the project's lakes, into the project's cache (project-lakes.ts), by the same pull.
  const project = 'project' in values && values.project === true ? projectPull(ownLayout, ownConfig, io.cwd ?? process.cwd(), io.env) : null;
  try {
    const { layout, config } = project ?? { layout: ownLayout, config: ownConfig };
    if (op === 'sync') {
      const code = await runCompact(values.json ? ['--json'] : [], { ...io, stdout: values.json ? { write: () => undefined, isTTY: false } : io.stdout }, prefix);
      if (code !== 0) return code;
    }
    const remotes = project ? selectRemotes({ ...config, remotes: project.remotes, sync: { ...config.sync, default_remote: undefined } }, values.remote) : selectRemotes(config, values.remote);
    for (const problem of project?.problems ?? (values.remote === undefined ? config.remoteProblems : [])) io.stderr.write(`${prefix}: warning: ${escapeForTerminal(problem)}\n`);
    if (remotes.length === 0 && values.remote === undefined) {
      if (io.stdout.isTTY) io.stdout.write('no remote to sync: add one with `bird remote add`.\n');
      return 0;
    }
    const report: ({ op: 'push' | 'pull' } & (PushSummary | PullSummary | { remote: string; error: string }))[] = [];
    let failed = false;
    // Messages name things read from a lake (keys, hosts, client ids): printed with their controls escaped.
    const warn = (m: string) => io.stderr.write(`${prefix}: warning: ${escapeForTerminal(m)}\n`);
    for (const remote of remotes) {
      const steps: ('push' | 'pull')[] = op === 'sync' ? (isPushable(remote, layout.root) ? ['push', 'pull'] : ['pull']) : [op];
      for (const step of steps) {
        const bar = io.stderr.isTTY && !values.json ? progressBar(io.stderr, Date.now, `${step} ${remote.name} [{bar}] {value}/{total} objects`) : null;
        try {
          const onProgress = bar ? (done: number, total: number) => bar.update(done, total) : undefined;
          const result =
            step === 'push'
              ? await push(layout, config, remote, { since, dryRun: values['dry-run'] === true, env: io.env, onProgress, onWarning: warn })
              : await pull(layout, config, remote, { since, client: values.client, env: io.env, onProgress, onWarning: warn });
          bar?.stop();
          report.push({ op: step, ...result });
          if (!values.json) describe(step, result, io);
          // A series that could not be pushed fails the push, and the run; the rest of it was done.
          if ('problems' in result && result.problems.length > 0) {
            failed = true;
            for (const problem of result.problems) io.stderr.write(`${prefix}: ${step} ${remote.name}: ${escapeForTerminal(problem)}\n`);
          }
        } catch (error) {
          bar?.stop();
          failed = true;
          const message = (error as Error).message;
          report.push({ op: step, remote: remote.name, error: message });
          if (error instanceof BirdError && error.exitCode === 2 && remotes.length === 1) throw error;
          io.stderr.write(`${prefix}: ${step} ${remote.name}: ${escapeForTerminal(message)}\n`);
          break; // no pull after a failed push: the seed's "push before pull"
        }
      }
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ ok: !failed, remotes: report })}\n`);
    return failed ? 1 : 0;
  } finally {
    project?.lock.release();
  }
}

function describe(step: 'push' | 'pull', r: PushSummary | PullSummary, io: CommandIO): void {
  if ('plan' in r && r.outcome === 'dry-run') {
    if (r.plan.length === 0) io.stdout.write(`${r.remote}: nothing to push.\n`);
    for (const p of r.plan) io.stdout.write(`${r.remote}: would push ${p.rows} ${p.table} rows of ${p.date} into series ${p.client}\n`);
    return;
  }
  if (!io.stdout.isTTY) return; // cron: silent unless something failed
  if (r.outcome === 'locked') io.stdout.write(`${r.remote}: another ${step} or pull of this remote is running; nothing done.\n`);
  else {
    const merged = 'merged' in r && r.merged > 0 ? `; merged ${r.merged} older batches` : '';
    io.stdout.write(`${r.remote}: ${step === 'push' ? 'pushed' : 'pulled'} ${r.rows} rows in ${r.objects} objects (${r.bytes} bytes, ${r.seconds.toFixed(2)} s)${merged}.\n`);
  }
}
