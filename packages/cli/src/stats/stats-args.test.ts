import { describe, expect, it } from 'vitest';
import { failure } from '../testing/expect-failure.ts';
import { parseStatsArgs } from './stats-args.ts';

const NOW = new Date('2024-05-10T12:00:00Z');
const CWD = '/home/ana/src';
const us = (iso: string) => Date.parse(iso) * 1000;

describe('parseStatsArgs', () => {
  it.each([
    [[], {}, 'table'],
    [['--format', 'json'], {}, 'json'],
    [['-f', 'table'], {}, 'table'],
    [['--since', '24h'], { sinceUs: us('2024-05-09T12:00:00Z') }, 'table'],
    [['--since', '1h'], { sinceUs: us('2024-05-10T11:00:00Z') }, 'table'],
    [['--since', '7d'], { sinceUs: us('2024-05-03T12:00:00Z') }, 'table'],
    [['--since=30d'], { sinceUs: us('2024-04-10T12:00:00Z') }, 'table'],
    [['--since', '2024-05-01'], { sinceUs: us('2024-05-01T00:00:00Z') }, 'table'],
    [['--host', 'laptop', '--source', 'work'], { host: 'laptop', source: 'work' }, 'table'],
    [['--dir', '/srv/app/'], { dir: '/srv/app' }, 'table'],
    [['--dir', '.'], { dir: '/home/ana/src' }, 'table'],
    [['--dir', 'bird/packages'], { dir: '/home/ana/src/bird/packages' }, 'table'],
    [['--dir', '../notes'], { dir: '/home/ana/notes' }, 'table'],
    [['--since', '7d', '--host', 'h', '--dir', '/', '--source', 'local', '--format', 'json'], { sinceUs: us('2024-05-03T12:00:00Z'), host: 'h', dir: '/', source: 'local' }, 'json'],
  ])('%j', (args, filter, format) => {
    expect(parseStatsArgs(args, NOW, CWD, 'UTC')).toEqual({ filter, format });
  });

  it.each([
    ['UTC', '2024-05-01T00:00:00Z'],
    ['America/New_York', '2024-05-01T04:00:00Z'],
    ['Asia/Tokyo', '2024-04-30T15:00:00Z'],
  ])('starts a --since date at midnight in %s', (zone, iso) => {
    expect(parseStatsArgs(['--since', '2024-05-01'], NOW, CWD, zone).filter.sinceUs).toBe(us(iso));
  });

  it.each([
    [['--since', 'yesterday'], '--since takes a number of hours (24h), of days (7d, 30d) or a date (YYYY-MM-DD), not "yesterday".'],
    [['--since', '0d'], '--since takes a number of hours (24h), of days (7d, 30d) or a date (YYYY-MM-DD), not "0d".'],
    [['--since', '7w'], '--since takes a number of hours (24h), of days (7d, 30d) or a date (YYYY-MM-DD), not "7w".'],
    [['--since', '2024-02-30'], '--since takes a number of hours (24h), of days (7d, 30d) or a date (YYYY-MM-DD), not "2024-02-30".'],
    [['--format', 'csv'], '--format must be table or json, not "csv"; usage: bird stats [--since 24h|7d|30d|YYYY-MM-DD] [--host H] [--dir D] [--source S] [--format table|json]'],
    [['--since'], '--since needs a value; usage: bird stats [--since 24h|7d|30d|YYYY-MM-DD] [--host H] [--dir D] [--source S] [--format table|json]'],
    [['--user', 'x'], 'unknown option --user; usage: bird stats [--since 24h|7d|30d|YYYY-MM-DD] [--host H] [--dir D] [--source S] [--format table|json]'],
    [['git'], 'unexpected argument "git"; usage: bird stats [--since 24h|7d|30d|YYYY-MM-DD] [--host H] [--dir D] [--source S] [--format table|json]'],
  ])('%j is a usage error', (args, message) => {
    const error = failure(() => parseStatsArgs(args, NOW, CWD, 'UTC'));
    expect([error.message, error.exitCode]).toEqual([message, 2]);
  });
});
