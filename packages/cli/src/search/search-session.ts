// The interactive search as a state machine: keys in, what to show and what was chosen out.
// No terminal here (search-terminal.ts draws it), so every binding is tested with plain values.
import { statSync } from 'node:fs';
import { commandTextOf, forEachIdIn, forEachRowChunk, idBytes, idText, mergeRows, rowOf, type HistoryIndex, type HistoryRow } from '@bird/history-index';
import { PROJECT_SOURCE } from '../history-source.ts';
import { LOCAL_SOURCE } from '../history-view.ts';
import { Matcher, type SearchMode } from './matcher.ts';
import { SEARCH_MODES } from './query-syntax.ts';
import type { OutputCorpus } from './output-corpus.ts';
import type { StoredDetails } from './stored-details.ts';
import { commandDetails, forEachRowInScope, rescopeCommand, SCOPES, scopeCommands, type CommandDetails, type Scope, type ScopedCommands, type SearchContext, type SearchFilter } from './search-scope.ts';

/** A key as Node's readline reports it (`emitKeypressEvents`). */
export interface Key {
  name?: string | undefined;
  ctrl?: boolean | undefined;
  meta?: boolean | undefined;
  shift?: boolean | undefined;
  sequence?: string | undefined;
}

/** How a search ended: the command for the command line (Enter, Tab), a directory to go to, or nothing (Esc). */
export type SearchOutcome = { kind: 'accept'; cmd: string } | { kind: 'edit'; cmd: string } | { kind: 'cd'; dir: string } | { kind: 'cancel' };

/**
 * What the status line says instead of the keys, until the next key: why the last key did nothing
 * (Ctrl-D on a row whose folder is not known or not on this machine; the forget key on a
 * teammate's command), or how a forget is going.
 */
export type Notice =
  | { kind: 'unknown-folder' }
  | { kind: 'missing-folder'; dir: string }
  | { kind: 'not-yours'; source: string }
  | { kind: 'forgetting'; cmd: string }
  /** The search was left while a forget ran: it is seen to its end first. */
  | { kind: 'finishing-forget' }
  | { kind: 'forgot'; cmd: string; runs: number; theirs: number }
  | { kind: 'forget-failed'; cmd: string; why: string }
  /** What commands printed (Ctrl-Y), or the project's commands (Ctrl-T), could not be read. */
  | { kind: 'read-failed'; what: string; why: string }
  /** The history index is being rebuilt: only the newest `rows` commands, read from the store, are searched. */
  | { kind: 'index-rebuilding'; rows: number };

/** The inspected command's stored output and events: being read, read, or why they could not be. */
export type StoredState = { kind: 'reading' } | { kind: 'read'; details: StoredDetails } | { kind: 'failed'; why: string };

/** Reads a session asks for, once each, made by whoever runs it (they load DuckDB: never before the first frame). */
export type ReadState = 'not-asked' | 'asked' | 'taken' | 'failed';

/** The key that forgets the selected command (after a y): Shift-Delete, as in fish's history pager and browsers' suggestions. */
const isForgetKey = (key: Key) => key.name === 'delete' && key.shift === true && !key.ctrl && !key.meta;

/**
 * A forget the session asks whoever runs it to carry out (see takeForgets): every run of one
 * command stored by this machine. Its rows are out of the list from the y on; a forget that
 * fails brings them back.
 */
export interface ForgetRequest {
  /** The command, as an index into `index.commands`, and its text. */
  readonly command: number;
  readonly cmd: string;
  /** This machine's runs of it, as the list counted them (the store may hold one more, run since). */
  readonly runs: number;
  /** Runs of it pulled from teammates: they stay. */
  readonly theirs: number;
  /** This machine's rows of it in the index. */
  readonly rows: readonly number[];
}

/** What a forget came to: this machine's runs forgotten, and teammates' runs left alone. */
export interface ForgetDone {
  readonly forgot: number;
  readonly theirs: number;
}

export interface SearchOptions {
  query?: string;
  mode?: SearchMode;
  scope?: Scope;
  /** Rows of results the screen has room for. */
  rows: number;
  /** Whether `dir` is a folder on this machine (Ctrl-D goes only there); by default, asks the file system. */
  dirExists?: (dir: string) => boolean;
  /**
   * The index holds only the newest rows (a first frame drawn before the rest is read): the most
   * recent commands and their last runs are right, how often each ran and how many there are not.
   */
  partial?: boolean;
  /** Start searching what commands printed (Ctrl-Y) rather than the commands. */
  outputSearch?: boolean;
  /** What commands printed, when already read. */
  outputs?: OutputCorpus;
  /** A project store was found from the folder the search runs in: its commands are one more source (Ctrl-T), read when chosen. */
  projectStore?: boolean;
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    // gone or unreadable: not a folder Ctrl-D can go to
    return false;
  }
}

