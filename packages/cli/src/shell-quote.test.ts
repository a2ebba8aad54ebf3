import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine } from './shell-quote.ts';

describe('commandLine writes argv as a person types it', () => {
  it.each([
    [['ls', '-la'], 'ls -la'],
    [['make', 'CC=gcc', 'build/x.o'], 'make CC=gcc build/x.o'],
    [['sh', '-c', 'printf out; exit 3'], `sh -c 'printf out; exit 3'`],
    [['echo', "it's"], `echo 'it'\\''s'`],
    [['echo', ''], `echo ''`],
    [['grep', '-r', '$HOME', '*.ts'], `grep -r '$HOME' '*.ts'`],
    [['echo', 'a\nb'], `echo 'a\nb'`],
  ])('%j → %s', (argv, line) => {
    expect(commandLine(argv)).toBe(line);
  });

  it('gives back the same argv when sh reads it', () => {
    const argv = ['printf', '%s|', "it's", '$x', '"q"', 'a b', '', '\\', '*'];
    const result = spawnSync('sh', ['-c', commandLine(argv)], { encoding: 'utf8' });
    expect(result.stdout).toBe(`it's|$x|"q"|a b||\\|*|`);
  });
});
