import { displayWidth, truncateToWidth } from './text-width.ts';

export type Align = 'left' | 'right';

/**
 * A table ready to print: every cell already rendered as text. A cell may hold several lines
 * (`\n`): its row then takes that many lines, the other cells blank below their first line.
 */
export interface TextTable {
  readonly headers: readonly string[];
  readonly align: readonly Align[];
  readonly rows: readonly (readonly string[])[];
  /** Which columns may be cut to fit a terminal; by default the left-aligned (text) ones. */
  readonly cuttable?: readonly boolean[];
}

/** Between two columns. */
export const GAP = '  ';
/** Text columns are never cut narrower than this (or their header, if shorter). */
const MIN_TEXT_WIDTH = 6;

/**
 * Column widths that fit `maxWidth`: cuttable columns wider than a common cap are cut to it,
 * with the largest cap that fits, so the widest columns give way first; the others (numbers,
 * times) keep their width so that they are never cut.
 */
export function fitWidths(natural: readonly number[], cuttable: readonly boolean[], maxWidth: number): number[] {
  const floor = (i: number) => Math.min(natural[i]!, MIN_TEXT_WIDTH);
  const withCap = (cap: number) => natural.map((w, i) => (cuttable[i] ? Math.min(w, Math.max(cap, floor(i))) : w));
  const total = (widths: number[]) => widths.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, widths.length - 1);
  let lo = 0;
  let hi = largest(natural);
  if (total(withCap(hi)) <= maxWidth) return withCap(hi);
  // Largest cap whose table fits; cap 0 leaves every text column at its floor.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(withCap(mid)) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  // The cap is a whole number; hand the columns it leaves unused to the widest cut columns.
  const widths = withCap(lo);
  let spare = maxWidth - total(widths);
  const cut = widths.map((_w, i) => i).filter((i) => widths[i]! < natural[i]!).sort((a, b) => natural[b]! - natural[a]!);
  for (const i of cut) {
    if (spare <= 0) break;
    widths[i]!++;
    spare--;
  }
  return widths;
}

/** The largest of `values`, or 0; a loop, since spreading a result's rows into Math.max overflows the stack. */
function largest(values: readonly number[]): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max;
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Renders an aligned table: a header, a rule of dashes, one line per row, two spaces between
 * columns and no trailing blanks. With `maxWidth` (a terminal), long cells end in `…`.
 */
export function renderTable(table: TextTable, options: { maxWidth?: number } = {}): string {
  const rows = table.rows.map((row) => row.map((cell) => cell.split('\n')));
  const natural = table.headers.map((header, i) => {
    let width = displayWidth(header);
    for (const row of rows) for (const text of row[i] ?? []) width = Math.max(width, displayWidth(text));
    return width;
  });
  const cuttable = table.cuttable ?? table.align.map((a) => a === 'left');
  const widths = options.maxWidth === undefined ? natural : fitWidths(natural, cuttable, options.maxWidth);
  const cut = (text: string, i: number) => truncateToWidth(text, widths[i]!);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => pad(cut(cell, i), widths[i]!, table.align[i] ?? 'left'))
      .join(GAP)
      .trimEnd();
  const out = [line(table.headers), widths.map((w) => '-'.repeat(w)).join(GAP)];
  for (const row of rows) {
    let height = 1;
    for (const lines of row) if (lines.length > height) height = lines.length;
    for (let l = 0; l < height; l++) out.push(line(row.map((lines) => lines[l] ?? '')));
  }
  return `${out.join('\n')}\n`;
}