export class SearchSession {
  query: string;
  /** Cursor position in `query`, in UTF-16 units. */
  cursor: number;
  mode: SearchMode;
  readonly filter: SearchFilter;
  /** Index into `results` of the highlighted row. */
  selected = 0;
  /** First result shown (the list scrolls to keep `selected` visible). */
  offset = 0;
  inspecting: CommandDetails | null = null;
  /** The inspected run's stored output and events (null: not asked for yet). */
  stored: StoredState | null = null;
  /** Ctrl-Y: the query is looked for in what commands printed. */
  outputSearch: boolean;
  /** What commands printed, once read (see takeOutputsAsk). */
  outputs: OutputCorpus | null;
  outputsRead: ReadState = 'not-asked';
  /** The project's commands (see takeProjectAsk). */
  projectRead: ReadState = 'not-asked';
  results: number[] = [];
  total = 0;
  outcome: SearchOutcome | null = null;
  /** Said on the status line until the next key. */
  notice: Notice | null = null;
  /** A forget asked for and waiting for its y (any other key lets it go). */
  confirming: ForgetRequest | null = null;
  /** Rows forgotten (or being forgotten), 1 each: out of the list whatever the filter; null until the first (a byte a row: 10 MB at 10M rows). */
  private forgotten: Uint8Array | null = null;
  private readonly forgets: ForgetRequest[] = [];
  private scoped: ScopedCommands;
  private matcher: Matcher | null = null;
  /** Sources to cycle through: all, then each present in the index. */
  readonly sources: (string | null)[];

  constructor(
    readonly index: HistoryIndex,
    readonly context: SearchContext,
    private readonly options: SearchOptions,
  ) {
    this.query = options.query ?? '';
    this.cursor = this.query.length;
    this.mode = options.mode ?? 'fuzzy';
    this.filter = { scope: options.scope ?? 'everywhere', source: null, onlySuccessful: false };
    this.sources = [null, ...[...index.sources].sort((a, b) => (a === 'local' ? -1 : b === 'local' ? 1 : a < b ? -1 : 1))];
    if (options.projectStore && !index.sources.includes(PROJECT_SOURCE)) this.sources.push(PROJECT_SOURCE);
    this.outputSearch = options.outputSearch === true;
    this.outputs = options.outputs ?? null;
    if (this.outputs !== null) this.outputsRead = 'taken';
    this.scoped = scopeCommands(index, this.filter, context, this.forgotten);
    this.refresh();
  }

  /** True when the index holds only the newest rows: see {@link SearchOptions.partial}. */
  get partial(): boolean {
    return this.options.partial === true;
  }

  get scope(): ScopedCommands {
    return this.scoped;
  }

  /** Rows the list shows: as many results as fit. */
  get limit(): number {
    return Math.max(1, this.options.rows);
  }

  /** The matcher is built on first use: an empty query (the first frame) needs none. */
  private getMatcher(): Matcher {
    this.matcher ??= new Matcher(commandTextOf(this.index));
    return this.matcher;
  }

  /** Builds what the first keystroke would otherwise wait for; call once the first frame is out. */
  warmUp(): void {
    this.getMatcher();
  }

  /** `keepPlace`: the highlight stays on the same line of the list (after a row left it), not the first. */
  private refresh(keepPlace = false): void {
    const [selected, offset] = [this.selected, this.offset];
    // Enough results to scroll a few pages; the total counts them all.
    const want = Math.max(this.limit * 4, 100);
    if (this.outputSearch) {
      const matched = this.printedMatches();
      this.results = matched.slice(0, want);
      this.total = matched.length;
    } else if (this.query.trim() === '') {
      this.results = Array.from(this.scoped.byRecency.subarray(0, want));
      this.total = this.scoped.byRecency.length;
    } else {
      const { top, total } = this.getMatcher().search(this.query, this.mode, this.scoped.byFrecency, want);
      this.results = top;
      this.total = total;
    }
    this.selected = 0;
    this.offset = 0;
    if (keepPlace && this.results.length > 0) {
      this.offset = offset;
      this.move(Math.min(selected, this.results.length - 1));
    }
  }

