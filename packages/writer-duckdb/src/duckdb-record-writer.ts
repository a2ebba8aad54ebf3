import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  BirdError,
  EVENTS,
  INVOCATIONS,
  OUTPUTS,
  classifyDuckDBError,
  inodeAt,
  quarantineFile,
  SESSIONS,
  quoteIdent,
  quoteLiteral,
  fileKeyOf,
  writeFileAtomic,
  type BirdLayout,
  type EventRow,
  type InvocationRow,
  type OutputRow,
  type RecordWriter,
  type SessionRow,
  type TableDef,
} from '@bird/core';
import { encodeRecords } from '@bird/writer-parquet';
import { rowSelect } from './row-literal.ts';

export interface DuckDbWriterOptions {
  /** How long to keep retrying while another process holds bird.duckdb before spilling. */
  readonly lockWaitMs?: number;
}

/** The key that makes a retried write of the same row a no-op. */
const KEY: Record<'invocations' | 'sessions' | 'outputs' | 'events', string> = { invocations: 'id', sessions: 'session_id', outputs: 'id', events: 'id' };

/**
 * DuckDB mode: rows are INSERTed into `local.*` tables of bird.duckdb. DuckDB allows one
 * writing process at a time, so opening retries with backoff; when the catalog stays locked
 * (a long `bird sql`, say), rows are spilled as Parquet files under `db/spill/` and the next
 * writer that gets the lock ingests them. Inserts skip ids already present, so a spill that
 * is ingested twice (crash between insert and delete) still adds each row once.
 */
export class DuckDbRecordWriter implements RecordWriter {
  private constructor(
    private readonly layout: BirdLayout,
    private readonly instance: DuckDBInstance | null,
    private readonly connection: DuckDBConnection | null,
  ) {}

  static async open(layout: BirdLayout, options: DuckDbWriterOptions = {}): Promise<DuckDbRecordWriter> {
    const instance = await openWithRetry(layout.catalog, options.lockWaitMs ?? 2_000);
    if (!instance) return new DuckDbRecordWriter(layout, null, null);
    try {
      const connection = await instance.connect();
      const writer = new DuckDbRecordWriter(layout, instance, connection);
      await writer.ingestSpill();
      return writer;
    } catch (error) {
      // Never keep bird.duckdb open read-write after a failure: it would lock every reader out.
      instance.closeSync();
      throw error;
    }
  }

  /** True when rows go to the spill folder because the catalog was locked. */
  get spilling(): boolean {
    return this.connection === null;
  }

  async writeInvocation(row: InvocationRow): Promise<void> {
    await this.write(INVOCATIONS, row, row.id);
  }

  async registerSession(row: SessionRow): Promise<void> {
    await this.write(SESSIONS, row, row.session_id);
  }

  /** One stream a command printed (`bird run`); written after its command, so spilled after it too. */
  async writeOutput(row: OutputRow): Promise<void> {
    await this.write(OUTPUTS, row, row.id);
  }

  /** What an output says (@bird/core/events); written after its output, so spilled after it too. */
  async writeEvent(row: EventRow): Promise<void> {
    await this.write(EVENTS, row, row.id);
  }

  /** Writes everything in the WAL into bird.duckdb itself (compaction's step in duckdb mode). */
  async checkpoint(): Promise<void> {
    await this.connection?.run('CHECKPOINT');
  }

  async close(): Promise<void> {
    this.connection?.closeSync();
    this.instance?.closeSync();
  }

  private async write(table: TableDef, row: Record<string, unknown>, key: string): Promise<void> {
    if (!this.connection) {
      const dir = join(this.layout.spill, table.name);
      writeFileAtomic(join(dir, `${fileKeyOf(key)}.parquet`), encodeRecords(table, [row]), { tmpDir: this.layout.tmp });
      return;
    }
    await this.insertUnlessPresent(table, rowSelect(table, row));
  }

  private async insertUnlessPresent(table: TableDef, select: string): Promise<void> {
    const target = `local.${quoteIdent(table.name)}`;
    const keyCol = quoteIdent(KEY[table.name as keyof typeof KEY]);
    try {
      await this.connection!.run(
        `INSERT INTO ${target} BY NAME SELECT * FROM (${select}) AS r WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t.${keyCol} = r.${keyCol})`,
      );
    } catch (error) {
      throw new BirdError(`cannot insert into ${target} of ${this.layout.catalog} (${(error as Error).message.split('\n')[0]}); run \`bird init --mode duckdb\` to repair the store.`, { cause: error });
    }
  }

  private async readable(path: string): Promise<boolean> {
    try {
      await this.connection!.run(`SELECT count(*) FROM read_parquet(${quoteLiteral(path)})`);
      return true;
    } catch {
      // whatever DuckDB refuses is what this asks: is the file readable
      return false;
    }
  }

  /** Moves rows spilled while the catalog was locked into their tables, then deletes the files. */
  private async ingestSpill(): Promise<void> {
    // Outputs and events after their commands: a kill between two never leaves one without its command.
    for (const table of [SESSIONS, INVOCATIONS, OUTPUTS, EVENTS]) {
      const dir = join(this.layout.spill, table.name);
      let files: string[];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
      } catch {
        // nothing spilled for this table
        continue;
      }
      for (const file of files) {
        const path = join(dir, file);
        try {
          await this.insertUnlessPresent(table, `SELECT * FROM read_parquet(${quoteLiteral(path)})`);
        } catch (error) {
          // A spill file DuckDB cannot read would fail every later open: set it aside, keep it.
          if (await this.readable(path)) throw error;
          quarantineFile(this.layout, path);
          continue;
        }
        unlinkSync(path);
      }
    }
  }
}

/** Opens bird.duckdb read-write, retrying with backoff while another process holds it; null if it stays locked. */
async function openWithRetry(path: string, waitMs: number): Promise<DuckDBInstance | null> {
  const deadline = Date.now() + waitMs;
  let delay = 10;
  for (;;) {
    try {
      const fileBefore = inodeAt(path);
      const instance = await DuckDBInstance.create(path);
      if (fileBefore === null || inodeAt(path) === fileBefore) return instance;
      // A remove rewrote bird.duckdb meanwhile (store's rewrite-catalog.ts): this may be the old file.
      instance.closeSync();
      continue;
    } catch (error) {
      if (classifyDuckDBError(error).kind !== 'locked') {
        throw new BirdError(`cannot open ${path} (${(error as Error).message.split('\n')[0]}); run \`bird init --mode duckdb\`.`, { cause: error });
      }
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
      delay = Math.min(delay * 2, 200);
    }
  }
}
