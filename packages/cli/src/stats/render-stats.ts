// `bird stats` for people (a terminal report of bars and a sparkline) and for programs (JSON).
import { escapeForTerminal, escapeJsonForTerminal, displayWidth, truncateStartToWidth, truncateToWidth } from '../format/text-width.ts';
import { shortenHome } from '../format/folder-text.ts';
import { formatDuration } from '../format/time-text.ts';
import { bar } from './bar.ts';
import type { StatsReport } from './compute-stats.ts';
import { sparkline } from './sparkline.ts';
import { dayText, localDay, zoneClock } from './zone-clock.ts';

export interface RenderOptions {
  /** ANSI colour; only for a terminal that asked for it (not NO_COLOR, not piped). */
  readonly color: boolean;
  /** No line is wider than this, in terminal columns; one that is not finite (a pipe) means 80. */
  readonly width: number;
  /** Shown as `~` in directories. */
  readonly home?: string;
}

type Style = 'heading' | 'bar' | 'fail' | 'slow' | 'dim';
const SGR: Record<Style, string> = { heading: '1', bar: '36', fail: '31', slow: '33', dim: '2' };

/** Part of a line, styled or not: lines are fitted to the width as plain text, then painted. */
type Part = readonly [text: string, style?: Style];
type Line = readonly Part[];

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** Bars need some length to say anything; piped output has no width of its own. */
const PIPE_WIDTH = 80;
/** Below this many columns a bar says too little to be worth the room. */
const MIN_BAR = 4;

const count = (n: number) => n.toLocaleString('en-US');
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/**
 * The report as a terminal shows it.
 *
 * @example
 * process.stdout.write(renderStats(report, { color: process.stdout.isTTY, width: process.stdout.columns }))
 */
export function renderStats(report: StatsReport, options: RenderOptions): string {
  const width = Number.isFinite(options.width) ? Math.max(1, Math.floor(options.width)) : PIPE_WIDTH;
  const lines: Line[] = [...headline(report, options)];
  if (report.total > 0) {
    const section = (title: string, body: Line[]) => {
      if (body.length > 0) lines.push([], [[title, 'heading']], ...body);
    };
    const shownDays = Math.min(report.perDay.length, width);
    section(shownDays === 1 ? 'Today' : `Last ${shownDays} days`, perDay(report, width));
    section('By hour', barRows(report.hours.map((n, h) => ({ label: String(h).padStart(2, '0'), value: n, right: [count(n)] })), width));
    section('By weekday', barRows(report.weekdays.map((n, d) => ({ label: WEEKDAYS[d]!, value: n, right: [count(n)] })), width));
    section('Top commands', barRows(report.topCommands.map((c) => ({ label: c.key, value: c.count, right: [count(c.count), percent(c.share)] })), width));
    section(
      'Fail most',
      barRows(report.failing.map((c) => ({ label: c.key, value: c.failures, right: [`${count(c.failures)}/${count(c.runs)}`, percent(c.failureRate)], style: 'fail' })), width),
    );
    section(
      'Slowest (total time)',
      barRows(report.slowest.map((c) => ({ label: c.key, value: c.totalMs, right: [formatDuration(c.totalMs), `${count(c.runs)}×`, `mean ${formatDuration(c.meanMs)}`], style: 'slow' })), width),
    );
    // Folders keep their end when cut, as everywhere (format/folder-text.ts): `…/services/billing`.
    section('Directories', barRows(report.dirs.map((d) => ({ label: shortenHome(d.dir, options.home), value: d.count, right: [count(d.count), percent(d.count / report.total)] })), width, truncateStartToWidth));
    const commands = (n: number) => `${count(n)} ${n === 1 ? 'cmd' : 'cmds'}`;
    section('Most frequent errors', barRows(report.topErrors.map((e) => ({ label: e.pattern, value: e.count, right: [count(e.count), commands(e.commands)], style: 'fail' })), width));
    section(
      'Files that fail most',
      barRows(report.failingFiles.map((f) => ({ label: shortenHome(f.file, options.home), value: f.count, right: [count(f.count), commands(f.commands)], style: 'fail' })), width, truncateStartToWidth),
    );
  }
  return lines.map((line) => paint(fit(line, width), options.color)).join('\n') + '\n';
}

/**
 * The report as stable JSON: the same fields in the same order every time, 2-space indented;
 * control and bidi characters in commands and folders as `\uXXXX` (the same values).
 */
export function statsJson(report: StatsReport): string {
  return `${escapeJsonForTerminal(JSON.stringify(report, null, 2))}\n`;
}