  /**
   * Commands in scope that printed the query (every one that printed something, for no query),
   * most recent first. The rows of the ids found are looked up in a scan of the ids a chunk at a
   * time, then kept if in scope in a scan of the filter's columns: a map of every row's id would
   * take over a gigabyte at 10M rows.
   */
  private printedMatches(): number[] {
    if (this.outputs === null) return [];
    const { index } = this;
    const found = this.outputs.find(this.query.trim());
    const wanted = new Uint8Array(found.length * 16);
    found.forEach((id, i) => idBytes(id, wanted, i));
    const candidates = found.map((_, i) => i);
    const printed = new Set<number>();
    forEachRowChunk(index, ['ids'], (chunk, from, n) => forEachIdIn(chunk.ids as Uint8Array, n, wanted, candidates, (k) => printed.add(from + k)));
    const commands = new Set<number>();
    if (printed.size > 0) {
      forEachRowInScope(index, this.filter, this.context, this.forgotten, (r, c) => {
        if (printed.has(r)) commands.add(c);
      });
    }
    return Array.from(this.scoped.byRecency).filter((c) => commands.has(c));
  }

  /** True while the project's commands are chosen (Ctrl-T) but not read yet. */
  get awaitingProject(): boolean {
    return this.filter.source === PROJECT_SOURCE && !this.index.sources.includes(PROJECT_SOURCE) && this.projectRead !== 'failed';
  }

  /** The id of the inspected run, once, when its stored output and events are to be read. */
  takeStoredAsk(): string | null {
    if (this.inspecting === null || this.stored !== null) return null;
    this.stored = { kind: 'reading' };
    return this.inspecting.id;
  }

  /** Its stored output and events, read (or not): shown if that run is still the one inspected. */
  storedDone(id: string, state: StoredState): void {
    if (this.inspecting?.id === id) this.stored = state;
  }

  /** True, once, when what commands printed is to be read (the output search is on and it is not read). */
  takeOutputsAsk(): boolean {
    if (!this.outputSearch || this.outputsRead !== 'not-asked') return false;
    this.outputsRead = 'asked';
    return true;
  }

  outputsDone(outputs: OutputCorpus): void {
    this.outputs = outputs;
    this.outputsRead = 'taken';
    this.refresh();
  }

  /** True, once, when the project's commands are to be read (their source was chosen). */
  takeProjectAsk(): boolean {
    if (!this.awaitingProject || this.projectRead !== 'not-asked') return false;
    this.projectRead = 'asked';
    return true;
  }

  /** A read that failed: said on the status line; it is not tried again in this search. */
  readFailed(what: 'outputs' | 'project', why: string): void {
    if (what === 'outputs') this.outputsRead = 'failed';
    else this.projectRead = 'failed';
    this.notice = { kind: 'read-failed', what: what === 'outputs' ? 'what commands printed' : "the project's commands", why };
  }

  /**
   * This search over the index with the project's rows added: the query, modes and filter as they
   * are, the list from its top. A forget under way must end first (its rows are of this index).
   */
  withRows(rows: readonly HistoryRow[]): SearchSession {
    const next = new SearchSession(mergeRows(this.index, rows), this.context, {
      ...this.options,
      query: this.query,
      mode: this.mode,
      scope: this.filter.scope,
      outputSearch: this.outputSearch,
      outputs: this.outputs ?? undefined,
    });
    next.cursor = this.cursor;
    next.outputsRead = this.outputsRead;
    next.projectRead = 'taken';
    next.filter.source = this.filter.source;
    next.filter.onlySuccessful = this.filter.onlySuccessful;
    // Rows forgotten here stay out of the list: the index they are still in is this one.
    const gone = new Set<string>();
    if (this.forgotten !== null) for (let r = 0; r < this.index.size; r++) if (this.forgotten[r]) gone.add(idText(this.index.ids, r));
    if (gone.size > 0) for (let r = 0; r < next.index.size; r++) if (gone.has(idText(next.index.ids, r))) next.hideRows([r], 1);
    next.rescope();
    return next;
  }

  /** Marks rows forgotten (1) or not (0). */
  private hideRows(rows: readonly number[], hidden: 0 | 1): void {
    this.forgotten ??= new Uint8Array(this.index.size);
    for (const r of rows) this.forgotten[r] = hidden;
  }

