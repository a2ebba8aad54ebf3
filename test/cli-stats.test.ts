// bird stats end to end: commands captured by the real bird-capture, stats read back by the
// built bundle over the history index, compared with values worked out by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import { at, buildBundles, expectOneLineError, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());
const sandbox = sandboxFactory();

describe('bird stats', () => {
  const s = sandbox();
  beforeAll(() => {
    // at(0) is 2025-11-26 23:33:20 UTC; at(3600) and later fall on the 27th, hour 0.
    s.capture({ cmd: 'sudo git push origin main', exit: 0, startUs: at(0), durationMs: 1000, cwd: '/home/x/a' });
    s.capture({ cmd: 'git push', exit: 1, startUs: at(60), durationMs: 3000, cwd: '/home/x/a' });
    s.capture({ cmd: 'git status', exit: 0, startUs: at(120), durationMs: 10, cwd: '/home/x/b' });
    s.capture({ cmd: 'npm test', exit: 2, startUs: at(3600), durationMs: 60_000, cwd: '/home/x/b' });
    s.capture({ cmd: 'npm test', exit: 0, startUs: at(3660), durationMs: 30_000, cwd: '/home/x/b' });
    s.capture({ cmd: 'ls', exit: 0, startUs: at(3720), durationMs: 5, cwd: '/tmp' });
  });
  const stats = (...args: string[]) => {
    const run = s.bird(['stats', '--format', 'json', ...args], { env: { TZ: 'UTC' } });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
  };

  it('counts, failure rate, busiest hours, and top, failing, slowest commands and directories', () => {
    const report = stats();
    expect(report).toMatchObject({ timeZone: 'UTC', total: 6, distinct: 5, withExitCode: 6, failures: 2 });
    expect(report.failureRate).toBeCloseTo(1 / 3, 10);
    expect(report.hours[23]).toBe(3);
    expect(report.hours[0]).toBe(3);
    expect(report.hours.reduce((a: number, b: number) => a + b, 0)).toBe(6);
    expect(report.weekdays).toEqual([0, 0, 3, 3, 0, 0, 0]); // a Wednesday and a Thursday
    expect(report.topCommands.map((c: { key: string; count: number }) => [c.key, c.count])).toEqual([['git push', 2], ['npm test', 2], ['git status', 1], ['ls', 1]]);
    expect(report.failing.map((c: { key: string; failures: number; runs: number }) => [c.key, c.failures, c.runs])).toEqual([['git push', 1, 2], ['npm test', 1, 2]]);
    expect(report.slowest.map((c: { key: string; totalMs: number; meanMs: number }) => [c.key, c.totalMs, c.meanMs])).toEqual([['npm test', 90_000, 45_000], ['git push', 4000, 2000], ['git status', 10, 10], ['ls', 5, 5]]);
    expect(report.dirs.map((d: { dir: string; count: number }) => [d.dir, d.count])).toEqual([['/home/x/b', 3], ['/home/x/a', 2], ['/tmp', 1]]);
  });

  it.each([
    [['--dir', '/home/x/b'], 3],
    [['--dir', '/home/x'], 5],
    [['--since', '2025-11-27'], 3],
    [['--since', '7d'], 0],
    [['--source', 'local'], 6],
    [['--source', 'team'], 0],
    [['--host', 'no-such-host'], 0],
  ])('filters: %j counts %i', (args, total) => {
    expect(stats(...args).total).toBe(total);
  });

  it('prints a readable report without colour when piped', () => {
    const run = s.bird(['stats'], { env: { TZ: 'UTC' } });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout).toMatch(/6 commands, 5 distinct/);
    expect(run.stdout).toContain('git push');
    expect(run.stdout).toContain('npm test');
  });

  it.each([
    [['--since', 'soon'], /--since/],
    [['--format', 'xml'], /--format must be table or json, not "xml"/],
    [['extra'], /unexpected argument "extra"/],
  ])('refuses %j in one sentence', (args, pattern) => {
    expectOneLineError(s.bird(['stats', ...args]), 2, pattern);
  });
});
