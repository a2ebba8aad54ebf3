import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on the terminal (cli-progress, on stderr), shown only once a run has taken a
 * second and work remains, so a quick compaction prints just its summary.
 */
export function progressBar(stream: { write(text: string): void }, now: () => number = Date.now, format = 'compacting [{bar}] {value}/{total} partitions'): Progress {
  const started = now();
  let bar: SingleBar | null = null;
  return {
    update(done, total) {
      if (!bar) {
        if (now() - started < 1000 || done >= total) return;
        bar = new SingleBar({ stream: stream as NodeJS.WritableStream, format, hideCursor: true, clearOnComplete: true, noTTYOutput: true, notTTYSchedule: 0 });
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
