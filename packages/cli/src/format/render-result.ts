import type { OutputFormat, ResultSet } from './result-set.ts';
import { renderTable, type TextTable } from './table.ts';
import { escapeForTerminal, escapeJsonForTerminal } from './text-width.ts';
import { isNumericType, plainText, tableText, toJson } from './values.ts';

/** One CSV field, quoted as RFC 4180 asks when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * How values are shown. Whether stdout is a terminal or a pipe (`| cat` ends at one too), no
 * value ever carries a control or bidi character out raw: a table and csv show them as visible
 * escapes (escapeForTerminal), json as `\uXXXX`, which is still the exact value.
 */
export interface RenderOptions {
  /** A terminal's width: only tables are fitted to it. */
  readonly maxWidth?: number;
}

/**
 * A value for csv: control and bidi characters escaped, except a newline, which a quoted field
 * holds as it is (RFC 4180), so a multi-line command stays its lines; for exact values, json.
 */
export function csvText(text: string): string {
  return text.includes('\n') ? text.split('\n').map(escapeForTerminal).join('\n') : escapeForTerminal(text);
}

/** A header line, then one line per row; NULL is an empty field. Lines end in `\n`. */
export function renderCsv(result: ResultSet): string {
  const lines = [result.columns.map((c) => csvField(csvText(c.name))).join(',')];
  for (const row of result.rows) {
    lines.push(result.columns.map((_c, i) => csvField(csvText(plainText(row[i]) ?? ''))).join(','));
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

/** An array of objects, one per row and one line each; NULL is `null`. Control characters as `\uXXXX`. */
export function renderJson(result: ResultSet): string {
  if (result.rows.length === 0) return '[]\n';
  const keys = uniqueKeys(result.columns.map((c) => c.name));
  const lines = result.rows.map((row) => escapeJsonForTerminal(toJson(Object.fromEntries(keys.map((key, i) => [key, row[i] ?? null])))));
  return `[\n${lines.join(',\n')}\n]\n`;
}

/** Cells as one line each (control and bidi characters escaped), measured as printed. */
export function resultToTextTable(result: ResultSet): TextTable {
  const escape = escapeForTerminal;
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
    table: () => renderTable(resultToTextTable(result), options),
    csv: () => renderCsv(result),
    json: () => renderJson(result),
  };
  return renderers[format]();
}
