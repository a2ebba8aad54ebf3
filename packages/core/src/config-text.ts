/**
 * Edits of config.toml's `[[remotes]]` tables (and `[storage] mode`) made on the file's text, not through a TOML
 * round trip: a parse-and-stringify drops the user's comments, blank lines, key order and any
 * table bird does not know. Every byte outside the one block added or removed is kept.
 *
 * Pure: text in, text out. The caller parses the result to check it means what was intended
 * (see {@link checkConfigEdit}) before writing it.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'smol-toml';
import { BirdError } from './errors.ts';
import type { RemoteConfig, StorageMode } from './config.ts';

/** One line of the file, without its line ending (kept apart so the file can be rebuilt exactly). */
interface Line {
  readonly text: string;
  readonly eol: '' | '\n' | '\r\n';
}

type LineKind = 'blank' | 'comment' | 'header' | 'content';

interface ScannedLine extends Line {
  readonly kind: LineKind;
  /** For a header line: the table's key path (`[[remotes]]` → ['remotes']) and whether it is `[[…]]`. */
  readonly header?: { readonly path: readonly string[]; readonly array: boolean };
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
      return lines;
    }
    const crlf = nl > start && text[nl - 1] === '\r';
    lines.push({ text: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
}

const joinLines = (lines: readonly Line[]) => lines.map((l) => l.text + l.eol).join('');

/** Where a scan is at the end of a line: inside a multi-line string, and how deep inside brackets. */
interface ScanState {
  string: '' | '"""' | "'''";
  depth: number;
}

/**
 * Reads a table header's key path (`[ a . "b.c" ]` → ['a', 'b.c']), or null when the line
 * is not one. Escapes in quoted keys are decoded only as far as comparing names needs.
 */
function readHeader(text: string): { path: string[]; array: boolean } | null {
  let i = text.search(/\S/);
  if (i === -1 || text[i] !== '[') return null;
  const array = text[i + 1] === '[';
  i += array ? 2 : 1;
  const path: string[] = [];
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let j = i + 1;
      let key = '';
      while (j < text.length && text[j] !== quote) {
        if (quote === '"' && text[j] === '\\') j++;
        key += text[j] ?? '';
        j++;
      }
      if (j >= text.length) return null;
      path.push(key);
      i = j + 1;
    } else {
      const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
      if (!bare) return null;
      path.push(bare[0]);
      i += bare[0].length;
    }
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '.') {
      i++;
      continue;
    }
    const close = array ? ']]' : ']';
    return text.startsWith(close, i) ? { path, array } : null;
  }
}

