import type { OutputParser } from '../output-parser.ts';
import { diagnostic, severityOf, type ParsedEvent } from '../parsed-event.ts';

/** `broken.ts(1,7): error TS2322: …` (plain) and `broken.ts:1:7 - error TS2322: …` (--pretty). */
const PLAIN = /^(.+?)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$/;
const PRETTY = /^(.+?):(\d+):(\d+) - (error|warning|message) (TS\d+): (.*)$/;
/** An error of no file: `error TS5042: Option 'project' cannot be mixed …`. */
const GLOBAL = /^(error|warning) (TS\d+): (.*)$/;

export const tscParser: OutputParser = {
  name: 'tsc',
  commands: ['tsc', 'vue-tsc', 'tsserver'],
  looksLike: /(?:\(\d+,\d+\): |:\d+:\d+ - |^)(?:error|warning) TS\d+: /m,
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (const line of lines) {
      const m = PLAIN.exec(line) ?? PRETTY.exec(line);
      if (m) {
        events.push(diagnostic({ severity: severityOf(m[4]!), file: m[1], line: m[2], column: m[3], code: m[5], message: m[6] }));
        continue;
      }
      const g = GLOBAL.exec(line);
      if (g) events.push(diagnostic({ severity: severityOf(g[1]!), code: g[2], message: g[3] }));
    }
    return events;
  },
};
