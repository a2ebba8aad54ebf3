/**
 * Bringing the push state of a bird older than per-series state up to date, once: it kept one
 * counter, one ledger and one outbox for the whole remote, whatever client id each push used
 * (which is how a changed client id broke a lake). Its ledger stays on as a read-only list of
 * keys already pushed; a push it had staged is kept only as keys when the lake has it, and
 * otherwise dropped, its rows being still unpushed here; its counter is dropped, each series'
 * number coming from the lake when this store adopts the series.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROW_KEY, TABLE_NAMES, quoteIdent, quoteLiteral, writeFileAtomicWith } from '@bird/core';
import type { BirdConnection } from '@bird/store';
import { parseLakeKey, parseSegment, readLakeJson, segmentKey, type RemoteBackend } from '@bird/remote';
import { legacyState, type SyncPaths } from './sync-state.ts';

export async function migrateLegacyState(conn: BirdConnection, backend: RemoteBackend, paths: SyncPaths): Promise<void> {
  const legacy = legacyState(paths);
  if (existsSync(legacy.pushed)) {
    mkdirSync(paths.legacyPushed, { recursive: true, mode: 0o700 });
    for (const table of readdirSync(legacy.pushed)) {
      const from = join(legacy.pushed, table);
      const to = join(paths.legacyPushed, table);
      mkdirSync(to, { recursive: true, mode: 0o700 });
      for (const name of readdirSync(from)) renameSync(join(from, name), join(to, name));
    }
    rmSync(legacy.pushed, { recursive: true, force: true });
  }
  if (existsSync(legacy.outbox)) {
    for (const name of readdirSync(legacy.outbox)) {
      if (/^[0-9]+$/.test(name)) await keepIfLanded(conn, backend, paths, join(legacy.outbox, name));
    }
    rmSync(legacy.outbox, { recursive: true, force: true });
  }
  rmSync(legacy.pushState, { force: true });
}

/** A staged push of the old layout: its keys go on the legacy ledger when the lake's segment lists exactly its batches. */
async function keepIfLanded(conn: BirdConnection, backend: RemoteBackend, paths: SyncPaths, dir: string): Promise<void> {
  let staged: { client: string; seq: number; keys: string[] };
  try {
    const doc = JSON.parse(readFileSync(join(dir, 'segment.json'), 'utf8')) as { client: unknown; seq: unknown };
    if (typeof doc.client !== 'string' || typeof doc.seq !== 'number') return;
    const read = parseSegment(doc, dir, { client: doc.client, seq: doc.seq });
    staged = { client: read.client, seq: read.seq, keys: read.batches.map((b) => b.key).sort() };
  } catch {
    return; // damaged: its rows are unpushed here and go with the next push
  }
  const key = segmentKey(staged.client, staged.seq);
  let landed: string[] = [];
  try {
    const doc = await readLakeJson(backend, key, paths.scratch);
    if (doc !== null) landed = parseSegment(doc, key, staged).batches.map((b) => b.key).sort();
  } catch {
    // the lake cannot be read now: nothing is settled, and the next push asks again
    return;
  }
  if (landed.length === 0 || landed.join('\n') !== staged.keys.join('\n')) return;
  for (const table of TABLE_NAMES) {
    const files = staged.keys.filter((k) => parseLakeKey(k)?.table === table).map((k) => join(dir, 'batches', k));
    if (files.length === 0) continue;
    await writeFileAtomicWith(join(paths.legacyPushed, table, `staged-${staged.seq}.parquet`), async (tmp) => {
      await conn.query(`COPY (SELECT CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) AS "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}])) TO ${quoteLiteral(tmp)} (FORMAT parquet)`);
    });
  }
}