/** Moves `state` over one line of values (strings, brackets, a comment), from `from` on. */
function scanValues(text: string, from: number, state: ScanState): void {
  let i = from;
  while (i < text.length) {
    if (state.string !== '') {
      if (state.string === '"""') {
        // A backslash escapes the next character, a quote included.
        let j = i;
        let end = -1;
        while (j < text.length) {
          if (text[j] === '\\') j += 2;
          else if (text.startsWith('"""', j)) {
            end = j;
            break;
          } else j++;
        }
        if (end === -1) return;
        i = end + 3;
      } else {
        const close = text.indexOf("'''", i);
        if (close === -1) return;
        i = close + 3;
      }
      // Up to two more quotes right after the delimiter belong to the string.
      while (text[i] === state.string[0]) i++;
      state.string = '';
      continue;
    }
    const c = text[i]!;
    if (c === '#') return;
    if (c === '"' || c === "'") {
      if (text.startsWith(c.repeat(3), i)) {
        state.string = c === '"' ? '"""' : "'''";
        i += 3;
        continue;
      }
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (c === '[' || c === '{') state.depth++;
    else if (c === ']' || c === '}') state.depth = Math.max(0, state.depth - 1);
    i++;
  }
}

/** Classifies each line: a header, a comment or blank line between values, or part of a value. */
function scanLines(text: string): ScannedLine[] {
  const state: ScanState = { string: '', depth: 0 };
  return splitLines(text).map((line) => {
    // Inside a multi-line string or array every line is part of the value, however it looks.
    if (state.string !== '' || state.depth > 0) {
      scanValues(line.text, 0, state);
      return { ...line, kind: 'content' };
    }
    const trimmed = line.text.trim();
    if (trimmed === '') return { ...line, kind: 'blank' };
    if (trimmed.startsWith('#')) return { ...line, kind: 'comment' };
    const header = trimmed.startsWith('[') ? readHeader(line.text) : null;
    if (header) return { ...line, kind: 'header', header };
    scanValues(line.text, 0, state);
    return { ...line, kind: 'content' };
  });
}

const isRemotesHeader = (line: ScannedLine) => line.header?.array === true && line.header.path.length === 1 && line.header.path[0] === 'remotes';
/** `[remotes.x]` or `[[remotes.x]]`: a sub-table of the `[[remotes]]` entry above it. */
const isRemotesSubTable = (line: ScannedLine) => line.header !== undefined && line.header.path.length > 1 && line.header.path[0] === 'remotes';

/** Line ranges [start, end) of each `[[remotes]]` entry: its header up to the next table that is not its own. */
function remoteBlocks(lines: readonly ScannedLine[]): { start: number; end: number }[] {
  const blocks: { start: number; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isRemotesHeader(lines[i]!)) continue;
    let end = i + 1;
    while (end < lines.length && !(lines[end]!.kind === 'header' && !isRemotesSubTable(lines[end]!))) end++;
    blocks.push({ start: i, end });
  }
  return blocks;
}

/**
 * The lines removing a block takes out: its header through its last value, the comments right
 * after that value (a commented-out setting of its own), and the blank lines after them. It
 * leaves comments above its header, comments a blank line below its values, and comments
 * directly above the next table, which belong to what follows.
 */
function removalRange(lines: readonly ScannedLine[], block: { start: number; end: number }): { start: number; end: number } {
  let last = block.start;
  for (let i = block.start; i < block.end; i++) if (lines[i]!.kind === 'header' || lines[i]!.kind === 'content') last = i;
  let keepFrom = block.end;
  // Comments directly above the next table (no blank line between) stay with it.
  if (block.end < lines.length) while (keepFrom - 1 > last && lines[keepFrom - 1]!.kind === 'comment') keepFrom--;
  // A comment after a blank line is not about this entry.
  for (let i = last + 1; i < keepFrom; i++) {
    if (lines[i]!.kind === 'comment' && lines[i - 1]!.kind === 'blank') {
      keepFrom = i;
      break;
    }
  }
  let start = block.start;
  // Nothing left after it: the blank lines that separated it from what came before go too.
  if (keepFrom === lines.length) while (start > 0 && lines[start - 1]!.kind === 'blank') start--;
  return { start, end: keepFrom };
}

/** The file's line ending: CRLF when its first line ends so, else LF. */
function lineEnding(lines: readonly Line[]): '\n' | '\r\n' {
  return lines.find((l) => l.eol !== '')?.eol === '\r\n' ? '\r\n' : '\n';
}

/** The `[[remotes]]` block for one remote, as bird writes it, in the file's line ending. */
export function renderRemoteBlock(remote: RemoteConfig, eol: '\n' | '\r\n' = '\n'): string {
  return stringify({ remotes: [remote] }).replace(/\r?\n/g, eol);
}

/**
 * `text` with a `[[remotes]]` block for `remote` appended at the end, after one blank line.
 * The parse check of {@link checkConfigEdit} catches a file where that cannot work (remotes
 * written as an inline array).
 */
export function appendRemoteBlock(text: string, remote: RemoteConfig): string {
  const lines = scanLines(text);
  const eol = lineEnding(lines);
  const block = renderRemoteBlock(remote, eol);
  if (lines.length === 0) return block;
  let prefix = text;
  if (lines.at(-1)!.eol === '') prefix += eol;
  const lastLine = lines.at(-1)!;
  if (lastLine.kind !== 'blank') prefix += eol;
  return prefix + block;
}

