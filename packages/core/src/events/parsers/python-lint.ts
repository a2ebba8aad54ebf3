import type { OutputParser } from '../output-parser.ts';
import { diagnostic, type ParsedEvent, type Severity } from '../parsed-event.ts';

/** flake8, ruff (concise), pycodestyle, pylint --output-format=parseable: `x.py:1:8: F401 'os' imported but unused`. */
const CODED = /^(.+?\.pyi?):(\d+):(?:(\d+):)? \[?([A-Z]+\d+)\]?(?:\([\w-]+\))? (?:\[\*\] )?(.*)$/;

/** pycodestyle's W… and pylint's C/R/W are warnings; E, F (pyflakes) and the rest errors. */
function severityOfCode(code: string): Severity {
  return /^(?:W|C|R|N|D)/.test(code) ? 'warning' : 'error';
}

export const pythonLintParser: OutputParser = {
  name: 'python-lint',
  commands: ['flake8', 'ruff', 'ruff check', 'pycodestyle', 'pylint', 'pyflakes'],
  looksLike: /^.+?\.pyi?:\d+:(?:\d+:)? \[?[A-Z]+\d+\]?/m,
  mentions: ['.py'],
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (const line of lines) {
      const m = CODED.exec(line);
      if (m) events.push(diagnostic({ severity: severityOfCode(m[4]!), file: m[1], line: m[2], column: m[3], code: m[4], message: m[5] }));
    }
    return events;
  },
};
