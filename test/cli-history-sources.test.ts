// `bird history` over a store holding this machine's commands and a teammate's pulled from a
// file remote: the built bundle, real bird-capture, a real `bird pull`.
import { beforeAll, describe, expect, it } from 'vitest';
import { shortHostname } from '@bird/core';
import { invocation, tempDir, writeLake } from '../packages/store/src/testing/fixtures.ts';
import { at, buildBundles, expectOneLineError, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());
const sandbox = sandboxFactory();

describe('bird history with a teammate\'s commands', () => {
  const s = sandbox();
  const here = shortHostname();
  beforeAll(() => {
    s.capture({ cmd: 'git status', exit: 0, startUs: at(0), cwd: '/tmp' });
    s.capture({ cmd: 'make test', exit: 2, startUs: at(120), cwd: '/tmp' });
    const lake = tempDir('bird-history-lake-');
    const bob = (cmd: string, seconds: number) =>
      invocation({ cmd, client_id: 'bob@laptop', hostname: 'laptop', cwd: '/home/bob', timestamp: at(seconds), date: '2025-11-26', duration_ms: 40 });
    writeLake(lake, 'invocations', 'bob@laptop', '2025-11-26', [bob('make deploy', 60), bob('kubectl get pods', 180)]);
    expect(s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake, '--read-only']).code).toBe(0);
    const pulled = s.bird(['pull', '--remote', 'team']);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
  });

  const json = (...args: string[]) => {
    const run = s.bird(['history', '--format', 'json', ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { cmd: string; hostname: string | null; _source: string }[];
  };

  it('marks the pulled rows host@remote and leaves yours as they were', () => {
    const run = s.bird(['history']);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time\s+exit\s+duration\s+from\s+cwd\s+cmd$/);
    expect(lines.slice(2).map((line) => line.replace(/^\S+ \S+\s+/, ''))).toEqual([
      '0      40ms  laptop@team  /home/bob  kubectl get pods',
      '2       5ms               /tmp       make test',
      '0      40ms  laptop@team  /home/bob  make deploy',
      '0       5ms               /tmp       git status',
    ]);
  });

  it('carries hostname and _source in json and csv', () => {
    expect(json().map((r) => [r.cmd, r.hostname, r._source])).toEqual([
      ['kubectl get pods', 'laptop', 'team'],
      ['make test', here, 'local'],
      ['make deploy', 'laptop', 'team'],
      ['git status', here, 'local'],
    ]);
    const csv = s.bird(['history', '--format', 'csv', '-n', '1']);
    expect(csv.stdout).toBe('timestamp,exit_code,duration_ms,cwd,cmd,hostname,_source\n2025-11-26T23:36:20.000000Z,0,40,/home/bob,kubectl get pods,laptop,team\n');
  });

  it.each([
    [['--source', 'local'], ['make test', 'git status']],
    [['--source', 'team'], ['kubectl get pods', 'make deploy']],
    [['--host', 'laptop'], ['kubectl get pods', 'make deploy']],
    [['--host', 'laptop', '--source', 'local'], []],
    [['--source', 'team', '-n', '1'], ['kubectl get pods']],
    [['make', '--source', 'team'], ['make deploy']],
    [['--source', 'nowhere'], []],
  ])('%j keeps %j', (args, cmds) => {
    expect(json(...args).map((r) => r.cmd)).toEqual(cmds);
  });

  it('shows no from column when only your commands are listed', () => {
    const lines = s.bird(['history', '--source', 'local']).stdout.split('\n');
    expect(lines[0]).toMatch(/^time\s+exit\s+duration\s+cwd\s+cmd$/);
  });

  it('refuses --source without a value in one sentence', () => {
    expectOneLineError(s.bird(['history', '--source']), 2, /--source needs a value/);
  });
});
