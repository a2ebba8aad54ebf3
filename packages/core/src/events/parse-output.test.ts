import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanOutput } from './clean-output.ts';
import type { OutputParser } from './output-parser.ts';
import { commandWords, parseOutput, PARSER_BUDGET_MS } from './parse-output.ts';
import type { ParsedEvent } from './parsed-event.ts';
import { PARSERS } from './parsers/index.ts';

/** A fixture's text: below its `# source:` header (what it was captured from, or written after). */
function fixture(name: string): string {
  const text = readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
  const body = text.indexOf('\n---\n');
  expect(text.startsWith('# source: '), `${name} names its source`).toBe(true);
  return text.slice(body + 5);
}

/** A diagnostic as `severity file:line:col code message`, a test as `status name (ms) file:line`: tables stay readable. */
function brief(e: ParsedEvent): string {
  if (e.kind === 'test') return `${e.status} ${e.test_name}${e.duration_ms === null ? '' : ` (${e.duration_ms} ms)`}${e.ref_file === null ? '' : ` ${e.ref_file}:${e.ref_line ?? ''}`}`;
  return `${e.severity} ${e.ref_file ?? '-'}:${e.ref_line ?? ''}:${e.ref_column ?? ''} ${e.code ?? '-'} ${e.message}`;
}

const parsed = (text: string, cmd = '') => parseOutput(text, cmd).events.map(brief);

const GCC = [
  'warning bad.c:3:11 -Wint-conversion initialization of ‘int’ from ‘char *’ makes integer from pointer without a cast',
  'error bad.c:4:10 - ‘y’ undeclared (first use in this function)',
  'note bad.c:4:10 - each undeclared identifier is reported only once for each function it appears in',
  'warning bad.c:3:7 -Wunused-variable unused variable ‘x’',
];
const TSC = ["error broken.ts:1:7 TS2322 Type 'string' is not assignable to type 'number'.", "error broken.ts:2:34 TS2339 Property 'nope' does not exist on type 'string'."];

describe('parseOutput on real samples', () => {
  it.each<[string, string, string[]]>([
    ['gcc.txt', 'gcc -Wall -c bad.c', GCC],
    ['gcc-color.txt', 'gcc -fdiagnostics-color=always -Wall -c bad.c', GCC],
    ['shellcheck.txt', 'shellcheck -f gcc bad.sh', ['note bad.sh:2:6 SC2086 Double quote to prevent globbing and word splitting.', "warning bad.sh:3:1 SC2164 Use 'cd ... || exit' or 'cd ... || return' in case cd fails."]],
    ['make.txt', 'make', [...GCC.slice(0, 3), 'error Makefile:2: Error 1 target all failed']],
    ['cargo.txt', 'cargo build', ['error src/main.rs:2:18 E0308 mismatched types']],
    ['go-build.txt', 'go build ./...', ['error ./main.go:5:2 - undefined: fmt.Printn', 'error ./main.go:9:6 - declared and not used: x']],
    ['go-vet.txt', 'go vet ./...', ['error ./main.go:7:2 - fmt.Printf format %d has arg s of wrong type string']],
    ['go-test.txt', 'go test -v ./...', ['passed TestAdd (0 ms)', 'error math_test.go:14: - Sub(3, 1) = 1; want 2', 'failed TestSub (10 ms) math_test.go:14', 'skipped TestSkip (0 ms)']],
    ['tsc.txt', 'npx tsc --noEmit broken.ts', TSC],
    ['tsc-pretty.txt', 'tsc --noEmit --pretty broken.ts', TSC],
    ['eslint-stylish.txt', 'npx eslint src', [
      "error /home/user/project/src/app.js:3:7 no-unused-vars 'unused' is assigned a value but never used",
      'warning /home/user/project/src/app.js:12:1 no-console Unexpected console statement',
      'error /home/user/project/src/util.js:1:10 - Parsing error: Unexpected token',
    ]],
    ['eslint-unix.txt', 'eslint -f unix src', [
      "error /home/user/project/src/app.js:3:7 no-unused-vars 'unused' is assigned a value but never used.",
      'warning /home/user/project/src/app.js:12:1 no-console Unexpected console statement.',
    ]],
    ['python-traceback.txt', 'python3 failing.py', ['error /tmp/evs/s/failing.py:2: ZeroDivisionError ZeroDivisionError: division by zero']],
    ['pytest-ra.txt', 'pytest -rA test_x.py', ['passed test_x.py::test_ok test_x.py:', 'skipped test_x.py:4 test_x.py:4', 'failed test_x.py::test_bad test_x.py:3', 'error test_x.py:3: AssertionError assert 1 == 2']],
    ['pytest-summary.txt', 'python3 -m pytest test_x.py', ['failed test_x.py::test_bad test_x.py:3', 'error test_x.py:3: AssertionError assert 1 == 2']],
    ['jest.txt', 'npx jest --verbose', ['passed adds 1 + 2 to equal 3 (3 ms)', 'failed adds negatives (5 ms) src/sum.test.js:9', 'skipped handles strings']],
    ['vitest.txt', 'npx vitest run', ['passed x.test.ts > math > adds (2 ms)', 'failed x.test.ts > math > fails (5 ms) x.test.ts:4', 'skipped x.test.ts > math > later']],
    ['mypy.txt', 'mypy app.py', ['error app.py:12: assignment Incompatible types in assignment (expression has type "str", variable has type "int")', 'note app.py:20:5 - Revealed type is "builtins.int"']],
    ['flake8.txt', 'flake8', ["error app.py:1:1 F401 'os' imported but unused", 'error app.py:7:80 E501 line too long (88 > 79 characters)', 'warning app.py:9:1 W391 blank line at end of file']],
    ['ruff.txt', 'ruff check .', ['error app.py:1:8 F401 `os` imported but unused']],
    ['tap.txt', 'node --test', ['passed adds (1 ms)', 'failed subtracts (1 ms)', 'skipped later', 'skipped flaky']],
    ['junit.txt', './gradlew test', ['passed math.adds (2 ms)', 'failed math.subtracts & more (10 ms) test/math.js:14', 'skipped math.later']],
  ])('%s', (name, cmd, rows) => {
    expect(parsed(fixture(name), cmd)).toEqual(rows);
    // Found from the text alone too: a command that names no parser (a script, an alias) loses nothing.
    expect(parsed(fixture(name), './build.sh')).toEqual(rows);
  });
});

