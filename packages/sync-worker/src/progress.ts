import { SingleBar } from 'cli-progress';

/**
 * A progress bar on the terminal (stderr), shown only once a run has taken a second, so a
 * quick compaction prints just its summary.
 */
export function progressBar(stream: NodeJS.WritableStream | { write(text: string): void }): { update(done: number, total: number): void; stop(): void } {
  const started = Date.now();
  let bar: SingleBar | null = null;
  return {
    update(done, total) {
      if (!bar) {
        if (Date.now() - started < 1000 || done >= total) return;
        bar = new SingleBar({ stream: stream as NodeJS.WritableStream, format: 'compacting [{bar}] {value}/{total} partitions', hideCursor: true, clearOnComplete: true });
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