  private rescope(): void {
    this.scoped = scopeCommands(this.index, this.filter, this.context, this.forgotten);
    this.refresh();
  }

  get current(): number | undefined {
    return this.results[this.selected];
  }

  private move(delta: number): void {
    if (this.results.length === 0) return;
    this.selected = Math.min(this.results.length - 1, Math.max(0, this.selected + delta));
    if (this.selected < this.offset) this.offset = this.selected;
    if (this.selected >= this.offset + this.limit) this.offset = this.selected - this.limit + 1;
  }

  private finish(kind: 'accept' | 'edit' | 'cd'): void {
    const c = this.current;
    if (c === undefined) {
      // Nothing matched: Enter keeps what was typed, as the shell's own search would.
      if (kind !== 'cd') this.outcome = { kind, cmd: this.query };
      return;
    }
    if (kind === 'cd') {
      const { cwd: dir } = rowOf(this.index, this.scoped.lastRow[c]!);
      if (dir === '') this.notice = { kind: 'unknown-folder' };
      else if (!(this.options.dirExists ?? isFolder)(dir)) this.notice = { kind: 'missing-folder', dir };
      else this.outcome = { kind: 'cd', dir };
      return;
    }
    this.outcome = { kind, cmd: this.index.commands[c]! };
  }

  /** The forget key: asks to forget the selected command, or says it is a teammate's to forget. */
  private askToForget(): void {
    const c = this.current;
    if (c === undefined) return;
    const { index } = this;
    const local = index.sources.indexOf(LOCAL_SOURCE);
    const rows: number[] = [];
    let theirs = 0;
    let theirSource = '';
    // Every run of it, whatever the filter shows: forgetting a command forgets it everywhere here.
    forEachRowChunk(index, ['cmd', 'source'], (chunk, from, n) => {
      for (let k = 0; k < n; k++) {
        if (chunk.cmd[k] !== c || this.forgotten?.[from + k]) continue;
        if (chunk.source[k] === local) rows.push(from + k);
        else {
          theirs++;
          theirSource = index.sources[chunk.source[k]!]!;
        }
      }
    });
    if (rows.length === 0) this.notice = { kind: 'not-yours', source: theirSource };
    else this.confirming = { command: c, cmd: index.commands[c]!, runs: rows.length, theirs, rows };
  }

  /** The y: the command leaves the list now, and its forget waits in takeForgets. */
  private confirmForget(request: ForgetRequest): void {
    this.hide(request, 1);
    this.inspecting = null;
    this.forgets.push(request);
    this.notice = { kind: 'forgetting', cmd: request.cmd };
  }

  /** The forgets confirmed since the last call, for the caller to carry out (then forgetDone or forgetFailed). */
  takeForgets(): ForgetRequest[] {
    return this.forgets.splice(0);
  }

  forgetDone(request: ForgetRequest, done: ForgetDone): void {
    this.notice = { kind: 'forgot', cmd: request.cmd, runs: done.forgot, theirs: done.theirs };
  }

  /** A forget that failed: its rows are back in the list, and the status line says why. */
  forgetFailed(request: ForgetRequest, why: string): void {
    this.hide(request, 0);
    this.notice = { kind: 'forget-failed', cmd: request.cmd, why };
  }

  /** Hides the request's rows (1) or shows them again (0): only its command is counted again. */
  private hide(request: ForgetRequest, hidden: 0 | 1): void {
    this.hideRows(request.rows, hidden);
    this.scoped = rescopeCommand(this.index, this.scoped, request.command, this.filter, this.context, this.forgotten);
    this.refresh(true);
  }

  private edit(next: string, cursor: number): void {
    this.query = next;
    this.cursor = cursor;
    this.refresh();
  }

