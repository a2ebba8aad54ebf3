/**
 * The catalog as version 1 (the foundation's `bird init`) made it, kept as a fixture so the
 * migration to the current version is tested against real old DDL: no `bird_meta`, no
 * placeholders, no `caches`, no `_source`, and duckdb-mode `local.events` without the
 * `ref_column` and `code` columns added in version 2.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { ensureRoot, quoteLiteral, type BirdLayout, type StorageMode } from '@bird/core';

const V1_TABLES: Record<string, string> = {
  invocations: 'id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, "timestamp" TIMESTAMPTZ NOT NULL, duration_ms BIGINT, cwd VARCHAR, cmd VARCHAR NOT NULL, executable VARCHAR, exit_code INTEGER, client_id VARCHAR NOT NULL, hostname VARCHAR, shell VARCHAR, "date" DATE NOT NULL',
  sessions: 'session_id VARCHAR NOT NULL, client_id VARCHAR NOT NULL, invoker VARCHAR, invoker_pid INTEGER, registered_at TIMESTAMPTZ NOT NULL, cwd VARCHAR, "date" DATE NOT NULL',
  outputs: 'id VARCHAR NOT NULL, invocation_id VARCHAR NOT NULL, stream VARCHAR, content_hash VARCHAR, byte_length BIGINT, storage_type VARCHAR, storage_ref VARCHAR, "date" DATE NOT NULL',
  events: 'id VARCHAR NOT NULL, invocation_id VARCHAR NOT NULL, severity VARCHAR, ref_file VARCHAR, ref_line INTEGER, message VARCHAR, "date" DATE NOT NULL',
};

/** Writes a version-1 catalog. In parquet mode its views read the local folders directly, so they need files to exist. */
export async function createV1Catalog(layout: BirdLayout, mode: StorageMode): Promise<void> {
  ensureRoot(layout, mode);
  const instance = await DuckDBInstance.create(layout.catalog);
  const c = await instance.connect();
  try {
    await c.run('CREATE SCHEMA local');
    for (const [name, cols] of Object.entries(V1_TABLES)) {
      if (mode === 'duckdb') await c.run(`CREATE TABLE local.${name} (${cols})`);
      else await c.run(`CREATE VIEW local.${name} AS SELECT * FROM read_parquet(${quoteLiteral(`${layout.localData}/${name}/*/*.parquet`)})`);
      await c.run(`CREATE VIEW main.${name} AS SELECT * FROM local.${name}`);
    }
    if (mode === 'duckdb') {
      await c.run(`INSERT INTO local.events VALUES ('e1', 'i1', 'error', 'a.c', 3, 'old event', DATE '2024-05-01')`);
      await c.run(`INSERT INTO local.invocations VALUES ('i1', 's1', TIMESTAMPTZ '2024-05-01 10:00:00+00', 5, '/tmp', 'ls', 'ls', 0, 'c@h', 'h', 'zsh', DATE '2024-05-01')`);
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
