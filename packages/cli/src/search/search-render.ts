// What the search shows, as lines of text: the query line, one line per result, and a status
// line with the modes. Pure (the session and a width in, strings out), so the layout is tested
// without a terminal; search-terminal.ts only writes these lines in place.
import { UNKNOWN_EXIT } from '@bird/history-index';
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
    lines.push(...inspectorLines(session, style, paint, width).slice(0, body));
  } else {
    const { index } = session;
    const visible = session.results.slice(session.offset, session.offset + body);
    for (const [i, c] of visible.entries()) {
      const row = session.scope.lastRow[c]!;
      const exit = index.exitCode[row]!;
      const duration = index.durationMs[row]!;
      const count = session.scope.count[c]!;
      const source = index.sources[index.source[row]!]!;
      const when = pad(ago(style.nowMs - index.timestampUs[row]! / 1000), 3, true);
      const exitText = pad(exit === UNKNOWN_EXIT ? '' : String(exit), 3, true);
      const dur = pad(Number.isNaN(duration) ? '' : formatDuration(duration), 6, true);
      const dirWidth = folderWidth(width);
      const dir = pad(folderText(index.dirs[index.cwd[row]!]!, style.home, dirWidth), dirWidth);
      // Counts of a partial index would be too low: left out until the rest is read.
      const tail = [count > 1 && !session.partial ? `×${count}` : '', escapeForTerminal(originMark(source))].filter(Boolean).join(' ');
      const fixed = `  ${when} ${exitText} ${dur}  ${dir}  `;
      const room = Math.max(1, width - displayWidth(fixed) - (tail ? displayWidth(tail) + 2 : 0));
      const cmd = truncateToWidth(escapeForTerminal(index.commands[c]!), room);
      const selected = session.offset + i === session.selected;
      const marker = selected ? '▌ ' : '  ';
      const exitPainted = exit !== 0 && exit !== UNKNOWN_EXIT ? paint(SGR.red, exitText) : exitText;
      const line = `${marker}${paint(SGR.dim, when)} ${exitPainted} ${paint(SGR.dim, dur)}  ${paint(SGR.cyan, dir)}  ${selected ? paint(SGR.bold, cmd) : cmd}${tail ? `  ${paint(SGR.dim, pad(tail, 0))}` : ''}`;
      lines.push(line);
    }
    if (visible.length === 0) lines.push(paint(SGR.dim, session.query.trim() === '' ? '  (no commands here yet)' : '  (no match)'));
  }
  while (lines.length < height - 1) lines.push('');
  lines.push(truncateToWidth(status, width));
  return lines.map((l, i) => (i === lines.length - 1 ? paint(SGR.dim, l) : l));
}

function statusLine(session: SearchSession, style: Style, width: number): string {
  if (session.confirming) return confirmLine(session.confirming, width);
  const f = session.filter;
  const source = f.source === null ? 'all sources' : escapeForTerminal(f.source);
  const shown = session.total === 0 ? 0 : session.selected + 1;
  const modes = `[${session.mode}] [${SCOPE_LABEL[f.scope]}] [${source}]${f.onlySuccessful ? ' [only ok]' : ''}`;
  const keys = session.inspecting ? 'Esc back · Enter use · Ctrl-D cd · Shift-Del forget' : '^R filter ^S mode ^T source ^X ok-only ^O inspect ^D cd S-Del forget';
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
  }
}

function inspectorLines(session: SearchSession, style: Style, paint: (code: string, text: string) => string, width: number): string[] {
  const d = session.inspecting!;
  const when = (us: number) => new Date(us / 1000).toLocaleString('sv-SE').slice(0, 19);
  const exits = d.exits.map((e) => `${e.code === null ? '?' : e.code}: ${e.runs}`).join('  ');
  const cut = (text: string) => truncateToWidth(text, width);
  return [
    cut(`  ${paint(SGR.bold, escapeForTerminal(d.cmd))}`),
    cut(`  runs ${d.runs} · mean ${Number.isNaN(d.meanDurationMs) ? '?' : formatDuration(d.meanDurationMs)} · exit codes ${exits}`),
    cut(`  first ${when(d.firstUs)} · last ${when(d.lastUs)} · in ${folderText(d.cwd, style.home)}`),
    cut(`  before: ${d.before.map(escapeForTerminal).join('  ⟩  ') || '—'}`),
    cut(`  after:  ${d.after.map(escapeForTerminal).join('  ⟩  ') || '—'}`),
  ];
}
