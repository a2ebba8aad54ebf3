// End to end: `bird history` and Ctrl-R over an index too large to read whole for a first
// answer. The history index is written here (40,000 rows, a v2 snapshot) so that the built bird reads its newest rows in place.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, encodeSnapshot, indexFiles, type HistoryRow } from '@bird/history-index';
import { at, buildBundles, inTerminal, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();
const ROWS = 40_000;
const row = (n: number): HistoryRow => ({
  id: `0190f000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  timestampUs: Number(at(n)),
  durationMs: 5,
  exitCode: 0,
  cmd: n === 7 ? 'needle far back' : `echo ${n % 500}`,
  cwd: '/tmp',
  session: 's',
  host: 'box',
  source: n % 10 === 0 ? 'team' : 'local',
});

describe('an index of 40,000 rows, read from its newest', () => {
  const s = sandbox();
  beforeAll(() => {
    s.capture({ cmd: 'echo first', exit: 0, startUs: at(0) });
    expect(s.bird(['history']).code).toBe(0); // builds the index, and starts its journal
    const files = indexFiles(join(s.root, 'db', 'history-index'));
    // The snapshot names the journal it was started with, when there is one.
    const journal = /"journal":"([0-9a-f-]+)"/.exec(readFileSync(files.journal, { encoding: 'utf8', flag: 'a+' }))?.[1];
    writeFileSync(files.snapshot, encodeSnapshot(buildIndex(Array.from({ length: ROWS }, (_, n) => row(n))), Date.now(), journal));
  });

  it('bird history gives the newest rows, and a filter reads back as far as it must', () => {
    expect(s.bird(['history', '-n', '2', '--format', 'csv']).stdout.split('\n').slice(1, 3).map((l) => l.split(',')[4])).toEqual(['echo 499', 'echo 498']);
    expect(s.bird(['history', 'needle', '--format', 'csv']).stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[4])).toEqual(['needle far back']);
    expect(s.bird(['history', '-n', '2', '--source', 'team', '--format', 'csv']).stdout.split('\n').slice(1, 3).map((l) => l.split(',')[4])).toEqual(['echo 490', 'echo 480']);
  });

  it('Ctrl-R draws its first frame from the newest rows, then the whole index: counts and the total', async () => {
    const { code, out } = await inTerminal(s, ['search', '--shell', 'zsh'], {
      env: { NO_COLOR: '1' },
      steps: [{ waitFor: / 1\/\d+ {2}/, keys: '\r' }],
    });
    expect(code).toBe(0);
    const first = out.indexOf('1/…');
    expect(first).toBeGreaterThanOrEqual(0);
    const whole = out.search(/ 1\/\d+ {2}/);
    expect(whole).toBeGreaterThan(first);
    // Each echo ran 80 times; the first frame did not say.
    expect(out.slice(first, whole)).toMatch(/echo 499 +×80/);
    expect(out.slice(0, first)).not.toMatch(/×/);
    expect(out.trimEnd().endsWith('insert\n\necho 499')).toBe(true);
  });
});
