import type { OutputParser } from '../output-parser.ts';
import { eslintParser } from './eslint.ts';
import { gccParser } from './gcc.ts';
import { goParser } from './go.ts';
import { jsTestsParser } from './js-tests.ts';
import { junitParser } from './junit.ts';
import { makeParser } from './make.ts';
import { pytestParser } from './pytest.ts';
import { pythonLintParser } from './python-lint.ts';
import { pythonTracebackParser } from './python-traceback.ts';
import { rustParser } from './rust.ts';
import { tapParser } from './tap.ts';
import { tscParser } from './tsc.ts';

export { fallbackParser } from './fallback.ts';

/** Every parser but the fallback, which runs only when none of these found anything. */
export const PARSERS: readonly OutputParser[] = [gccParser, rustParser, goParser, tscParser, eslintParser, pythonTracebackParser, pytestParser, jsTestsParser, pythonLintParser, makeParser, tapParser, junitParser];
