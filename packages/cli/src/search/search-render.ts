// What the search shows, as lines of text: the query line, one line per result, and a status
// line with the modes. Pure (the session and a width in, strings out), so the layout is tested
// without a terminal; search-terminal.ts only writes these lines in place.
import { rowOf, UNKNOWN_EXIT } from '@bird/history-index';
import { folderText, folderWidth } from '../format/folder-text.ts';
import { displayWidth, escapeForTerminal, truncateToWidth } from '../format/text-width.ts';
import { ago, formatDuration } from '../format/time-text.ts';
import { originMark } from '../history-view.ts';
import type { ForgetRequest, Notice, SearchSession } from './search-session.ts';

export interface Style {
  color: boolean;
  home: string | undefined;
  nowMs: number;
}

const SGR = {
  reset: '\x1b[0m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  cyan: '\x1b[36m',
  inverse: '\x1b[7m',
};

const SCOPE_LABEL = { everywhere: 'everywhere', host: 'this host', session: 'this session', directory: 'this directory', workspace: 'this workspace' } as const;

const pad = (text: string, width: number, right = false) => {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? gap + text : text + gap;
};

/** The lines to draw, `height` of them (the first is the query line), none wider than `width`. */
export function renderSearch(session: SearchSession, width: number, height: number, style: Style): string[] {
  const paint = (code: string, text: string) => (style.color && text !== '' ? code + text + SGR.reset : text);
  const lines: string[] = [];
  const status = statusLine(session, style, width);
  const prompt = `> ${session.query}`;
  lines.push(truncateToWidth(prompt, width));
  const body = height - 2;
  if (session.inspecting) {
    lines.push(...inspectorLines(session, style, paint, width, body).slice(0, body));
  } else {
    const { index } = session;
    const visible = session.results.slice(session.offset, session.offset + body);
    for (const [i, c] of visible.entries()) {
      // One row read (where it lies, for an index read in place), not a column per field.
      const { exitCode: exit, durationMs: duration, source, timestampUs, cwd } = rowOf(index, session.scope.lastRow[c]!);
      const count = session.scope.count[c]!;
      const when = pad(ago(style.nowMs - timestampUs / 1000), 3, true);
      const exitText = pad(exit === null ? '' : String(exit), 3, true);
      const dur = pad(duration === null ? '' : formatDuration(duration), 6, true);
      const dirWidth = folderWidth(width);
      const dir = pad(folderText(cwd, style.home, dirWidth), dirWidth);
      // Counts of a partial index would be too low: left out until the rest is read.
      const tail = [count > 1 && !session.partial ? `×${count}` : '', escapeForTerminal(originMark(source))].filter(Boolean).join(' ');
      const fixed = `  ${when} ${exitText} ${dur}  ${dir}  `;
      const room = Math.max(1, width - displayWidth(fixed) - (tail ? displayWidth(tail) + 2 : 0));
      const cmd = truncateToWidth(escapeForTerminal(index.commands[c]!), room);
      const selected = session.offset + i === session.selected;
      const marker = selected ? '▌ ' : '  ';
      const exitPainted = exit !== 0 && exit !== null ? paint(SGR.red, exitText) : exitText;
      const line = `${marker}${paint(SGR.dim, when)} ${exitPainted} ${paint(SGR.dim, dur)}  ${paint(SGR.cyan, dir)}  ${selected ? paint(SGR.bold, cmd) : cmd}${tail ? `  ${paint(SGR.dim, pad(tail, 0))}` : ''}`;
      lines.push(line);
    }
    if (visible.length === 0) lines.push(paint(SGR.dim, emptyListText(session)));
  }
  while (lines.length < height - 1) lines.push('');
  lines.push(truncateToWidth(status, width));
  return lines.map((l, i) => (i === lines.length - 1 ? paint(SGR.dim, l) : l));
}

/** What the list says when it shows nothing. */
function emptyListText(session: SearchSession): string {
  if (session.awaitingProject) return "  (reading the project's commands…)";
  if (session.outputSearch && session.outputs === null) return session.outputsRead === 'failed' ? '  (what commands printed could not be read)' : '  (reading what commands printed…)';
  if (session.outputSearch) return session.query.trim() === '' ? '  (no command here has stored output)' : '  (no output holds this)';
  return session.query.trim() === '' ? '  (no commands here yet)' : '  (no match)';
}

function statusLine(session: SearchSession, style: Style, width: number): string {
  if (session.confirming) return confirmLine(session.confirming, width);
  const f = session.filter;
  const source = f.source === null ? 'all sources' : escapeForTerminal(f.source);
  const shown = session.total === 0 ? 0 : session.selected + 1;
  const modes = `[${session.outputSearch ? 'output' : session.mode}] [${SCOPE_LABEL[f.scope]}] [${source}]${f.onlySuccessful ? ' [only ok]' : ''}`;
  const keys = session.inspecting ? 'Esc back · Enter use · Ctrl-D cd · Shift-Del forget' : '^R filter ^S mode ^T source ^X ok-only ^Y output ^O inspect ^D cd S-Del forget';
  return `${modes} ${shown}/${session.partial ? '…' : session.total}  ${session.notice ? noticeText(session.notice, style, width) : keys}`;
}

/** The question the forget key asks, the whole status line: the command cut to fit, the question never. */
function confirmLine(request: ForgetRequest, width: number): string {
  const runs = request.runs === 1 ? '' : `${request.runs} runs`;
  const detail = request.theirs > 0 ? ` (your ${runs || 'run'}; a teammate's stay)` : runs ? ` (${runs})` : '';
  const tail = `${detail}? y/N`;
  return `forget ${truncateToWidth(escapeForTerminal(request.cmd), Math.max(8, width - displayWidth(`forget ${tail}`)))}${tail}`;
}

/** A command as the status line names it: its escaped text, cut to a third of the line at most. */
const named = (cmd: string, width: number) => truncateToWidth(escapeForTerminal(cmd), Math.max(8, Math.floor(width / 3)));

/** What the status line says instead of the keys, until the next key. */
function noticeText(notice: Notice, style: Style, width: number): string {
  switch (notice.kind) {
    case 'unknown-folder':
      return "^D: this command's folder is not known";
    case 'missing-folder':
      return `^D: no folder ${folderText(notice.dir, style.home, folderWidth(width))} here (imported or a teammate's row)`;
    case 'not-yours':
      return `a teammate's command (pulled from ${escapeForTerminal(notice.source)}): only they can forget it`;
    case 'forgetting':
      return `forgetting ${named(notice.cmd, width)}…`;
    case 'finishing-forget':
      return 'finishing the forget…';
    case 'forgot': {
      const runs = `${notice.runs} run${notice.runs === 1 ? '' : 's'}`;
      return `forgot ${named(notice.cmd, width)} (${runs}${notice.theirs > 0 ? "; a teammate's stay" : ''})`;
    }
    case 'forget-failed':
      return `could not forget ${named(notice.cmd, width)}: ${escapeForTerminal(notice.why)}`;
    case 'read-failed':
      return `could not read ${notice.what}: ${escapeForTerminal(notice.why)}`;
    case 'index-rebuilding':
      return `the index is being rebuilt: searching the newest ${notice.rows.toLocaleString('en')} commands`;
  }
}

function inspectorLines(session: SearchSession, style: Style, paint: (code: string, text: string) => string, width: number, body: number): string[] {
  const d = session.inspecting!;
  const when = (us: number) => new Date(us / 1000).toLocaleString('sv-SE').slice(0, 19);
  const exits = d.exits.map((e) => `${e.code === null ? '?' : e.code}: ${e.runs}`).join('  ');
  const cut = (text: string) => truncateToWidth(text, width);
  const took = Number.isNaN(d.durationMs) ? '?' : formatDuration(d.durationMs);
  const exit = d.exitCode === UNKNOWN_EXIT ? '?' : String(d.exitCode);
  const head = [
    cut(`  ${paint(SGR.bold, escapeForTerminal(d.cmd))}`),
    cut(`  runs ${d.runs} · mean ${Number.isNaN(d.meanDurationMs) ? '?' : formatDuration(d.meanDurationMs)} · exit codes ${exits} · first ${when(d.firstUs)}`),
    cut(`  last ${when(d.lastUs)} · took ${took} · exit ${exit} · in ${folderText(d.cwd, style.home)}`),
    cut(`  host ${escapeForTerminal(d.host)} · session ${escapeForTerminal(d.session)} · source ${escapeForTerminal(d.source)}`),
    cut(`  before: ${d.before.map(escapeForTerminal).join('  ⟩  ') || '—'}`),
    cut(`  after:  ${d.after.map(escapeForTerminal).join('  ⟩  ') || '—'}`),
  ];
  return [...head, ...storedLines(session, style, paint, width, Math.max(0, body - head.length))];
}

/** The inspected run's events (a few) and the last lines of its output, in `room` lines. */
function storedLines(session: SearchSession, style: Style, paint: (code: string, text: string) => string, width: number, room: number): string[] {
  const stored = session.stored;
  if (room === 0 || stored === null) return [];
  if (stored.kind === 'reading') return [paint(SGR.dim, '  (reading its output…)')];
  if (stored.kind === 'failed') return [paint(SGR.dim, cut(`  (its output could not be read: ${escapeForTerminal(stored.why)})`, width))];
  const { streams, events } = stored.details;
  const eventLines = events.length === 0 ? [] : [paint(SGR.dim, `  ── events (${events.length}) ──`), ...events.slice(0, Math.max(1, Math.floor(room / 3))).map((e) => cutStyled(`  ${e}`, width))];
  const outputs: string[] = [];
  for (const s of streams) {
    outputs.push(paint(SGR.dim, `  ── ${escapeForTerminal(s.stream)} ──`));
    if (s.problem !== undefined) outputs.push(cut(`  ${escapeForTerminal(s.problem)}`, width));
    for (const line of s.lines) outputs.push(cutStyled(`  ${style.color ? line : line.replace(STORED_SGR, '')}`, width) + (style.color ? SGR.reset : ''));
  }
  if (streams.length === 0) outputs.push(paint(SGR.dim, '  (no stored output)'));
  const outputRoom = Math.max(0, room - eventLines.length);
  // The end of the output is what matters (where it failed): its stream's heading and last lines.
  const shown = outputs.length <= outputRoom ? outputs : outputRoom === 0 ? [] : [outputs[0]!, ...outputs.slice(outputs.length - (outputRoom - 1))];
  return [...eventLines.slice(0, room), ...shown];
}

const cut = (text: string, width: number) => truncateToWidth(text, width);

// eslint-disable-next-line no-control-regex
const STORED_SGR = /\u001b\[[0-9;:]*m/g;

/** `line` (terminal-safe text whose only escapes are colours) cut to `width` columns, its colours not counted. */
function cutStyled(line: string, width: number): string {
  let out = '';
  let used = 0;
  let at = 0;
  for (const match of [...line.matchAll(STORED_SGR), null]) {
    const text = line.slice(at, match === null ? line.length : match.index);
    const room = width - used;
    if (displayWidth(text) > room) return out + truncateToWidth(text, room);
    out += text;
    used += displayWidth(text);
    if (match === null) break;
    out += match[0];
    at = match.index + match[0].length;
  }
  return out;
}
