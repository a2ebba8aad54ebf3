import { describe, expect, it } from 'vitest';
import { BirdError } from '@bird/core';
import { atuinDb } from './testing/atuin-db.ts';
import { chooseImportFormat, detectHistoryFormat } from './detect-format.ts';
import type { ImportFormat } from './plan-import.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('detectHistoryFormat', () => {
  const cases: { name: string; file: Uint8Array; format: ImportFormat | null }[] = [
    { name: 'zsh extended history', file: bytes(': 1796602610:0;ls\n: 1796602612:3;make\\\n  all\n'), format: 'zsh' },
    { name: 'zsh extended history with metafied CJK (not UTF-8)', file: Uint8Array.from([...bytes(': 1:0;echo '), 0xe4, 0xbd, 0x83, 0x80, 0x0a]), format: 'zsh' },
    { name: 'bash with #<epoch> lines, multi-line commands among them', file: bytes('#1700000000\nfor f in *; do\n  echo\ndone\n#1700000001\nls\n'), format: 'bash' },
    { name: 'bash whose old lines have no times, newer ones do', file: bytes('git reset\ncd /tmp\n#1672919006\ngit clean -dxf\n'), format: 'bash' },
    { name: 'fish history, with paths lists', file: bytes('- cmd: vim a b\n  when: 1700000000\n  paths:\n    - a\n    - b\n- cmd: ls\n  when: 1700000001\n'), format: 'fish' },
    { name: 'plain text, one command a line: zsh and bash without times alike', file: bytes('ls\ncd /tmp\nmake\n'), format: null },
    { name: 'plain text with one line that happens to look like a format\'s is still plain', file: bytes(`${'ls\n'.repeat(30)}#1700000000\n`), format: null },
    { name: 'an empty file', file: new Uint8Array(), format: null },
  ];
  it.each(cases)('$name', ({ file, format }) => {
    expect(detectHistoryFormat(file)?.format ?? null).toBe(format);
  });

  it('an SQLite database is atuin\'s', async () => {
    expect(detectHistoryFormat(await atuinDb([]))?.format).toBe('atuin');
  });
});

describe('chooseImportFormat', () => {
  const zsh = detectHistoryFormat(bytes(': 1796602610:0;ls\n'));
  const fallback = (): ImportFormat => 'bash';

  it.each<[string, ImportFormat | null, ReturnType<typeof detectHistoryFormat>, ImportFormat]>([
    ['none named: what the content shows, not $SHELL', null, zsh, 'zsh'],
    ['none named, plain text: $SHELL\'s', null, null, 'bash'],
    ['named, and the content agrees', 'zsh', zsh, 'zsh'],
    ['named, plain text: taken as named (it may be either)', 'zsh', null, 'zsh'],
  ])('%s', (_, named, detected, format) => {
    expect(chooseImportFormat(named, detected, '/h/.zsh_history', fallback)).toBe(format);
  });

  it('refuses a named format the content clearly contradicts, in one sentence naming what it looks like and what to run', () => {
    const refuse = () => chooseImportFormat('bash', zsh, '/h/my history', fallback);
    expect(refuse).toThrow(BirdError);
    expect(refuse).toThrow("/h/my history looks like zsh extended history (`: <start>:<elapsed>;<command>` lines), not a bash history; to import it run: bird import zsh --file '/h/my history'");
  });
});
