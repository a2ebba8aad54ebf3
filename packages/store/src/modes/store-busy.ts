/**
 * A write that cannot go on now without waiting for another process (a compaction publishing, in
 * parquet mode): not a failure. The caller tries again in a moment; nothing was written.
 */
export class StoreBusy extends Error {
  constructor(message = 'a compaction is publishing; try again in a moment') {
    super(message);
    this.name = 'StoreBusy';
  }
}
