// Issue 23: text that came from data (commands, folders and host names, a teammate's among them;
// names in config.toml; file names) never reaches stdout or stderr with a control character in
// it, whatever the command and format, piped or on a terminal. The one exception is `bird search
// -0`, which hands the stored commands to programs (`fzf --read0`, `xargs -0`) byte for byte:
// changing them would change what those programs run. (The key binding's `bird search --shell`
// output is the other such form; the tests in test/shells/search.test.ts drive it.)
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout } from '@bird/core';
import { invocation, tempDir, writeLake, writeLocal } from '../packages/store/src/testing/fixtures.ts';
import { at, buildBundles, inTerminal, sandboxFactory, type Run } from './cli-helpers.ts';

beforeAll(() => buildBundles());
const sandbox = sandboxFactory();

/** What a terminal acts on, or reorders text by: C0 controls but the newline, DEL, C1 controls, bidi controls. */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Ways a stored value could drive the terminal it is printed on. */
const PAYLOADS = {
  csi: '\x1b[2J\x1b[31;1m', // clear the screen, paint what follows
  title: '\x1b]0;pwned\x07', // OSC 0: retitle the window
  clipboard: '\x1b]52;c;ZWNobyBvd25lZA==\x07', // OSC 52: write the clipboard
  bell: '\x07',
  c1: '\u009b2J\u009d0;x\u009c', // CSI and OSC as 8-bit C1 controls
  bidi: '\u202eevil\u202c \u2066x\u2069\u200f', // reorder what is shown
  binary: '\x01\x02\x08\x0b\x0c\r\x7f Ã©\ufffd', // binary-ish, NUL-free
};
const NASTY = Object.values(PAYLOADS).join(' ');

describe('a store whose commands, folders and host names carry control characters', () => {
  const s = sandbox();
  const layout = birdLayout(s.root);

  beforeAll(() => {
    expect(s.bird(['init']).code).toBe(0);
    writeLocal(layout, 'invocations', [invocation({ cmd: `echo ${NASTY}`, cwd: `/tmp/${NASTY}`, hostname: `host${NASTY}`, timestamp: at(0), date: '2025-11-26' })]);
    // A teammate's row, through a real pull from a file remote.
    const lake = tempDir('bird-escapes-lake-');
    writeLake(lake, 'invocations', 'bob@laptop', '2025-11-26', [
      invocation({ cmd: `deploy ${NASTY}`, client_id: 'bob@laptop', hostname: `laptop${NASTY}`, cwd: `/home/bob/${NASTY}`, timestamp: at(60), date: '2025-11-26' }),
    ]);
    expect(s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake, '--read-only']).code).toBe(0);
    expect(s.bird(['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    // A config.toml edited by hand: a remote whose name is refused (every read warns of it,
    // naming it), and one whose uri, endpoint and region carry controls (`bird remote list`).
    appendFileSync(
      layout.config,
      [
        '',
        '[[remotes]]',
        'name = "evil\\u009b\\u202e"',
        'type = "file"',
        'uri = "/nowhere"',
        '',
        '[[remotes]]',
        'name = "shady"',
        'type = "s3"',
        'uri = "s3://bucket/\\u001b]0;x\\u0007"',
        'endpoint = "http://\\u001b[2J.example"',
        'region = "r\\u202e\\u009b"',
        'auto_attach = false',
        '',
      ].join('\n'),
    );
  });

  const QUERY = 'SELECT cmd, cwd, hostname, _source FROM main.invocations ORDER BY "timestamp"';
  /** Escaped, the payloads still show: proof that the data was there to print. */
  const SHOWN = /\\x1b\]52;c;ZWNobyBvd25lZA==\\x07/;
  const SHOWN_JSON = /\\u001b\]52;c;ZWNobyBvd25lZA==\\u0007/;
  /** The refused remote's name, which the warning repeats. */
  const WARNED = /^bird: warning: .*evil\\x9b\\u202e/m;

  it.each<[string, string[], RegExp, RegExp | null]>([
    ['bird history', ['history'], SHOWN, WARNED],
    ['bird history --format csv', ['history', '--format', 'csv'], SHOWN, WARNED],
    ['bird history --format json', ['history', '--format', 'json'], SHOWN_JSON, WARNED],
    ['bird history TEXT', ['history', 'evil'], SHOWN, WARNED],
    ['bird search QUERY', ['search', 'evil'], SHOWN, WARNED],
    ['bird search --format json', ['search', '--format', 'json', 'evil'], SHOWN_JSON, WARNED],
    // Folders are cut from the left to fit: their end shows.
    ['bird stats', ['stats'], /\\x7f Ã©\ufffd/, WARNED],
    ['bird stats --format json', ['stats', '--format', 'json'], SHOWN_JSON, WARNED],
    ['bird sql', ['sql', QUERY], SHOWN, WARNED],
    ['bird sql --format csv', ['sql', QUERY, '--format', 'csv'], SHOWN, WARNED],
    ['bird sql --format json', ['sql', QUERY, '--format', 'json'], SHOWN_JSON, WARNED],
    ['bird remote list', ['remote', 'list'], /s3:\/\/bucket\/\\x1b\]0;x\\x07 .*http:\/\/\\x1b\[2J\.example +r\\u202e\\x9b/, null],
    ['bird remote list --format csv', ['remote', 'list', '--format', 'csv'], /s3:\/\/bucket\/\\x1b\]0;x\\x07,/, null],
    ['bird remote list --format json', ['remote', 'list', '--format', 'json'], /"s3:\/\/bucket\/\\u001b\]0;x\\u0007"/, null],
  ])('%s, piped, prints no control character raw', (_name, args, shown, warned) => {
    const run = s.bird(args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(shown);
    if (warned) expect(run.stderr).toMatch(warned);
    expectNothingRaw(run);
  });

  it.each<[string, string[], RegExp]>([
    ['bird history', ['history'], SHOWN],
    ['bird sql', ['sql', QUERY], SHOWN],
    ['bird stats', ['stats'], /\\x7f Ã©\ufffd/],
    ['bird remote list', ['remote', 'list'], /s3:\/\/bucket\/\\x1b\]0;x\\x07/],
    ['bird search --format json (on a terminal it prints, as asked)', ['search', '--format', 'json', 'evil'], SHOWN_JSON],
  ])('%s, on a terminal, prints no control character raw', async (_name, args, shown) => {
    // NO_COLOR: bird's own colours would be escape sequences too, and this test allows none.
    const { code, out } = await inTerminal(s, args, { cols: 400, env: { NO_COLOR: '1' } });
    expect(code, out).toBe(0);
    expect(out).toMatch(shown);
    expect(out).not.toMatch(UNSAFE);
  });

  it('-0 is the one form that carries the stored bytes: for programs that take the commands back', () => {
    const run = s.bird(['search', '-0', 'evil']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\0').slice(0, -1).sort()).toEqual([`deploy ${NASTY}`, `echo ${NASTY}`]);
    expect(run.stdout.endsWith('\0')).toBe(true);
  });
});

