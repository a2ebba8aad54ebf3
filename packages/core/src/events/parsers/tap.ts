import type { OutputParser } from '../output-parser.ts';
import { testResult, type ParsedEvent } from '../parsed-event.ts';

/** `ok 1 - name`, `not ok 2 name # SKIP why`, indented for subtests (node --test). */
const POINT = /^(\s*)(not ok|ok)\b(?:\s+\d+)?(?:\s+-)?\s*(.*?)\s*(?:#\s*(SKIP|TODO)\b.*)?$/i;
/** node --test's YAML block under a point: `  duration_ms: 1.23`. */
const DURATION = /^\s+duration_ms:\s*(\d+(?:\.\d+)?)$/;

export const tapParser: OutputParser = {
  name: 'tap',
  commands: ['prove', 'tap', 'node --test', 'bats'],
  looksLike: /^(?:TAP version \d+|\s*1\.\.\d+)$/m,
  mentions: ['TAP version ', '1..'],
  parse(lines) {
    const events: ParsedEvent[] = [];
    let last: number | null = null;
    for (const line of lines) {
      const p = POINT.exec(line);
      if (p) {
        const directive = p[4]?.toUpperCase();
        const status = directive === 'SKIP' || directive === 'TODO' ? 'skipped' : p[2] === 'ok' ? 'passed' : 'failed';
        events.push(testResult({ name: p[3] || '(unnamed)', status }));
        last = events.length - 1;
        continue;
      }
      const d = last === null ? null : DURATION.exec(line);
      if (d && last !== null && events[last]!.duration_ms === null) events[last] = { ...events[last]!, duration_ms: Math.round(Number(d[1])) };
    }
    return events;
  },
};
