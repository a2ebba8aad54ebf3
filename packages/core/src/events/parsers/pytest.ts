import type { OutputParser } from '../output-parser.ts';
import { diagnostic, testResult, type ParsedEvent, type TestStatus } from '../parsed-event.ts';

const STATUS: Record<string, TestStatus> = { PASSED: 'passed', FAILED: 'failed', ERROR: 'failed', SKIPPED: 'skipped', XFAIL: 'skipped', XPASS: 'passed' };
/** -rA / short summary: `FAILED test_x.py::test_bad - assert 1 == 2`. */
const SUMMARY = /^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+::\S+?)(?: - (.*))?$/;
/** `SKIPPED [1] test_x.py:4: reason`: skips are counted per place, not named. */
const SKIPPED = /^SKIPPED \[(\d+)\] (.+?):(\d+): (.*)$/;
/** -v: `test_x.py::test_ok PASSED  [ 33%]`. */
const VERBOSE = /^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/;
/** In FAILURES: `test_x.py:3: AssertionError`, after the `E   assert 1 == 2` lines. */
const FAILED_AT = /^(\S+\.py):(\d+): (\w+)$/;
const EXPLANATION = /^E\s+(.*)$/;
/** A failure's section in FAILURES: `_____ test_bad _____` (`TestClass.test_x` for a method). */
const SECTION = /^_{3,} (.+?) _{3,}$/;

function fileOf(nodeId: string): string {
  return nodeId.slice(0, nodeId.indexOf('::'));
}

/** pytest's results (-v, -rA and the short summary) and where each failure was raised. */
export const pytestParser: OutputParser = {
  name: 'pytest',
  commands: ['pytest', 'py.test', 'python -m pytest', 'python3 -m pytest', 'tox', 'nox'],
  looksLike: /^(?:={5,} test session starts|(?:PASSED|FAILED|ERROR) \S+::)/m,
  mentions: [' test session starts', '::'],
  parse(lines) {
    const tests = new Map<string, ParsedEvent>();
    const events: ParsedEvent[] = [];
    let explanation: string | null = null;
    let section: string | null = null;
    /** Where each failed test raised, by its section's name. */
    const raisedAt = new Map<string, { file: string; line: string }>();
    for (const line of lines) {
      const h = SECTION.exec(line);
      if (h) {
        section = h[1]!;
        explanation = null;
        continue;
      }
      const s = SUMMARY.exec(line);
      const v = s ? null : VERBOSE.exec(line);
      if (s || v) {
        const name = s ? s[2]! : v![1]!;
        const status = STATUS[s ? s[1]! : v![2]!]!;
        const raised = status === 'failed' ? raisedAt.get(name.slice(name.indexOf('::') + 2).replaceAll('::', '.')) : undefined;
        tests.set(name, testResult({ name, status, file: raised?.file ?? fileOf(name), line: raised?.line, message: s?.[3] ?? tests.get(name)?.message }));
        continue;
      }
      const k = SKIPPED.exec(line);
      if (k) {
        tests.set(`${k[2]}:${k[3]}`, testResult({ name: `${k[2]}:${k[3]}`, status: 'skipped', file: k[2], line: k[3], message: k[4] }));
        continue;
      }
      const e = EXPLANATION.exec(line);
      if (e) {
        explanation ??= e[1]!;
        continue;
      }
      const f = FAILED_AT.exec(line);
      if (f) {
        events.push(diagnostic({ severity: 'error', file: f[1], line: f[2], code: f[3], message: explanation ?? f[3] }));
        if (section !== null && !raisedAt.has(section)) raisedAt.set(section, { file: f[1]!, line: f[2]! });
        explanation = null;
      }
    }
    return [...tests.values(), ...events];
  },
};
