import type { OutputParser } from '../output-parser.ts';
import { testResult, type ParsedEvent } from '../parsed-event.ts';

/** Each `<testcase …/>` or `<testcase …>…</testcase>` of a JUnit XML report printed to the output. */
const TESTCASE = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
const ATTRIBUTE = /([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const OUTCOME = /<(failure|error|skipped)\b([^>]*?)\/?>/;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function unescapeXml(text: string): string {
  if (!text.includes('&')) return text; // most attributes: no replace, no new string
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name] ?? whole;
  });
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) out.set(m[1]!, unescapeXml(m[2] ?? m[3] ?? ''));
  return out;
}

export const junitParser: OutputParser = {
  name: 'junit',
  commands: [],
  looksLike: /<testsuites?\b|<testcase\b/,
  mentions: ['<testsuite', '<testcase'],
  parse(lines) {
    const events: ParsedEvent[] = [];
    for (const m of lines.join('\n').matchAll(TESTCASE)) {
      const a = attributes(m[1]!);
      const outcome = m[2] === undefined ? null : OUTCOME.exec(m[2]);
      const name = [a.get('classname'), a.get('name')].filter(Boolean).join('.');
      const time = Number(a.get('time'));
      events.push(
        testResult({
          name: name || '(unnamed)',
          status: outcome === null ? 'passed' : outcome[1] === 'skipped' ? 'skipped' : 'failed',
          durationMs: a.has('time') && Number.isFinite(time) ? time * 1000 : null,
          file: a.get('file'),
          line: a.get('line'),
          message: outcome ? attributes(outcome[2]!).get('message') : null,
        }),
      );
    }
    return events;
  },
};
