import type { OutputParser } from '../output-parser.ts';
import type { ParsedEvent } from '../parsed-event.ts';
import { locatedDiagnostic } from './located-diagnostic.ts';

/** Any `file:line[:col]: error|warning: …` line, for tools no parser knows; notes are left out. */
export const fallbackParser: OutputParser = {
  name: 'fallback',
  commands: [],
  looksLike: /:\d+:(?:\d+:)?\s*(?:error|warning)/i,
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (const line of lines) {
      const event = locatedDiagnostic(line);
      if (event && event.severity !== 'note') events.push(event);
    }
    return events;
  },
};
