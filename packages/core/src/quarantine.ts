import { existsSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { BirdLayout } from './paths.ts';
import { makeDirs } from './root.ts';

/**
 * Where a damaged file under `db/` is set aside: the quarantine folder, under the same path
 * relative to `db/` (`db/data/local/invocations/date=…/x.parquet` →
 * `db/quarantine/data/local/invocations/date=…/x.parquet`), so a person can tell where it was.
 */
export function quarantinePath(layout: BirdLayout, file: string): string {
  return join(layout.quarantine, relative(layout.dbDir, file));
}

/** Moves a damaged file into quarantine (never deletes it); returns where it went. */
export function quarantineFile(layout: BirdLayout, file: string): string {
  let dest = quarantinePath(layout, file);
  if (existsSync(dest)) dest = `${dest}.${new Date().toISOString().replace(/[:.]/g, '-')}.${process.pid}`;
  makeDirs(dirname(dest));
  renameSync(file, dest);
  return dest;
}
