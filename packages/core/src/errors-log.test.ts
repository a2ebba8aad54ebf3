import { describe, expect, it } from 'vitest';
import { ERRORS_LOG_LINE, errorsLogLine } from './errors-log.ts';

describe('errorsLogLine', () => {
  it.each([
    ['one sentence', 'bird-capture', 'cannot write x; fix it.', '2026-12-07T03:30:37Z bird-capture: cannot write x; fix it.\n'],
    ['a message of several lines, joined', 'bird-capture', 'Error: boom\n    at x\n', '2026-12-07T03:30:37Z bird-capture: Error: boom at x\n'],
    ['the hooks', 'bird hook', 'cannot start bird-capture', '2026-12-07T03:30:37Z bird hook: cannot start bird-capture\n'],
  ] as const)('%s: UTC to the second, who, the message', (_name, who, message, line) => {
    expect(errorsLogLine(who, message, new Date('2026-12-07T03:30:37.987Z'))).toBe(line);
    expect(line.slice(0, -1)).toMatch(ERRORS_LOG_LINE);
  });

  it.each(['2026-12-07T03:30:37+0000 bird hook: x', '2026-12-07T03:30:37.123Z bird-capture: x', '2026-12-07T03:30:37Z bird-capture:', 'bird-capture: x'])(
    'ERRORS_LOG_LINE takes no other form: %j',
    (line) => expect(line).not.toMatch(ERRORS_LOG_LINE),
  );
});