/**
 * `text` without the `index`-th `[[remotes]]` block (0 first, in file order, which is the order
 * a TOML parser gives them). Throws when the file has fewer blocks: its remotes are written
 * some other way (an inline array), which this does not edit.
 */
export function removeRemoteBlock(text: string, index: number): string {
  const lines = scanLines(text);
  const block = remoteBlocks(lines)[index];
  if (!block) throw new BirdError(notEditable());
  const { start, end } = removalRange(lines, block);
  return joinLines([...lines.slice(0, start), ...lines.slice(end)]);
}

/** How many `[[remotes]]` headers the text has (compared with what the parser found). */
export function countRemoteBlocks(text: string): number {
  return remoteBlocks(scanLines(text)).length;
}

const notEditable = () =>
  'config.toml does not write its remotes as [[remotes]] tables bird can find (an inline `remotes = [...]` array?); write each remote as a [[remotes]] table, or edit the file by hand.';

/** The raw `[[remotes]]` tables of a parsed document, broken ones included. */
export function rawRemotes(doc: Record<string, unknown>): unknown[] {
  return Array.isArray(doc.remotes) ? doc.remotes : [];
}

/**
 * Checks that `after` means `before` with exactly the intended change: the remotes equal to
 * `expectedRemotes`, `[storage] mode` equal to `storageMode` when given, every other setting
 * as it was. Throws a sentence otherwise, so a file this module misread is never written.
 */
export function checkConfigEdit(after: string, before: Record<string, unknown>, expectedRemotes: readonly unknown[], where: string, storageMode?: StorageMode, clientId?: string): void {
  let doc: Record<string, unknown>;
  try {
    doc = parse(after) as Record<string, unknown>;
  } catch (error) {
    throw new BirdError(`bird could not edit ${where} safely (the edit would not parse: ${(error as Error).message.split('\n')[0]}); edit it by hand.`, { cause: error });
  }
  const { remotes: _afterRemotes, ...afterRest } = doc;
  const { remotes: _beforeRemotes, ...beforeRest } = before;
  // A client id edit: the id must now be the one asked for; put the old one back to compare the rest.
  let idAsAsked = true;
  if (clientId !== undefined) {
    idAsAsked = afterRest.client_id === clientId;
    if (before.client_id === undefined) delete afterRest.client_id;
    else afterRest.client_id = before.client_id;
  }
  // A mode edit: the mode must now be the one asked for; put the old one back to compare the rest.
  let modeAsAsked = true;
  if (storageMode !== undefined) {
    const storage = afterRest.storage as Record<string, unknown> | undefined;
    const had = before.storage as Record<string, unknown> | undefined;
    modeAsAsked = storage?.mode === storageMode;
    if (storage && had === undefined && Object.keys(storage).length === 1) delete afterRest.storage;
    else if (storage && had?.mode === undefined) delete storage.mode;
    else if (storage) storage.mode = had!.mode;
  }
  if (!modeAsAsked || !idAsAsked || !isDeepStrictEqual(afterRest, beforeRest) || !isDeepStrictEqual(rawRemotes(doc), [...expectedRemotes])) {
    const what = clientId !== undefined ? 'client_id' : storageMode === undefined ? 'the one remote' : 'the storage mode';
    throw new BirdError(`bird could not edit ${where} safely (the edit would change more than ${what}); edit it by hand.`);
  }
}

/** An edit of config.toml: the new text, and the `[[remotes]]` tables (and mode, if set) it must parse to. */
export interface ConfigEdit {
  readonly text: string;
  readonly remotes: readonly unknown[];
  readonly storageMode?: StorageMode;
  readonly clientId?: string;
}

function requireBlocks(text: string, doc: Record<string, unknown>): void {
  // Fewer headers than entries: some are written inline; more: this scan misread the file.
  if (countRemoteBlocks(text) !== rawRemotes(doc).length) throw new BirdError(notEditable());
}

