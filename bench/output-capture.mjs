// Passive output capture's cost to a terminal, with and without the recorder, in one run: keystroke
// echo latency at the prompt, `cat` of a 100 MB text file to the terminal, and the resident memory
// the recorder adds per shell. Two hooked zsh (or bash) in ptys, one with `[capture] output = true`
// (so under script(1)), one without; keystrokes and cats alternate between them, medians reported.
// `node bench/output-capture.mjs [--shell zsh|bash|fish] [--keys N] [--cats N] [--mb N] [--md FILE]`
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync as makeTempDir, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SHELL = opt('--shell', 'zsh');
const KEYS = Number(opt('--keys', 200));
const CATS = Number(opt('--cats', 5));
const MB = Number(opt('--mb', 100));
const MD = opt('--md', null);
const MARK = '@P@';

/** Every folder the run makes (homes with their logs, the 100 MB file): removed at the end. */
const made = [];
const mkdtempSync = (prefix) => {
  const dir = makeTempDir(prefix);
  made.push(dir);
  return dir;
};

execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { stdio: 'inherit' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The rc file the shell reads (under the recorder too): `prompt`, then the hook. */
function writeRc(home, prompt) {
  const hook = join(REPO, 'hooks', `bird.${SHELL}`);
  if (SHELL === 'fish') {
    mkdirSync(join(home, '.config', 'fish'), { recursive: true });
    writeFileSync(join(home, '.config', 'fish', 'config.fish'), `function fish_prompt; printf ${prompt}; end; function fish_greeting; end; set -g fish_autosuggestion_enabled 0; source ${hook}\n`);
  } else {
    writeFileSync(join(home, SHELL === 'zsh' ? '.zshrc' : '.bashrc'), `PS1=${prompt}; source ${hook}\n`);
  }
}

/** A hooked shell in a pty whose rc file sets the prompt and sources the hook; `output` turns the recorder on. */
async function startShell(output) {
  const home = mkdtempSync(join(tmpdir(), 'bird-bench-oc-home-'));
  const root = join(home, 'bird');
  mkdirSync(root);
  writeFileSync(join(root, 'config.toml'), `[capture]\noutput = ${output}\n`);
  writeRc(home, `'${MARK[0]}''${MARK.slice(1)} '`);
  const env = { HOME: home, BIRD_ROOT: root, PATH: process.env.PATH, TERM: 'xterm-256color', LANG: 'C.UTF-8', BIRD_DRAIN_LINGER_MS: '600000' };
  const term = pty.spawn(SHELL, ['-i'], { name: 'xterm-256color', cols: 200, rows: 50, cwd: home, env });
  const shell = { term, root, output, seen: 0, listeners: new Set(), prompts: 0 };
  term.onData((data) => {
    shell.seen += data.length;
    shell.prompts += data.split(MARK).length - 1;
    for (const l of shell.listeners) l(data);
  });
  await until(shell, () => shell.prompts > 0);
  return shell;
}

function until(shell, done, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    const timer = setTimeout(() => reject(new Error(`timed out (output=${shell.output})`)), timeoutMs);
    const l = () => {
      if (!done()) return;
      clearTimeout(timer);
      shell.listeners.delete(l);
      resolve();
    };
    shell.listeners.add(l);
  });
}

/** Types one character at the prompt and waits for its echo; then erases it. Milliseconds. */
async function echoOnce(shell) {
  let echoed = false;
  const l = (data) => data.includes('x') && (echoed = true);
  shell.listeners.add(l);
  const t0 = process.hrtime.bigint();
  shell.term.write('x');
  await until(shell, () => echoed);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  shell.listeners.delete(l);
  const before = shell.seen;
  shell.term.write('\x7f');
  await until(shell, () => shell.seen > before);
  await sleep(20);
  return ms;
}