describe('parseOutput on damaged and mixed output', () => {
  it.each<[string, string, string[]]>([
    ['Windows line endings', fixture('tsc.txt').replaceAll('\n', '\r\n'), TSC],
    ['a progress bar redrawn over the line', 'compiling 10%\rcompiling 100%\rbad.c:4:10: error: boom\n', ['error bad.c:4:10 - boom']],
    ['colours around every part', '\x1b[1mbad.c:\x1b[0m\x1b[1m4\x1b[0m:10: \x1b[31merror:\x1b[0m boom\n', ['error bad.c:4:10 - boom']],
    ['stdout and stderr interleaved', 'PASSED t.py::a\nbad.c:1:2: warning: w\nFAILED t.py::b - no\n', ['warning bad.c:1:2 - w', 'passed t.py::a t.py:', 'failed t.py::b t.py:']],
    ['a traceback cut off before its exception', 'Traceback (most recent call last):\n  File "a.py", line 9, in <module>\n    f()\n', ['error a.py:9: - Traceback (cut off)']],
    ['a diagnostic cut mid-line', 'bad.c:4:10: error: boo', ['error bad.c:4:10 - boo']],
    ['a line cut before its severity', 'bad.c:4:1', []],
    ['a Windows path', 'C:\\src\\bad.c:4:10: error: boom', ['error C:\\src\\bad.c:4:10 - boom']],
    ['the fallback: an unknown tool', 'lib/x.nim:12:3: Error: type mismatch\nlib/y.nim:1: warning: old', ['error lib/x.nim:12:3 - type mismatch', 'warning lib/y.nim:1: - old']],
    ['plain text with colons', 'Note: see http://x.org:8080/a for more\ntime: 12:30:45\n', []],
    ['a line far too long to be a diagnostic', `${'x'.repeat(1_000_000)}:1: error: y`, []],
  ])('%s', (_name, text, rows) => {
    expect(parsed(text)).toEqual(rows);
  });
});

describe('parseOutput when a parser fails', () => {
  const throwing: OutputParser = { name: 'throws', commands: ['gcc'], looksLike: /never/, parse: () => { throw new Error('bug'); } };
  it('a parser that throws gives no events; the others still do', () => {
    const outcome = parseOutput(fixture('gcc.txt'), 'gcc bad.c', { parsers: [throwing, ...PARSERS] });
    expect(outcome.failed).toEqual(['throws']);
    expect(outcome.events.map(brief)).toEqual(GCC);
  });
  it('a parser over its budget gives no events', () => {
    let t = 0;
    const outcome = parseOutput(fixture('gcc.txt'), 'gcc bad.c', { now: () => (t += PARSER_BUDGET_MS + 1) });
    expect(outcome.failed).toContain('gcc');
    expect(outcome.events).toEqual([]);
  });
});

describe('commandWords', () => {
  it.each([
    ['gcc -c x.c', ['gcc', '-c', 'x.c']],
    ['/usr/bin/gcc x.c', ['gcc', 'x.c']],
    ['CC=1 sudo -E make all', ['make', 'all']],
    ['npx tsc --noEmit', ['tsc', '--noEmit']],
    ['timeout 10s cargo test', ['cargo', 'test']],
    ['', []],
  ])('%s', (cmd, words) => {
    expect(commandWords(cmd)).toEqual(words);
  });
});

const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('each parser’s mentions', () => {
  // A parser is skipped when the output mentions none of them: that must never skip one whose pattern matches.
  const texts = readdirSync(FIXTURES).map((f) => cleanOutput(readFileSync(join(FIXTURES, f), 'utf8')).text);
  it.each(PARSERS.filter((p) => p.mentions !== undefined).map((p) => [p.name, p] as const))('%s: every line its pattern matches holds one', (_, parser) => {
    const lines = texts.flatMap((t) => t.split('\n')).filter((line) => parser.looksLike.test(line));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => !parser.mentions!.some((m) => line.includes(m)))).toEqual([]);
  });
});
