import type { OutputParser } from '../output-parser.ts';
import { diagnostic, type ParsedEvent } from '../parsed-event.ts';

/** `make: *** [Makefile:2: all] Error 1` (GNU make 4), `make[1]: *** [all] Error 2` (older, or no place). */
const FAILED_RULE = /^g?make(?:\[\d+\])?: \*\*\* \[(?:(.+?):(\d+): )?(.+?)\] Error (\d+)$/;
/** `make: *** No rule to make target 'x'.  Stop.` */
const STOPPED = /^g?make(?:\[\d+\])?: \*\*\* (.+?)\.?\s+Stop\.$/;

export const makeParser: OutputParser = {
  name: 'make',
  commands: ['make', 'gmake'],
  looksLike: /^g?make(?:\[\d+\])?: \*\*\* /m,
  mentions: ['*** '],
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (const line of lines) {
      const f = FAILED_RULE.exec(line);
      if (f) {
        events.push(diagnostic({ severity: 'error', file: f[1], line: f[2], code: `Error ${f[4]}`, message: `target ${f[3]} failed` }));
        continue;
      }
      const s = STOPPED.exec(line);
      if (s) events.push(diagnostic({ severity: 'error', message: s[1] }));
    }
    return events;
  },
};