/** Runs a command line and waits for the prompt after it. Milliseconds. */
async function runLine(shell, line) {
  const before = shell.prompts;
  const t0 = process.hrtime.bigint();
  shell.term.write(`${line}\r`);
  await until(shell, () => shell.prompts > before);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Resident memory (kB) of the processes the recorder adds: the waiting outer shell and script. RSS and PSS. */
function recorderMemory(shell) {
  const outer = shell.term.pid;
  const pids = [outer, ...childrenOf(outer).filter((pid) => comm(pid) === 'script')];
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    pss += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]);
  }
  return { pids: pids.map((p) => `${comm(p)}:${p}`), rss, pss };
}
const comm = (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function makeBigFile() {
  const path = join(mkdtempSync(join(tmpdir(), 'bird-bench-oc-data-')), 'big.txt');
  const line = `${'0123456789abcdef'.repeat(6)} some text that looks like a log line\n`;
  const out = createWriteStream(path);
  const chunk = line.repeat(Math.ceil((1 << 20) / line.length));
  for (let written = 0; written < MB * (1 << 20); written += chunk.length) {
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return path;
}

const withCapture = await startShell(true);
const without = await startShell(false);
const shells = [withCapture, without];
await sleep(500);
const memory = recorderMemory(withCapture);
if (!memory.pids.some((p) => p.startsWith('script:'))) throw new Error(`the shell with output = true runs under no script: ${memory.pids.join(' ')}`);

const echoes = new Map(shells.map((s) => [s, []]));
for (let i = 0; i < KEYS; i++) for (const s of i % 2 ? shells : [...shells].reverse()) echoes.get(s).push(await echoOnce(s));

/** Pids of the drainers working for `root` (bird-capture --drain with that BIRD_ROOT). */
function drainersOf(root) {
  return readdirSync('/proc').filter((e) => /^[0-9]+$/.test(e)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--drain') && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`BIRD_ROOT=${root}`);
    } catch {
      return false; // gone while we looked
    }
  });
}
const cpuTicks = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
};
/**
 * Waits until the drainer has done with the last cat's output (its CPU time still for 0.5 s), so
 * one run's draining (cutting 100 MB from the log, off the prompt's path) is not timed as part of
 * the next run's terminal: before, the runs alternated so that half the cats with capture started
 * while the drainer was still cutting the previous one.
 */
async function drainerIdle(shell) {
  for (let still = 0; still < 2; ) {
    const before = drainersOf(shell.root).map(cpuTicks).join();
    await sleep(250);
    still = drainersOf(shell.root).map(cpuTicks).join() === before ? still + 1 : 0;
  }
}

/** `node -e 0`, timed between the cats: how loaded the machine is in this run. */
const floors = [];
function floorOnce() {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '0']);
  floors.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const big = await makeBigFile();
const cats = new Map(shells.map((s) => [s, []]));
for (let i = 0; i < CATS; i++) {
  for (const s of i % 2 ? shells : [...shells].reverse()) {
    await drainerIdle(withCapture);
    floorOnce();
    cats.get(s).push(await runLine(s, `cat ${big}`));
  }
}
await drainerIdle(withCapture);
await sleep(3000);
const logs = join(withCapture.root, 'spool', 'output');
const logUse = readdirSync(logs).filter((n) => n.endsWith('.log')).map((n) => execFileSync('du', ['-k', '--apparent-size', join(logs, n)], { encoding: 'utf8' }).split('\t')[0] + ' kB apparent, ' + execFileSync('du', ['-k', join(logs, n)], { encoding: 'utf8' }).split('\t')[0] + ' kB on disk');

for (const s of shells) s.term.kill();

/**
 * The same cats with tmux as the terminal (a real terminal emulator, in C, reading as fast as it
 * draws): the shell itself times `cat` into a file, in two panes, with and without the recorder.
 */
async function tmuxCats() {
  const socket = `bird-bench-oc-${process.pid}`;
  const tmux = (...a) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const panes = [];
  for (const output of [true, false]) {
    const home = mkdtempSync(join(tmpdir(), 'bird-bench-oc-tmux-'));
    const root = join(home, 'bird');
    mkdirSync(root);
    writeFileSync(join(root, 'config.toml'), `[capture]\noutput = ${output}\n`);
    writeRc(home, `'$ '`);
    const name = output ? 'with' : 'without';
    tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '50', 'env', '-i', `HOME=${home}`, `BIRD_ROOT=${root}`, `PATH=${process.env.PATH}`, 'TERM=tmux-256color', 'LANG=C.UTF-8', SHELL, '-i');
    panes.push({ name, output, times: join(home, 'times') });
  }
  await sleep(1500);
  const clock = SHELL === 'zsh' ? 'EPOCHREALTIME' : 'EPOCHREALTIME';
  for (let i = 0; i < CATS; i++) {
    for (const p of i % 2 ? panes : [...panes].reverse()) {
      const want = i + 1;
      // fish has no clock variable: date(1) around the cat, once each (a few ms in seconds of cat).
      const line = SHELL === 'fish' ? `set s (date +%s.%N); cat ${big}; set e (date +%s.%N); echo "$s $e" >> ${p.times}` : `s=$${clock}; cat ${big}; e=$${clock}; echo "$s $e" >> ${p.times}`;
      tmux('send-keys', '-t', p.name, line, 'Enter');
      for (;;) {
        await sleep(200);
        let n = 0;
        try {
          n = readFileSync(p.times, 'utf8').trim().split('\n').length;
        } catch {}
        if (n >= want) break;
      }
    }
  }
  tmux('kill-server');
  return new Map(panes.map((p) => [p.output, median(readFileSync(p.times, 'utf8').trim().split('\n').map((l) => { const [a, b] = l.split(' ').map(Number); return (b - a) * 1000; }))]));
}
const tmuxMs = await tmuxCats();

