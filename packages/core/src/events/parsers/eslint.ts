import type { OutputParser } from '../output-parser.ts';
import { diagnostic, severityOf, type ParsedEvent } from '../parsed-event.ts';

/** stylish: a file's path alone on a line, then `  3:7  error  'x' is assigned …  no-unused-vars`. */
const STYLISH_FILE = /^((?:[A-Za-z]:)?[/\\.\w][^:\s]*(?:[ ][^:\s]+)*\.\w+)$/;
const STYLISH_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*?)(?:\s{2,}([@\w/-]+))?$/;
/** unix: `src/a.js:3:7: 'x' is assigned a value but never used. [Error/no-unused-vars]`. */
const UNIX = /^(.+?):(\d+):(\d+): (.*) \[(Error|Warning)(?:\/([@\w/-]+))?\]$/;

export const eslintParser: OutputParser = {
  name: 'eslint',
  commands: ['eslint', 'next lint'],
  looksLike: /^\s+\d+:\d+\s+(?:error|warning)\s|\[(?:Error|Warning)(?:\/[@\w/-]+)?\]$/m,
  mentions: ['error', 'warning', '[Error', '[Warning'],
  parse(lines) {
    const events: ParsedEvent[] = [];
    let file: string | null = null;
    for (const line of lines) {
      const u = UNIX.exec(line);
      if (u) {
        events.push(diagnostic({ severity: severityOf(u[5]!), file: u[1], line: u[2], column: u[3], message: u[4], code: u[6] }));
        continue;
      }
      const p = file === null ? null : STYLISH_PROBLEM.exec(line);
      if (p) {
        events.push(diagnostic({ severity: severityOf(p[3]!), file, line: p[1], column: p[2], message: p[4], code: p[5] }));
        continue;
      }
      const f = STYLISH_FILE.exec(line);
      if (f) file = f[1]!;
      else if (line.trim() === '') file = null;
    }
    return events;
  },
};