  /** Applies one key; returns false for a key it ignores. */
  press(key: Key): boolean {
    this.notice = null;
    const name = key.name ?? '';
    if (this.confirming) {
      // y forgets; any other key lets it go, and does nothing else.
      const request = this.confirming;
      this.confirming = null;
      if (key.sequence === 'y' || key.sequence === 'Y') this.confirmForget(request);
      return true;
    }
    if (isForgetKey(key)) {
      this.askToForget();
      return true;
    }
    if (this.inspecting) {
      if (name === 'escape' || (key.ctrl && (name === 'o' || name === 'g'))) this.inspecting = null;
      else if (key.ctrl && name === 'c') this.outcome = { kind: 'cancel' };
      else if (name === 'return' || name === 'enter') this.finish('accept');
      else if (name === 'tab') this.finish('edit');
      else if (key.ctrl && name === 'd') this.finish('cd');
      // Any other key goes back to the list, and is not typed into the query.
      else this.inspecting = null;
      return true;
    }
    if (key.ctrl) {
      switch (name) {
        case 'c':
        case 'g':
          this.outcome = { kind: 'cancel' };
          return true;
        case 'r':
          this.filter.scope = next(SCOPES, this.filter.scope);
          this.rescope();
          return true;
        case 's':
          this.mode = next(SEARCH_MODES, this.mode);
          this.refresh();
          return true;
        case 't':
          this.filter.source = next(this.sources, this.filter.source);
          this.rescope();
          return true;
        case 'x':
          this.filter.onlySuccessful = !this.filter.onlySuccessful;
          this.rescope();
          return true;
        case 'o':
          if (this.current !== undefined) {
            this.inspecting = commandDetails(this.index, this.current, this.scoped, this.forgotten);
            this.stored = null;
          }
          return true;
        case 'y':
          this.outputSearch = !this.outputSearch;
          this.refresh();
          return true;
        case 'd':
          this.finish('cd');
          return true;
        case 'u':
          this.edit(this.query.slice(this.cursor), 0);
          return true;
        case 'k':
          this.edit(this.query.slice(0, this.cursor), this.cursor);
          return true;
        case 'w': {
          const head = this.query.slice(0, this.cursor).replace(/\S+\s*$/, '');
          this.edit(head + this.query.slice(this.cursor), head.length);
          return true;
        }
        default:
          // Emacs movement keys do what the named keys do.
          return name in EMACS_KEYS ? this.press({ name: EMACS_KEYS[name] }) : false;
      }
    }
    switch (name) {
      case 'escape':
        this.outcome = { kind: 'cancel' };
        return true;
      case 'return':
      case 'enter':
        this.finish('accept');
        return true;
      case 'tab':
        this.finish('edit');
        return true;
      case 'up':
        this.move(-1);
        return true;
      case 'down':
        this.move(1);
        return true;
      case 'pageup':
        this.move(-this.limit);
        return true;
      case 'pagedown':
        this.move(this.limit);
        return true;
      case 'left':
        this.cursor = Math.max(0, this.cursor - 1);
        return true;
      case 'right':
        this.cursor = Math.min(this.query.length, this.cursor + 1);
        return true;
      case 'home':
        this.cursor = 0;
        return true;
      case 'end':
        this.cursor = this.query.length;
        return true;
      case 'backspace':
        if (this.cursor === 0) return true;
        this.edit(this.query.slice(0, this.cursor - 1) + this.query.slice(this.cursor), this.cursor - 1);
        return true;
      case 'delete':
        if (this.cursor >= this.query.length) return true;
        this.edit(this.query.slice(0, this.cursor) + this.query.slice(this.cursor + 1), this.cursor);
        return true;
    }
    const text = key.sequence ?? '';
    // Printable text (a key, or a paste): control characters and escape sequences are not typed.
    if (!key.meta && text !== '' && !/[\u0000-\u001f\u007f]/.test(text)) {
      this.edit(this.query.slice(0, this.cursor) + text + this.query.slice(this.cursor), this.cursor + text.length);
      return true;
    }
    return false;
  }
}

/** Ctrl+letter → the key it stands for, as in readline. */
const EMACS_KEYS: Record<string, string> = { a: 'home', e: 'end', b: 'left', f: 'right', p: 'up', n: 'down', h: 'backspace' };

function next<T>(values: readonly T[], current: T): T {
  return values[(values.indexOf(current) + 1) % values.length]!;
}

/**
 * What keys typed after the search ended mean for the command line: the text to add to it, and
 * whether an Enter among them asks to run it. Keys after that Enter, and editing keys the
 * shell would have to interpret, are not replayed.
 */
export function replayTypeahead(keys: readonly Key[]): { text: string; run: boolean } {
  let text = '';
  for (const key of keys) {
    if (key.name === 'return' || key.name === 'enter') return { text, run: true };
    const sequence = key.sequence ?? '';
    if (key.ctrl || key.meta || sequence === '' || /[\u0000-\u001f\u007f]/.test(sequence)) break;
    text += sequence;
  }
  return { text, run: false };
}
