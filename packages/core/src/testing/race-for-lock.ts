// A racer for lock-file.test.ts, run as a real process (bundled by the test).
// usage: node race-for-lock.cjs <folder> <rounds> <step ms>
// Says `ready`, then reads `go <epoch ms>` and, for each round r, waits until that time plus
// r steps (spinning, so that every racer tries in the same instant) and tries the lock
// `<folder>/lock.<r>`. Then it says which rounds it got; on `check`, which of those locks still
// name it. When its stdin closes it releases what it holds and exits. A holder stays alive
// until then, so the others meet a live holder, never one gone stale.
import { join } from 'node:path';
import { tryLock, type Lock } from '../lock-file.ts';

const [folder, rounds, step] = process.argv.slice(2) as [string, string, string];
const now = () => performance.timeOrigin + performance.now();
const locks = new Map<number, Lock>();
let input = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  input += text;
  for (let at = input.indexOf('\n'); at !== -1; at = input.indexOf('\n')) {
    const line = input.slice(0, at);
    input = input.slice(at + 1);
    if (line.startsWith('go ')) race(Number(line.slice(3)));
    if (line === 'check') say([...locks].filter(([, lock]) => lock.stillHeld()).map(([round]) => round));
  }
});
process.stdin.on('end', () => {
  for (const lock of locks.values()) lock.release();
  process.exit(0);
});
process.stdout.write('ready\n');

function race(start: number): void {
  for (let round = 0; round < Number(rounds); round++) {
    while (now() < start + round * Number(step)) {
      // spin: a timer would spread the racers over milliseconds
    }
    const lock = tryLock(join(folder, `lock.${round}`));
    if (lock) locks.set(round, lock);
  }
  say([...locks.keys()]);
}

function say(rounds: number[]): void {
  process.stdout.write(`${JSON.stringify(rounds)}\n`);
}