describe('errors and summaries that name a file or a value given', () => {
  const s = sandbox();
  const NAME = `${PAYLOADS.title}${PAYLOADS.c1}${PAYLOADS.bidi}`;
  const SHOWN = /\\x1b\]0;pwned\\x07\\x9b2J\\x9d0;x\\x9c\\u202eevil/;
  /** A value quoted as JSON in the sentence: JSON escapes C0 its own way, and leaves C1 and bidi to bird. */
  const QUOTED = /"\\u001b\]0;pwned\\u0007\\x9b2J\\x9d0;x\\x9c\\u202eevil/;

  beforeAll(() => {
    expect(s.bird(['init']).code).toBe(0);
  });

  it.each<[string, string[], RegExp]>([
    ['a query file that is not there', ['sql', '--file', `/nowhere/${NAME}`], SHOWN],
    ['a history file that is not there', ['import', 'zsh', '--file', `/nowhere/${NAME}`], SHOWN],
    ['an output format', ['history', '--format', NAME], QUOTED],
    ['a remote that is not configured', ['remote', 'test', NAME], QUOTED],
  ])('%s: one line on stderr, escaped', (_name, args, shown) => {
    const run = s.bird(args);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^bird: [^\n]*\n$/);
    expect(run.stderr).toMatch(shown);
    expectNothingRaw(run);
  });

  it('the summary of an import names the file escaped', () => {
    const file = join(tempDir('bird-escapes-import-'), `history${NAME}`);
    writeFileSync(file, ': 1764200000:0;echo imported-one\n: 1764200060:0;echo imported-two\n');
    const run = s.bird(['import', 'zsh', '--file', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^history\\x1b\]0;pwned\\x07\\x9b2J.*: read 2, imported 2,/);
    expectNothingRaw(run);
  });
});

function expectNothingRaw(run: Run): void {
  for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
    const at = text.search(UNSAFE);
    expect(at, `${stream} holds ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`).toBe(-1);
  }
}
