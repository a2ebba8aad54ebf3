import type { OutputParser } from '../output-parser.ts';
import { diagnostic, severityOf, type ParsedEvent } from '../parsed-event.ts';

/** `error[E0308]: mismatched types` then, a line or so below, ` --> src/main.rs:2:18`. */
const HEADER = /^(error|warning|note)(?:\[([\w:-]+)\])?: (.*)$/;
const ARROW = /^\s*--> (.+?):(\d+):(\d+)$/;
/** cargo's closing lines, which repeat what the diagnostics said. */
const SUMMARY = /^(?:could not compile|aborting due to|`[^`]+` \(.*\) generated \d+ warning|build failed)/;
/** How far below its header a location may be (rustc prints it on the next line). */
const ARROW_WITHIN_LINES = 3;

export const rustParser: OutputParser = {
  name: 'rust',
  commands: ['rustc', 'cargo'],
  looksLike: /^\s*--> .+:\d+:\d+$/m,
  mentions: ['--> '],
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (let i = 0; i < lines.length; i++) {
      const h = HEADER.exec(lines[i]!);
      if (!h || SUMMARY.test(h[3]!)) continue;
      let at: RegExpExecArray | null = null;
      for (let j = i + 1; j <= i + ARROW_WITHIN_LINES && j < lines.length && !HEADER.test(lines[j]!); j++) {
        at = ARROW.exec(lines[j]!);
        if (at) break;
      }
      events.push(diagnostic({ severity: severityOf(h[1]!), code: h[2], message: h[3], file: at?.[1], line: at?.[2], column: at?.[3] }));
    }
    return events;
  },
};