/** Adds `remote` at the end of `text` (parsed as `doc`). */
export function planAddRemote(text: string, doc: Record<string, unknown>, remote: RemoteConfig): ConfigEdit {
  requireBlocks(text, doc);
  const added = rawRemotes(parse(renderRemoteBlock(remote)) as Record<string, unknown>);
  return { text: appendRemoteBlock(text, remote), remotes: [...rawRemotes(doc), ...added] };
}

/**
 * Removes the first `[[remotes]]` entry called exactly `name` (a broken one too: removing it
 * is how a user gets rid of it), or null when there is none.
 */
export function planRemoveRemote(text: string, doc: Record<string, unknown>, name: string): ConfigEdit | null {
  const remotes = rawRemotes(doc);
  const index = remotes.findIndex((r) => remoteNameOf(r) === name);
  if (index === -1) return null;
  requireBlocks(text, doc);
  return { text: removeRemoteBlock(text, index), remotes: remotes.filter((_, i) => i !== index) };
}

/** The name a raw `[[remotes]]` table gives itself, if it gives a string. */
export function remoteNameOf(raw: unknown): string | undefined {
  const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

const isStorageHeader = (line: ScannedLine) => line.header?.array === false && line.header.path.length === 1 && line.header.path[0] === 'storage';

/**
 * Sets `[storage] mode` (what `bird init --mode` does to a root the first capture made):
 * the value of its `mode = …` line replaced in place, comments kept; the line added under
 * `[storage]` when missing, and the table at the end when there is none.
 */
export function planStorageMode(text: string, doc: Record<string, unknown>, mode: StorageMode): ConfigEdit {
  const lines = scanLines(text);
  const eol = lineEnding(lines);
  const value = JSON.stringify(mode);
  const remotes = rawRemotes(doc);
  const header = lines.findIndex(isStorageHeader);
  if (header === -1) {
    const prefix = lines.length === 0 ? '' : text + (lines.at(-1)!.eol === '' ? eol : '') + (lines.at(-1)!.kind === 'blank' ? '' : eol);
    return { text: `${prefix}[storage]${eol}mode = ${value}${eol}`, remotes, storageMode: mode };
  }
  const edited = [...lines];
  for (let i = header + 1; i < lines.length && lines[i]!.kind !== 'header'; i++) {
    const match = /^(\s*mode\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$/.exec(lines[i]!.text);
    if (lines[i]!.kind !== 'content' || !match) continue;
    edited[i] = { ...lines[i]!, text: match[1] + value + match[3] };
    return { text: joinLines(edited), remotes, storageMode: mode };
  }
  edited.splice(header + 1, 0, { text: `mode = ${value}`, eol, kind: 'content' });
  return { text: joinLines(edited), remotes, storageMode: mode };
}

/**
 * config.toml's text with the top-level `client_id` set to `id`: its line's value replaced where
 * there is one before the first table, else a line added just above the first table (top-level
 * keys must come before every table header), after the file's opening comments.
 */
export function planClientId(text: string, doc: Record<string, unknown>, id: string): ConfigEdit {
  const lines = scanLines(text);
  const eol = lineEnding(lines);
  const value = JSON.stringify(id);
  const remotes = rawRemotes(doc);
  const firstHeader = lines.findIndex((l) => l.kind === 'header');
  const topLevel = firstHeader === -1 ? lines.length : firstHeader;
  const edited: Line[] = [...lines];
  for (let i = 0; i < topLevel; i++) {
    const match = /^(\s*client_id\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$/.exec(lines[i]!.text);
    if (lines[i]!.kind !== 'content' || !match) continue;
    edited[i] = { ...lines[i]!, text: match[1] + value + match[3] };
    return { text: joinLines(edited), remotes, clientId: id };
  }
  let at = 0;
  while (at < topLevel && lines[at]!.kind === 'comment') at++;
  if (at > 0 && lines[at - 1]!.eol === '') edited[at - 1] = { ...lines[at - 1]!, eol };
  edited.splice(at, 0, { text: `client_id = ${value}`, eol, kind: 'content' } as ScannedLine);
  return { text: joinLines(edited), remotes, clientId: id };
}
