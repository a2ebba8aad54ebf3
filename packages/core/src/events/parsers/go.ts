import type { OutputParser } from '../output-parser.ts';
import { diagnostic, testResult, type ParsedEvent, type TestStatus } from '../parsed-event.ts';

/** `./main.go:5:2: undefined: x` (go build, go vet) and `    x_test.go:12: got 1` (a test's t.Error). */
const LOCATED = /^\s*((?:\.{0,2}\/)?[^\s:]+\.go):(\d+):(?:(\d+):)? (.*)$/;
/** `--- FAIL: TestAdd (0.00s)`, indented for subtests. */
const RESULT = /^\s*--- (PASS|FAIL|SKIP): (\S+) \((\d+(?:\.\d+)?)s\)$/;
const STATUS: Record<string, TestStatus> = { PASS: 'passed', FAIL: 'failed', SKIP: 'skipped' };

export const goParser: OutputParser = {
  name: 'go',
  commands: ['go', 'gotestsum'],
  looksLike: /^\s*(?:--- (?:PASS|FAIL|SKIP): |(?:\.{0,2}\/)?[^\s:]+\.go:\d+:)/m,
  mentions: ['--- ', '.go:'],
  parse(lines) {
    const events: ParsedEvent[] = [];
    // A test's `file:line: text` lines are its log: errors when it fails, dropped when it passes or skips.
    let logged: ParsedEvent[] = [];
    for (const line of lines) {
      const r = RESULT.exec(line);
      if (r) {
        const status = STATUS[r[1]!]!;
        const first = status === 'failed' ? logged[0] : undefined;
        if (status === 'failed') events.push(...logged);
        logged = [];
        events.push(testResult({ name: r[2]!, status, durationMs: Number(r[3]) * 1000, file: first?.ref_file, line: first?.ref_line }));
        continue;
      }
      const d = LOCATED.exec(line);
      if (d) logged.push(diagnostic({ severity: 'error', file: d[1], line: d[2], column: d[3], message: d[4] }));
    }
    // Lines no result follows: a build's or vet's errors, or a test cut off.
    return [...events, ...logged];
  },
};
