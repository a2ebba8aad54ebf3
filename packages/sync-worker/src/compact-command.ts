// `compact` as a command line, the same for `bird-sync compact` and `bird compact`: flags in,
// a compaction run, what it did out (silent under cron unless it failed).
import { birdLayout, ensureRoot, parseCommandLine, resolveBirdRoot } from '@bird/core';
import { foldOrRebuildHistoryIndex, indexNeedsFold, storageModeOf, sweepBlobsOfStore, sweepProjectCaches, type CompactSummary } from '@bird/store';
import { COMPACT_SPEC } from './command-specs.ts';
import { progressBar } from './progress.ts';

export interface CommandIO {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): void; readonly isTTY: boolean };
  readonly stderr: { write(text: string): void; readonly isTTY: boolean };
  /** The folder the command runs in (`pull --project` looks for the project there); default: the process's. */
  readonly cwd?: string;
}

/** Runs `compact` with `args` (after the word `compact`); returns the exit code. `prefix` names the program in usage lines. */
export async function runCompact(args: readonly string[], io: CommandIO, prefix: string): Promise<number> {
  const { values } = parseCommandLine(COMPACT_SPEC, args, prefix);
  const layout = birdLayout(resolveBirdRoot(io.env));
  const config = ensureRoot(layout);
  const verbose = values.verbose === true;
  const bar = io.stderr.isTTY && !values.json && !verbose && values.auto !== true ? progressBar(io.stderr) : null;
  let result: CompactSummary;
  try {
    result = await storageModeOf(layout, config).compact({
      dryRun: values['dry-run'] === true,
      onProgress: bar ? (done, total) => bar.update(done, total) : undefined,
      onStep: verbose ? (line) => io.stderr.write(`${prefix}: ${line}\n`) : undefined,
      onWarning: (line) => io.stderr.write(`${prefix}: warning: ${line}\n`),
    });
  } finally {
    bar?.stop();
  }
  // Off the prompt path, like the merge itself: fold the history index's journal once it grew.
  if (!values['dry-run'] && result.outcome === 'done' && indexNeedsFold(layout)) {
    const problem = await foldOrRebuildHistoryIndex(layout);
    if (problem) io.stderr.write(`${prefix}: warning: ${problem}\n`);
  }
  // Outputs a retention or a teammate's forget (applied by a pull) removed leave their blobs: they go here.
  if (!values['dry-run'] && result.outcome === 'done') await sweepBlobsOfStore(layout, (line) => io.stderr.write(`${prefix}: warning: ${line}\n`));
  // What `bird pull --project` pulled for projects that are gone goes here too.
  if (!values['dry-run'] && result.outcome === 'done') {
    const swept = sweepProjectCaches(layout, (line) => io.stderr.write(`${prefix}: warning: ${line}\n`));
    if (verbose && swept > 0) io.stderr.write(`${prefix}: removed ${swept} cache${swept === 1 ? '' : 's'} of projects that are gone\n`);
  }
  if (values.json) {
    const { jobs, ...rest } = result;
    const planned = values['dry-run'] ? { plan: jobs.map((j) => ({ table: j.table, date: j.date, inputs: j.inputs.length, output: j.output })) } : {};
    io.stdout.write(`${JSON.stringify({ ...rest, ...planned })}\n`);
  } else if (values['dry-run']) {
    if (result.jobs.length === 0) io.stdout.write('nothing to compact.\n');
    for (const j of result.jobs) io.stdout.write(`would merge ${j.inputs.length} files of ${j.table} ${j.date} into ${j.output}\n`);
  } else if (io.stdout.isTTY || verbose) {
    io.stdout.write(describeSummary(result));
  }
  return 0;
}

function describeSummary(s: CompactSummary): string {
  if (s.outcome === 'locked') return 'another compaction is running; nothing to do.\n';
  return `${describeRetention(s)}${describeMerge(s)}`;
}

function describeRetention(s: CompactSummary): string {
  if (!s.retention) return '';
  const n = s.retention.rows.invocations;
  const commands = `${n} command${n === 1 ? '' : 's'}`;
  if (s.retention.before) return `forgot ${commands} that started before ${s.retention.before.slice(0, 10)} ([retention] max_age_days).\n`;
  return `finished a forget cut short: ${commands} removed.\n`;
}

function describeMerge(s: CompactSummary): string {
  if (s.mode === 'duckdb') return `duckdb mode: ${s.rows} spilled rows inserted, bird.duckdb checkpointed (${s.seconds.toFixed(2)} s).\n`;
  if (s.filesIn === 0) return 'nothing to compact.\n';
  return `merged ${s.filesIn} files into ${s.filesOut} (${s.rows} rows, ${mb(s.bytesIn)} → ${mb(s.bytesOut)}) in ${s.seconds.toFixed(2)} s.\n`;
}

const mb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`);