function headline(report: StatsReport, options: RenderOptions): Line[] {
  const lines: Line[] = [];
  const filters = [
    report.filter.host === undefined ? undefined : `host ${report.filter.host}`,
    report.filter.source === undefined ? undefined : `source ${report.filter.source}`,
    report.filter.dir === undefined ? undefined : `under ${shortenHome(report.filter.dir, options.home)}`,
    report.filter.sinceUs === undefined ? undefined : `since ${localMinute(report.filter.sinceUs, report.timeZone)}`,
  ]
    .filter((f) => f !== undefined)
    .map(escapeForTerminal);
  if (report.period === null) {
    lines.push([[filters.length > 0 ? `No commands match: ${filters.join(', ')}.` : 'No commands yet.']]);
    return lines;
  }
  lines.push([
    [`${count(report.total)} ${report.total === 1 ? 'command' : 'commands'}`, 'heading'],
    [`, ${count(report.distinct)} distinct, ${report.period.firstDay} → ${report.period.lastDay} (${report.timeZone})`],
  ]);
  if (filters.length > 0) lines.push([[filters.join(', '), 'dim']]);
  if (report.failureRate === null) {
    lines.push([['No exit codes known, so no failures to count.', 'dim']]);
  } else {
    lines.push([
      [`${count(report.failures)} failed`, report.failures > 0 ? 'fail' : undefined],
      [` (${percent(report.failureRate)} of the ${count(report.withExitCode)} with a known exit code)`],
    ]);
  }
  return lines;
}

/** The sparkline, cut to its most recent days when the width is short, and what it spans. */
function perDay(report: StatsReport, width: number): Line[] {
  const days = report.perDay.slice(-width);
  if (days.length === 0) return [];
  let peak = days[0]!;
  for (const d of days) if (d.count > peak.count) peak = d;
  return [
    [[sparkline(days.map((d) => d.count)), 'bar']],
    [[`${days[0]!.day} → ${days.at(-1)!.day}, most: ${count(peak.count)} on ${peak.day}`, 'dim']],
  ];
}

interface BarRow {
  readonly label: string;
  readonly value: number;
  /** Columns after the bar, each right-aligned. */
  readonly right: readonly string[];
  readonly style?: Style;
}

/**
 * Label, bar, numbers: labels take up to 40% of the width (cut with …), the numbers what they
 * need, and the bar the rest, scaled to the largest value.
 */
function barRows(rows: readonly BarRow[], width: number, cut: (label: string, max: number) => string = truncateToWidth): Line[] {
  if (rows.length === 0) return [];
  const labels = rows.map((r) => escapeForTerminal(r.label));
  const labelWidth = Math.min(Math.max(...labels.map(displayWidth)), Math.max(3, Math.floor(width * 0.4)));
  const columns = rows[0]!.right.length;
  const rightWidths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => displayWidth(r.right[c] ?? ''))));
  const rightWidth = rightWidths.reduce((a, b) => a + b, 0) + columns - 1;
  const cells = width - labelWidth - 1 - rightWidth - 1;
  const max = Math.max(...rows.map((r) => r.value));
  return rows.map((row, i) => {
    const label = cut(labels[i]!, labelWidth);
    const line: Part[] = [[label + ' '.repeat(labelWidth - displayWidth(label) + 1)]];
    if (cells >= MIN_BAR) {
      const b = bar(row.value, max, cells);
      line.push([b, row.style ?? 'bar'], [' '.repeat(cells - displayWidth(b) + 1)]);
    }
    row.right.forEach((text, c) => line.push([`${c > 0 ? ' ' : ''}${text.padStart(rightWidths[c]!)}`, c === 0 ? row.style : 'dim']));
    return line;
  });
}

/** Cuts a line to `width` columns, marking the cut with …; styles stay on their parts. */
function fit(line: Line, width: number): Line {
  const out: Part[] = [];
  let left = width;
  for (const [text, style] of line) {
    const w = displayWidth(text);
    if (w <= left) {
      out.push([text, style]);
      left -= w;
      continue;
    }
    out.push([truncateToWidth(text, left), style]);
    break;
  }
  return out;
}

/** The line as text, with escapes only when `color`; padding left at the end of a line is dropped. */
function paint(line: Line, color: boolean): string {
  return line.map(([text, style]) => (color && style !== undefined && text !== '' ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text)).join('').trimEnd();
}

/** `YYYY-MM-DD HH:MM` on the report's clock. */
function localMinute(us: number, timeZone: string): string {
  const local = zoneClock(timeZone).localMs(Math.floor(us / 1000));
  return `${dayText(localDay(local))} ${new Date(local).toISOString().slice(11, 16)}`;
}
