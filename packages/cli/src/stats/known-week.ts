// A known week of history, shared by the stats tests: its numbers are worked out by hand in
// compute-stats.test.ts.
import { buildIndex, type HistoryRow } from '@bird/history-index';

export const us = (iso: string) => Date.parse(iso) * 1000;

// Twelve commands over a week in May 2024 (New York is UTC-4 then), on two hosts and two
// sources. The row numbers in the comments are the ones the tests' expected values refer to.
export const ROWS: [string, string, number | null, number | null, string, string, string][] = [
  /* 1 */ ['2024-05-04T03:30:00Z', 'git status', 0, 120, '/home/ana/bird', 'laptop', 'local'],
  /* 2 */ ['2024-05-04T14:00:00Z', 'git commit -m wip', 1, 300, '/home/ana/bird', 'laptop', 'local'],
  /* 3 */ ['2024-05-05T09:15:00Z', 'npm test', 1, 4000, '/home/ana/bird/packages/cli', 'laptop', 'local'],
  /* 4 */ ['2024-05-05T09:20:00Z', 'npm test', 0, 5000, '/home/ana/bird/packages/cli', 'laptop', 'local'],
  /* 5 */ ['2024-05-06T00:10:00Z', 'sudo -u root systemctl restart nginx', 0, null, '/etc', 'server', 'local'],
  /* 6 */ ['2024-05-06T13:00:00Z', 'ls -la', null, null, '/home/ana', 'laptop', 'local'],
  /* 7 */ ['2024-05-07T13:05:00Z', 'ls', 0, 5, '/home/ana', 'laptop', 'work'],
  /* 8 */ ['2024-05-07T22:45:00Z', 'git -C /srv/app pull', 128, 1500, '/srv/app', 'server', 'work'],
  /* 9 */ ['2024-05-08T13:30:00Z', 'FOO=1 make build', 2, 60000, '/home/ana/bird', 'laptop', 'local'],
  /* 10 */ ['2024-05-09T02:00:00Z', 'make build', 0, 45000, '/home/ana/bird', 'laptop', 'local'],
  /* 11 */ ['2024-05-10T11:59:00Z', 'git status', 0, 80, '/home/ana/bird-extra', 'laptop', 'local'],
  /* 12 */ ['2024-05-10T11:59:30Z', 'vim notes.md', 0, null, '/home/ana', 'server', 'work'],
];
/** The id of row `n` (1-based, as in the comments above). */
export const idOfRow = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
export const INDEX = buildIndex(
  ROWS.map(([iso, cmd, exitCode, durationMs, cwd, host, source], i): HistoryRow => ({
    id: idOfRow(i + 1),
    timestampUs: us(iso),
    durationMs,
    exitCode,
    cmd,
    cwd,
    session: 's1',
    host,
    source,
  })),
);
export const NOW = new Date('2024-05-10T12:00:00Z');
