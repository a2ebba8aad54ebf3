// Horizontal bars in eighths of a cell, so a 20-cell bar still shows 160 steps.

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A bar `value / max` of `cells` long, in full blocks and one partial block; at most `cells`
 * wide. A value above zero always shows at least ▏, so a rare entry is not mistaken for none.
 *
 * @example
 * bar(3, 8, 4) // '█▌'
 */
export function bar(value: number, max: number, cells: number): string {
  if (!(value > 0) || !(max > 0) || cells <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * cells * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}