const mbps = (ms) => (MB / (ms / 1000)).toFixed(0);
const echoWith = median(echoes.get(withCapture));
const echoWithout = median(echoes.get(without));
const catWith = median(cats.get(withCapture));
const catWithout = median(cats.get(without));
const lines = [
  `# Passive output capture: cost to the terminal (${SHELL}, ${new Date().toISOString().slice(0, 10)})`,
  '',
  `\`node bench/output-capture.mjs --shell ${SHELL} --keys ${KEYS} --cats ${CATS} --mb ${MB}\`: two hooked ${SHELL} in node-pty ptys, one under`,
  'the recorder (`[capture] output = true`: script -q -f -a -e -O LOG), one without; runs alternate between them.',
  '',
  '| measure | without capture | with capture | added / ratio |',
  '|---|---|---|---|',
  `| keystroke echo, median of ${KEYS} | ${echoWithout.toFixed(3)} ms | ${echoWith.toFixed(3)} ms | ${echoWith >= echoWithout ? '+' : '−'}${Math.abs(echoWith - echoWithout).toFixed(3)} ms |`,
  `| \`cat\` ${MB} MB to the terminal, median of ${CATS} | ${catWithout.toFixed(0)} ms (${mbps(catWithout)} MB/s) | ${catWith.toFixed(0)} ms (${mbps(catWith)} MB/s) | ${(catWithout / catWith).toFixed(2)}x throughput |`,
  `| \`cat\` ${MB} MB in a tmux pane (tmux the terminal), median of ${CATS} | ${tmuxMs.get(false).toFixed(0)} ms (${mbps(tmuxMs.get(false))} MB/s) | ${tmuxMs.get(true).toFixed(0)} ms (${mbps(tmuxMs.get(true))} MB/s) | ${(tmuxMs.get(false) / tmuxMs.get(true)).toFixed(2)}x throughput |`,
  `| resident memory the recorder adds (${memory.pids.join(', ')}) | | RSS ${(memory.rss / 1024).toFixed(1)} MB, PSS ${(memory.pss / 1024).toFixed(1)} MB | |`,
  '',
  `The log after the cats, consumed by the drainer: ${logUse.join('; ') || 'gone'}.`,
  '',
  `Floor in the same run: \`node -e 0\` median ${median(floors).toFixed(0)} ms (of ${floors.length}); load average ${loadBefore} before the cats, ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} after.`,
];
const NOTES = `
Notes:
- Keystroke echo is the time from writing one character to the pty until its echo comes back;
  under capture it crosses one more pty (script reads it from the terminal side, writes it to
  the shell's pty, reads the echo and writes it back and to the log, flushed: -f).
- The node-pty terminal reads slowly (Node decodes every chunk into a string) and script hands it
  bigger chunks, which is why a short run can show capture *faster* there; tmux, a terminal in C,
  is the fairer terminal. The drainer cuts each 100 MB from the log after its cat; the next cat
  waits until it is done (its CPU time still for 0.5 s), so no run is timed against the drain.
- RSS counts libc pages shared with every other process; PSS splits them: the recorder's real
  cost per shell is nearer PSS. The waiting outer shell is most of it: an \`exec script\` instead
  would save it but then a script that fails to start would take the terminal down with it.
- The log's apparent size grows with everything printed; the drainer punches out what it has
  consumed (fallocate --punch-hole), so its disk use stays near one unfinished command.
`;
const text = `${lines.join('\n')}\n${NOTES}`;
process.stdout.write(text);
if (MD) writeFileSync(MD, text);
// The drainers linger (BIRD_DRAIN_LINGER_MS): stopped first, so none writes into a removed root.
for (const pid of made.flatMap((dir) => drainersOf(join(dir, 'bird')))) process.kill(Number(pid));
await sleep(500);
for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
process.exit(0);
