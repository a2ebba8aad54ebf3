// The cases of atuin's own importer tests (crates/atuin-client/src/import/{zsh,bash,fish}.rs),
// restated as data for bird's parsers and for `bird import` end to end. The inputs are the
// files those tests read; the expectations are bird's, which are atuin's except where a note
// says why bird follows the shell instead.
import type { ImportFormat } from '../plan-import.ts';

export interface PeerCase {
  readonly name: string;
  readonly format: ImportFormat;
  readonly file: Uint8Array;
  /** Every command read, in the file's order, which `bird import` must keep strictly. */
  readonly commands: readonly string[];
  /** Each command's start in epoch seconds as the file gives it; null where it gives none (or a corrupt one). */
  readonly starts: readonly (number | null)[];
  /** Each command's duration in ms; omitted where the format has none. */
  readonly durations?: readonly (number | null)[];
  /** Entries that cannot be read (skipped, each named by its line). */
  readonly unreadable?: number;
  /** Where bird's expectation differs from atuin's, and why. */
  readonly note?: string;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ZALGO = 'cargo :b̷i̶t̴r̵o̴t̴ ̵i̷s̴ ̷r̶e̵a̸l̷';

export const PEER_CASES: readonly PeerCase[] = [
  {
    name: 'zsh extended: start, elapsed, a `;` inside the command, combining marks',
    format: 'zsh',
    file: text(`: 1613322469:0;cargo install atuin\n: 1613322470:10;cargo install atuin;cargo update\n: 1613322471:10;${ZALGO}\n`),
    commands: ['cargo install atuin', 'cargo install atuin;cargo update', ZALGO],
    starts: [1613322469, 1613322470, 1613322471],
    durations: [null, 10_000, 10_000],
    note: 'elapsed 0 is a null duration, not 0: zsh writes 0 for under a second and for INC_APPEND_HISTORY entries alike',
  },
  {
    name: 'zsh extended: a typed backslash-n stays two characters',
    format: 'zsh',
    file: text(': 1613322469:10;cargo install \\n atuin\n'),
    commands: ['cargo install \\n atuin'],
    starts: [1613322469],
    durations: [10_000],
  },
  {
    name: 'zsh: `:` lines that are no extended header are plain commands, not damage',
    format: 'zsh',
    file: text(': not-extended\n: > file\n: 1613322469:no semicolon here\n: foo:bar;baz\n'),
    commands: [': not-extended', ': > file', ': 1613322469:no semicolon here', ': foo:bar;baz'],
    starts: [null, null, null, null],
  },
  {
    name: 'zsh: a command continued over lines with a backslash is one entry',
    format: 'zsh',
    file: text(`: 1613322469:0;cargo install atuin\n: 1613322469:10;cargo install atuin; \\\\\ncargo update\n: 1613322469:10;${ZALGO}\n`),
    commands: ['cargo install atuin', 'cargo install atuin; \\\ncargo update', ZALGO],
    starts: [1613322469, 1613322469, 1613322469],
    durations: [null, 10_000, 10_000],
  },
  {
    name: 'zsh: metafied CJK comes back as UTF-8',
    format: 'zsh',
    file: Uint8Array.from([...text('echo '), 0xe4, 0xbd, 0x83, 0x80, 0xe5, 0xa5, 0xbd, 0x0a, ...text('ls ~/'), 0xe9, 0x83, 0xbf, 0xb3, 0xe4, 0xb9, 0x83, 0xb0, 0x0a]),
    commands: ['echo 你好', 'ls ~/音乐'],
    starts: [null, null],
  },
  {
    name: 'bash without timestamps: one command a line, in order',
    format: 'bash',
    file: text(`cargo install atuin\ncargo update\n${ZALGO}\n`),
    commands: ['cargo install atuin', 'cargo update', ZALGO],
    starts: [null, null, null],
  },
  {
    name: 'bash with timestamps only after its first lines: each line a command, the untimed ones in place',
    format: 'bash',
    file: text('git reset\n#1672919006\ngit clean -dxf\ncd ../\n'),
    commands: ['git reset', 'git clean -dxf', 'cd ../'],
    starts: [null, 1672919006, null],
  },
  {
    name: 'bash with a timestamp before each command',
    format: 'bash',
    file: text('#1672918999\ngit reset\n#1672919006\ngit clean -dxf\n#1672919020\ncd ../\n'),
    commands: ['git reset', 'git clean -dxf', 'cd ../'],
    starts: [1672918999, 1672919006, 1672919020],
  },
  {
    name: 'bash: a `#` line with a minus sign is a comment, not a time',
    format: 'bash',
    file: text('cargo install atuin\n#-377705116800\ncargo update\n'),
    commands: ['cargo install atuin', '#-377705116800', 'cargo update'],
    starts: [null, null, null],
    note: 'atuin takes `#-377705116800` as a time; bash takes only `#` and digits, so the line is a command it saved',
  },
  {
    name: 'bash: the last second of year 9999, then lines without their own',
    format: 'bash',
    file: text('#253402300799\ncmd-0\ncmd-1\ncmd-2\n'),
    commands: ['cmd-0\ncmd-1\ncmd-2'],
    starts: [253402300799],
    note: 'atuin reads three commands; bash, with the file starting at a timestamp, joins the lines up to the next one into one command (lithist), and so does bird',
  },
  {
    name: 'fish: a corrupt `when` costs that entry its time only, and it stays between its neighbours',
    format: 'fish',
    file: text('- cmd: echo before\n  when: 1639162832\n- cmd: echo corrupt\n  when: 999999999999999\n- cmd: echo after\n  when: 1639162851\n'),
    commands: ['echo before', 'echo corrupt', 'echo after'],
    starts: [1639162832, null, 1639162851],
  },
  {
    name: 'fish: escapes, paths lists, and corrupt top-level lines among good entries',
    format: 'fish',
    file: text(
      [
        '- cmd: history --help',
        '  when: 1639162832',
        '- cmd: cat ~/.bash_history',
        '  when: 1639162851',
        '  paths:',
        '    - ~/.bash_history',
        '- cmd: ls ~/.local/share/fish/fish_history',
        '  when: 1639162890',
        '  paths:',
        '    - ~/.local/share/fish/fish_history',
        '- cmd: cat ~/.local/share/fish/fish_history',
        '  when: 1639162893',
        '  paths:',
        '    - ~/.local/share/fish/fish_history',
        'ERROR',
        '- CORRUPTED: ENTRY',
        '  CONTINUE:',
        '    - AS',
        '    - NORMAL',
        `- cmd: echo "foo" \\\\\\n'bar' baz`,
        '  when: 1639162933',
        '- cmd: cat ~/.local/share/fish/fish_history',
        '  when: 1639162939',
        '  paths:',
        '    - ~/.local/share/fish/fish_history',
        '- cmd: echo "\\\\"" \\\\\\\\ "\\\\\\\\"',
        '  when: 1639163063',
        '- cmd: cat ~/.local/share/fish/fish_history',
        '  when: 1639163066',
        '  paths:',
        '    - ~/.local/share/fish/fish_history',
        '',
      ].join('\n'),
    ),
    commands: [
      'history --help',
      'cat ~/.bash_history',
      'ls ~/.local/share/fish/fish_history',
      'cat ~/.local/share/fish/fish_history',
      `echo "foo" \\\n'bar' baz`,
      'cat ~/.local/share/fish/fish_history',
      'echo "\\"" \\\\ "\\\\"',
      'cat ~/.local/share/fish/fish_history',
    ],
    starts: [1639162832, 1639162851, 1639162890, 1639162893, 1639162933, 1639162939, 1639163063, 1639163066],
    unreadable: 2,
    note: 'atuin skips `ERROR` and `- CORRUPTED: ENTRY` silently; bird reports them as unreadable lines',
  },
];
