// A series as one line of block heights: the per-day counts of `bird stats` at a glance.

const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * One character per value, ▁ for the smallest level and █ for the largest value. Zero is a
 * space, so a day without commands reads as a gap rather than as a low day.
 *
 * @example
 * sparkline([0, 1, 4, 8]) // ' ▁▄█'
 */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v > 0 ? LEVELS[Math.min(7, Math.max(0, Math.ceil((v / max) * 8) - 1))] : ' ')).join('');
}
