import type { OutputFormat, ResultSet } from './result-set.ts';
import { renderTable, type TextTable } from './table.ts';
import { escapeControls, escapeForTerminal, escapeJsonForTerminal } from './text-width.ts';
import { isNumericType, plainText, tableText, toJson } from './values.ts';

/** One CSV field, quoted as RFC 4180 asks when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * How values are shown. `terminal` (stdout is a TTY): control and bidi characters in names
 * and values are shown as visible escapes (see escapeForTerminal); otherwise csv and json are
 * byte-exact.
 */
export interface RenderOptions {
  /** A terminal's width: only tables are fitted to it. */
  readonly maxWidth?: number;
  readonly terminal?: boolean;
}

const asIs = (text: string) => text;

/** A header line, then one line per row; NULL is an empty field. Lines end in `\n`. */
export function renderCsv(result: ResultSet, options: RenderOptions = {}): string {
  const show = options.terminal ? escapeForTerminal : asIs;
  const lines = [result.columns.map((c) => csvField(show(c.name))).join(',')];
  for (const row of result.rows) {
    lines.push(result.columns.map((_c, i) => csvField(show(plainText(row[i]) ?? ''))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Keys for JSON objects: a repeated column name gets `_2`, `_3` … so that no value is lost. */
export function uniqueKeys(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let key = name;
    for (let n = 2; used.has(key); n++) key = `${name}_${n}`;
    used.add(key);
    return key;
  });
}

/** An array of objects, one per row and one line each; NULL is `null`. */
export function renderJson(result: ResultSet, options: RenderOptions = {}): string {
  if (result.rows.length === 0) return '[]\n';
  const keys = uniqueKeys(result.columns.map((c) => c.name));
  const show = options.terminal ? escapeJsonForTerminal : asIs;
  const lines = result.rows.map((row) => show(toJson(Object.fromEntries(keys.map((key, i) => [key, row[i] ?? null])))));
  return `[\n${lines.join(',\n')}\n]\n`;
}

/** Cells as one line each (controls escaped, and bidi controls too in a terminal), measured as printed. */
export function resultToTextTable(result: ResultSet, options: RenderOptions = {}): TextTable {
  const escape = options.terminal ? escapeForTerminal : escapeControls;
  return {
    headers: result.columns.map((c) => escape(c.name)),
    align: result.columns.map((c) => (isNumericType(c.type) ? 'right' : 'left')),
    rows: result.rows.map((row) => result.columns.map((c, i) => escape(tableText(row[i], c.type)))),
    // Numbers, times, dates and booleans are short and lose their meaning when cut.
    cuttable: result.columns.map((c) => !isNumericType(c.type) && !/^(TIMESTAMP|DATE|TIME|BOOLEAN|INTERVAL|UUID)/i.test(c.type.trim())),
  };
}

/** Prints a result in the chosen format; `maxWidth` (a terminal's) only affects tables. */
export function renderResult(result: ResultSet, format: OutputFormat, options: RenderOptions = {}): string {
  // Statements such as SET return no columns: nothing to print.
  if (result.columns.length === 0) return '';
  const renderers: Record<OutputFormat, () => string> = {
    table: () => renderTable(resultToTextTable(result, options), options),
    csv: () => renderCsv(result, options),
    json: () => renderJson(result, options),
  };
  return renderers[format]();
}
