import type { OutputParser } from '../output-parser.ts';
import { testResult, type ParsedEvent, type TestStatus } from '../parsed-event.ts';

/**
 * jest (`✓ adds (3 ms)`, `✕ fails (5 ms)`, `○ skipped later`) and vitest's verbose reporter
 * (`✓ x.test.ts > math > adds 2ms`, `× …`, `↓ …`); a failure's place from the first `❯ file:l:c`
 * (vitest) or `at … (file:l:c)` (jest) after its heading.
 */
const MARKS: Record<string, TestStatus> = { '✓': 'passed', '✔': 'passed', '√': 'passed', '✕': 'failed', '×': 'failed', '✗': 'failed', '○': 'skipped', '↓': 'skipped' };
const RESULT = /^\s*([✓✔√✕×✗○↓])\s+(?:skipped\s+)?(.+?)(?:\s+\((\d+(?:\.\d+)?)\s*(ms|s)\)|\s+(\d+(?:\.\d+)?)(ms|s))?$/;
/** A failure's heading: jest `● suite › name`, vitest ` FAIL  x.test.ts > math > fails`. */
const HEADING = /^\s*(?:●|FAIL)\s+(.+?)\s*$/;
const PLACE = /^\s*(?:❯\s+|at .*\()((?:[A-Za-z]:)?[^\s:()]+):(\d+):\d+\)?$/;

/** `name` is `… > step`: compared in place, as this runs for every failed test under every heading. */
const endsWithStep = (name: string, step: string) => name.endsWith(step) && name.startsWith(' > ', name.length - step.length - 3);

const ms = (value: string | undefined, unit: string | undefined) => (value === undefined ? null : Number(value) * (unit === 's' ? 1000 : 1));

export const jsTestsParser: OutputParser = {
  name: 'js-tests',
  commands: ['jest', 'vitest', 'npm test', 'npm run test', 'yarn test', 'pnpm test'],
  looksLike: /^\s*[✓✔√✕×✗○↓]\s+\S/m,
  mentions: ['✓', '✔', '√', '✕', '×', '✗', '○', '↓'],
  parse(lines) {
    const tests: ParsedEvent[] = [];
    /** The failed tests' places in `tests`: a heading names one of the latest. */
    const failed: number[] = [];
    let failing: number | null = null;
    for (const line of lines) {
      const r = RESULT.exec(line);
      if (r) {
        const status = MARKS[r[1]!]!;
        if (status === 'failed') failed.push(tests.length);
        tests.push(testResult({ name: r[2]!, status, durationMs: ms(r[3] ?? r[5], r[4] ?? r[6]) }));
        continue;
      }
      const h = HEADING.exec(line);
      if (h) {
        const name = h[1]!.replaceAll(' › ', ' > ');
        failing = null;
        for (const at of failed) {
          const t = tests[at]!.test_name!;
          if (t === name || endsWithStep(name, t) || t.endsWith(name)) {
            failing = at;
            break;
          }
        }
        // Found once: its place is taken by the first location under its heading.
        if (failing !== null) failed.splice(failed.indexOf(failing), 1);
        continue;
      }
      const p = failing === null ? null : PLACE.exec(line);
      if (p && failing !== null && tests[failing]!.ref_file === null) {
        tests[failing] = { ...tests[failing]!, ref_file: p[1]!, ref_line: Number(p[2]) };
        failing = null;
      }
    }
    return tests;
  },
};
