// DuckDB keeps the bytes of deleted rows in bird.duckdb (a freed block is reused, never wiped):
// a forgotten secret would still be on disk. So after a remove the catalog is copied whole into a
// new file, which takes its place by rename while the old one is still held: no writer can reach
// the old file between the copy and the rename, and openCatalog checks that the file it locked is
// still the one at the path, so none reaches it after either.
//
// A marker (layout.catalogRewriteDue) is made before rows are deleted and removed once the new
// file is in place: a remove killed in between leaves it, and the next compaction (bird-sync's,
// or \`bird compact\`) does the rewrite.
import { existsSync, rmSync } from 'node:fs';
import { quoteIdent, quoteLiteral, writeFileAtomic, writeFileAtomicWith, type BirdLayout } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openCatalog } from '../../catalog-lock.ts';

/** Notes, durably, that bird.duckdb is about to hold removed rows' bytes. Returns whether it already did. */
export function markRewriteDue(layout: BirdLayout): boolean {
  if (existsSync(layout.catalogRewriteDue)) return true;
  writeFileAtomic(layout.catalogRewriteDue, '', { tmpDir: layout.tmp, mode: 0o600 });
  return false;
}

export function clearRewriteDue(layout: BirdLayout): void {
  rmSync(layout.catalogRewriteDue, { force: true });
}

/** The rewrite a killed remove left due, if any (compaction runs it). */
export async function finishDueRewrite(layout: BirdLayout, lockTimeoutMs: number): Promise<void> {
  if (!existsSync(layout.catalogRewriteDue)) return;
  const catalog = await openCatalog(layout.catalog, 'read_write', { lockTimeoutMs });
  try {
    const connection = await catalog.instance.connect();
    try {
      await rewriteCatalogFile(connection, layout);
    } finally {
      connection.closeSync();
    }
  } finally {
    catalog.release();
  }
  clearRewriteDue(layout);
}

export async function rewriteCatalogFile(connection: DuckDBConnection, layout: BirdLayout): Promise<void> {
  // Settled first: nothing of the old file may be left only in its WAL.
  await connection.run('CHECKPOINT');
  const reader = await connection.runAndReadAll('SELECT current_database()');
  const current = String(reader.getRows()[0]?.[0]);
  await writeFileAtomicWith(
    layout.catalog,
    async (tmp) => {
      const alias = 'bird_rewrite';
      try {
        await connection.run(`ATTACH ${quoteLiteral(tmp)} AS ${alias}`);
        try {
          await connection.run(`COPY FROM DATABASE ${quoteIdent(current)} TO ${alias}`);
        } finally {
          await connection.run(`DETACH ${alias}`);
        }
      } finally {
        rmSync(`${tmp}.wal`, { force: true }); // none after a clean DETACH; a failed copy's is no use
      }
    },
    { tmpDir: layout.tmp, mode: 0o600 },
  );
}
