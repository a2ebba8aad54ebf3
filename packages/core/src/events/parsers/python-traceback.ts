import type { OutputParser } from '../output-parser.ts';
import { diagnostic, type ParsedEvent } from '../parsed-event.ts';

const START = /^\s*Traceback \(most recent call last\):$/;
const FRAME = /^\s*File "(.+)", line (\d+)(?:, in .*)?$/;
/** The exception's own line: `ZeroDivisionError: division by zero`, `KeyboardInterrupt`, `mod.Error: …`. */
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

/**
 * A Python traceback as one error at its innermost frame (where it was raised), its code the
 * exception's type. A SyntaxError's one frame is the line that does not parse.
 */
export const pythonTracebackParser: OutputParser = {
  name: 'python-traceback',
  commands: ['python', 'python3', 'python2', 'ipython', 'uv run', 'poetry run'],
  looksLike: /^\s*Traceback \(most recent call last\):$/m,
  mentions: ['Traceback (most recent call last):'],
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!START.test(lines[i]!)) continue;
      let frame: RegExpExecArray | null = null;
      let j = i + 1;
      for (; j < lines.length; j++) {
        const line = lines[j]!;
        const f = FRAME.exec(line);
        if (f) frame = f;
        else if (!/^\s/.test(line) && line !== '') break;
      }
      const e = j < lines.length ? EXCEPTION.exec(lines[j]!) : null;
      // Truncated output: the traceback's end was not kept, the frame still says where.
      events.push(diagnostic({ severity: 'error', file: frame?.[1], line: frame?.[2], code: e?.[1] ?? null, message: e ? lines[j] : 'Traceback (cut off)' }));
      i = j;
    }
    return events;
  },
};
