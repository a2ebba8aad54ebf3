import type { CliContext } from '../context.ts';
import { EMPTY_INDEX, mergeRows } from '@bird/history-index';
import { PROJECT_SOURCE, openHistory, projectHistoryRows } from '../history-source.ts';
import { storeNotYetMade } from '../layout.ts';
import { computeStats } from '../stats/compute-stats.ts';
import { renderStats, statsJson } from '../stats/render-stats.ts';
import { parseStatsArgs } from '../stats/stats-args.ts';
import { storedEvents } from '../stats/stored-events.ts';
import { defaultTimeZone } from '../stats/zone-clock.ts';

/**
 * `bird stats`: computed over the history index, like `bird history`: no DuckDB to wait for
 * (but for `--source project`, the project store's commands, and for the errors and failing files
 * of a store that holds events).
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const now = new Date();
  const timeZone = defaultTimeZone(); // Node's, which follows TZ
  const { filter, format } = parseStatsArgs(args, now, ctx.cwd, timeZone);
  // In a hooked shell that has not recorded a command yet, no store is an empty history.
  // The project store's commands are not in the index: read (through DuckDB) only when asked for,
  // and then alone (one also in this store, by `[project] record`, is the project's too).
  const index = filter.source === PROJECT_SOURCE ? mergeRows(EMPTY_INDEX, await projectHistoryRows(ctx)) : storeNotYetMade(ctx) ? EMPTY_INDEX : (await openHistory(ctx)).index;
  // Only this store's events: the project store's are its own.
  const events = storeNotYetMade(ctx) || filter.source === PROJECT_SOURCE ? [] : await storedEvents(ctx);
  const report = computeStats(index, filter, { now, timeZone, events });
  if (format === 'json') {
    ctx.stdout.write(statsJson(report));
    return;
  }
  const color = ctx.stdout.isTTY && (ctx.env.NO_COLOR === undefined || ctx.env.NO_COLOR === '');
  ctx.stdout.write(renderStats(report, { color, width: ctx.stdout.columns ?? 80, home: ctx.env.HOME }));
}
