import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file below `dir`, as sorted paths relative to it; none if `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
