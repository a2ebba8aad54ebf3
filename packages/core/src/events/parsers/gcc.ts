import type { OutputParser } from '../output-parser.ts';
import type { ParsedEvent } from '../parsed-event.ts';
import { locatedDiagnostic } from './located-diagnostic.ts';

/** gcc, clang, and tools that print their format (shellcheck -f gcc, mypy, cppcheck --template=gcc). */
export const gccParser: OutputParser = {
  name: 'gcc',
  commands: ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'shellcheck', 'mypy', 'dmypy'],
  looksLike: /^(?:[A-Za-z]:)?[^\s:][^:\n]*:\d+:(?:\d+:)? (?:fatal error|error|warning|note): /m,
  mentions: ['error: ', 'warning: ', 'note: '],
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (const line of lines) {
      const event = locatedDiagnostic(line);
      if (event) events.push(event);
    }
    return events;
  },
};
