// One Ctrl-R session measured through a pty (bench/search.mjs, bench/team-scale.mjs).
import { readFileSync } from 'node:fs';
import pty from 'node-pty';

/**
 * First frame, first frame of the whole index and per-keystroke latencies of one interactive
 * search (`bird search --shell zsh` in a pty, as the Ctrl-R binding runs it), in ms.
 */
export function searchSession(bird, env, root, { keys: KEYS = 30, rssFile = null } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const argv = [process.execPath, bird, 'search', '--shell', 'zsh'];
    // With rssFile, GNU time runs it and writes its peak RSS there (readPeakRss).
    const [file, ...args] = rssFile ? ['/usr/bin/time', '-v', '-o', rssFile, ...argv] : argv;
    const term = pty.spawn(file, args, { cols: 120, rows: 40, env: { ...env, BIRD_ROOT: root, TERM: 'xterm-256color' } });
    const keys = [...'git push origin', ...Array(15).fill('\x7f')].slice(0, KEYS);
    const latencies = [];
    let firstFrame = null;
    /** The first frame drawn from the whole index (the first frame itself, unless that was drawn from the newest rows). */
    let whole = null;
    let sentAt = null;
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no frame within 60 s: ${JSON.stringify(buffered.slice(-300))}`)), 60_000);
    const next = () => {
      if (keys.length === 0) {
        term.write('\x1b');
        return;
      }
      sentAt = process.hrtime.bigint();
      buffered = '';
      term.write(keys.shift());
    };
    term.onData((data) => {
      buffered += data;
      // A frame ends by placing the cursor on the query line: ESC 8, newline (the pty adds a CR), ESC [ n C.
      if (!/\x1b8\r?\n\r\x1b\[\d+C$/.test(buffered)) return;
      const now = process.hrtime.bigint();
      // A first frame drawn from the newest rows only says `/…` for the total: keys wait for the whole index's.
      const partial = buffered.slice(buffered.lastIndexOf('[fuzzy]')).includes('/…');
      buffered = '';
      if (firstFrame === null) firstFrame = Number(now - started) / 1e6;
      if (partial) return;
      if (whole === null) whole = Number(now - started) / 1e6;
      else if (sentAt !== null) latencies.push(Number(now - sentAt) / 1e6);
      sentAt = null;
      // Give the process a moment to finish building what the first keystroke needs, as a person
      // takes ~100 ms before the first key; later keys follow at typing speed.
      setTimeout(next, latencies.length === 0 ? 100 : 30);
    });
    term.onExit(({ exitCode }) => {
      clearTimeout(timer);
      if (exitCode !== 1) reject(new Error(`bird search exited ${exitCode} instead of 1 (Esc)`));
      else resolve({ firstFrame, whole, latencies });
    });
  });
}

/** Peak RSS in MB from a file GNU time -v wrote. */
export function readPeakRss(file) {
  return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(file, 'utf8'))?.[1]) / 1024;
}
