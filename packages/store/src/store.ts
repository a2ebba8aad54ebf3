/**
 * `openStore` and the connections it makes. Each connection opens bird.duckdb READ_ONLY on
 * its own DuckDB instance (attachments are per instance in DuckDB, so this keeps every
 * connection's `remote_<name>` and macros its own), and closes it on `close()`.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import {
  BirdError,
  TABLE_NAMES,
  classifyDuckDBError,
  compactionLockHolder,
  finishPublishes,
  keepUnreadableIntent,
  findProjectStore,
  loadConfig,
  markAfter,
  markBefore,
  readPublishIntent,
  rollForwardPublish,
  sweepDeadTemporaries,
  tryCompactionLock,
  type BirdLayout,
  type CompactionMark,
  type DuckDBFailure,
  type RemoteConfig,
  type TableName,
} from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { ConnectionOptions, type BirdConnection, type QueryColumn, type QueryOptions, type QueryResult, type Store, type StoreOptions } from './api.ts';
import { isInside, mistypedCandidates, quarantine, storedTableFiles, tableOfFile, tablesNamedIn, whyBad } from './bad-files.ts';
import { openCatalog, type OpenCatalog } from './catalog-lock.ts';
import { defaultWarn, setAsideDamagedCatalog } from './catalog-recovery.ts';
import { RemoteAttachError, SqlError } from './errors.ts';
import { assertPlainRoot, isPlaceholderFile, placeholderPath } from './layout.ts';
import { catalogChanges, catalogMoved, initStore, readCatalogState, runMigration } from './init-store.ts';
import { interruptedPublishes } from './interrupted-publish.ts';
import { ensurePlaceholderFiles, localPlaceholderTargets, pulledPlaceholderTargets, repairMistypedPlaceholders, type PlaceholderTarget } from './placeholders.ts';
import { attachRemote, createRemoteViews, ephemeralMacroDdl, lakeFiles, type AttachedRemote } from './remotes.ts';
import { blobGlobs, outputTextMacroDdl, readsOutputText } from './output-text.ts';
import { blobsNamedByBatches, syncMirrorBlobs } from './remote/live-blobs.ts';
import { isDatabaseRemote } from './remote/database-copy.ts';
import { attachProject, createProjectViews, projectMacroDdl, type AttachedProject } from './project.ts';
import { notAttachedError, remotesNamedIn, remotesToAttach } from './remote-selection.ts';
import { birdValueConverter } from './values.ts';

const MAX_BAD_FILES_PER_QUERY = 100;
/** A query overlapped by this many publishes in a row answers with the last try. */
const MAX_PUBLISH_RETRIES = 20;
/**
 * How long one query waits, in all, for publishes by a live compactor. A publish is a rename and
 * a few deletes (milliseconds); one that takes this long belongs to a compactor that is stopped
 * or stuck, and the query says so rather than wait on it.
 */
const PUBLISH_WAIT_MS = 10_000;

/**
 * The store under `layout`. Nothing is opened until `connect()`, which creates the catalog
 * (in the config's mode) if the root was never initialised.
 *
 * @example
 * const store = openStore(birdLayout(resolveBirdRoot()));
 * const conn = await store.connect();            // ConnectionOptions.full()
 * const { rows } = await conn.query('SELECT cmd FROM main.invocations LIMIT 5');
 * conn.close();
 */
export function openStore(layout: BirdLayout, options: StoreOptions = {}): Store {
  assertPlainRoot(layout);
  const config = loadConfig(layout);
  const warn = options.onWarning ?? defaultWarn;
  return {
    layout,
    config,
    async connect(partial = {}) {
      const opts: ConnectionOptions = { ...ConnectionOptions.full(), ...partial };
      // Before anything is opened: a remote asked for that config.toml lacks is bad input.
      const toAttach = remotesToAttach(config.remotes, opts.attachRemotes, opts.attachOnDemand);
      if (!existsSync(layout.catalog)) await initStore(layout, undefined, options);
      sweepDeadTemporaries(layout);
      if (config.storage.mode === 'parquet') await ensurePlaceholderFiles(layout, [...localPlaceholderTargets(layout), ...pulledPlaceholderTargets(layout)]);
      let catalog = await openCatalog(layout.catalog, 'read_only', options).catch(async (error: unknown) => {
        if (classifyDuckDBError(error).kind !== 'damaged-catalog') throw error;
        setAsideDamagedCatalog(layout, error, warn);
        await initStore(layout, undefined, options);
        return openCatalog(layout.catalog, 'read_only', options);
      });
      let connection = await catalog.instance.connect();
      try {
        const state = await readCatalogState(connection);
        // A moved store is remade even for callers that skip migrations: its views would read the old place.
        if ((opts.runMigration && catalogChanges(state, layout).length > 0) || catalogMoved(state, layout)) {
          connection.closeSync();
          catalog.release();
          await runMigration(layout, options);
          catalog = await openCatalog(layout.catalog, 'read_only', options);
          connection = await catalog.instance.connect();
        }
        const attached: AttachedRemote[] = [];
        const failures: RemoteAttachError[] = [];
        // Lazily, only those asked for by name now; the auto-attach ones wait for a query that names them.
        const later = opts.attachWhenNamed ? toAttach.filter((r) => !r.onDemand).map((r) => r.remote) : [];
        for (const { remote, onDemand } of toAttach) {
          if (later.includes(remote)) continue;
          const result = await attachRemote(connection, layout, remote);
          if (!(result instanceof RemoteAttachError)) attached.push(result);
          else if (onDemand) throw result;
          else failures.push(result);
        }
        const warnings = failures.map((f) => f.message);
        const { project, warnings: projectWarnings } = opts.attachProject ? await attachProjectFound(layout, connection, options.cwd ?? process.cwd()) : { project: null, warnings: [] };
        warnings.push(...projectWarnings);
        const macroCwd = opts.createEphemeralViews ? (options.cwd ?? process.cwd()) : null;
        if (macroCwd !== null) {
          await makeMacros(layout, connection, attached, macroCwd);
          for (const sql of projectMacroDdl(project !== null)) await connection.run(sql);
        }
        for (const w of warnings) warn(w);
        return new StoreConnection(layout, catalog, connection, attached, warnings, warn, { remotes: config.remotes, failures, later, macroCwd }, project);
      } catch (error) {
        connection.closeSync();
        catalog.release();
        throw error;
      }
    },
  };
}

/** The project store of the folder a command runs in (core's findProjectStore), attached as `project` when there is one. */
async function attachProjectFound(layout: BirdLayout, connection: DuckDBConnection, cwd: string): Promise<{ project: AttachedProject | null; warnings: string[] }> {
  const found = findProjectStore(cwd, layout.root);
  if (found === null) return { project: null, warnings: [] };
  if (!found.found) return { project: null, warnings: [`${found.refused}; the project store was not read.`] };
  return attachProject(connection, layout, found);
}

/**
 * The TEMPORARY macros over the remotes attached so far (made again as more are attached). They
 * bind main's views: a placeholder of other columns fails them, naming no file, so it is
 * repaired and they are made once more.
 */
async function makeMacros(layout: BirdLayout, connection: DuckDBConnection, attached: readonly AttachedRemote[], cwd: string): Promise<void> {
  const make = async () => {
    for (const sql of ephemeralMacroDdl(attached, cwd)) await connection.run(sql);
    for (const sql of outputTextMacroDdl(blobGlobs(layout, attached.map((r) => r.root)))) await connection.run(sql);
  };
  await make().catch(async (error: unknown) => {
    if (!(await repairMistypedPlaceholders(layout, connection))) throw error;
    await make();
  });
}

class StoreConnection implements BirdConnection {
  constructor(
    private readonly layout: BirdLayout,
    private readonly catalog: OpenCatalog,
    /** The underlying DuckDB connection, for callers that need more than `query`. */
    readonly duckdb: DuckDBConnection,
    private readonly attached: AttachedRemote[],
    readonly warnings: string[],
    private readonly warn: (message: string) => void,
    /**
     * config.toml's remotes and the ones that failed to attach (what a query naming an unattached
     * one is told); the auto-attach ones not attached yet (attachWhenNamed); where
     * `cwd_invocations()` looks, or null when this connection makes no macros.
     */
    private readonly remotes: { readonly remotes: readonly RemoteConfig[]; readonly failures: RemoteAttachError[]; readonly later: RemoteConfig[]; readonly macroCwd: string | null },
    /** The project store attached as `project`, if any (its bad files are left out, never moved). */
    private readonly project: AttachedProject | null = null,
  ) {}

  get attachedRemotes(): readonly string[] {
    return this.attached.map((r) => r.name);
  }

  /**
   * Runs `sql`, and runs it again whenever a compaction published a merged file while it ran
   * (between writing that file and deleting its sources, a scan can see a row twice, or list a
   * file that is then deleted). sync-worker's PROTOCOL.md has the steps and why this suffices.
   * Costs four small reads per query; no row is deduplicated. A statement with side effects
   * must pass `beforeRetry` (see QueryOptions): it is never run again over what it left.
   */
  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    await this.attachLater(remotesNamedIn(sql, this.remotes.later));
    if (readsOutputText(sql)) await this.bringLiveBlobs(sql);
    const deadline = Date.now() + PUBLISH_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      const before = await this.waitOutPublish(deadline);
      let result: QueryResult | undefined;
      let failure: unknown;
      try {
        result = await this.queryOnce(sql);
      } catch (error) {
        failure = error;
      }
      const after = markAfter(this.layout);
      const overlapped = after.publishing || after.generation !== before.generation;
      if (!overlapped || attempt >= MAX_PUBLISH_RETRIES) {
        if (result) return result;
        throw failure;
      }
      options.beforeRetry?.();
    }
  }

  async readChunks(sql: string, read: (chunk: DuckDBDataChunk) => void): Promise<void> {
    // DuckDB's failures as query's are; what `read` throws goes to the caller as it is.
    const duck = <T>(step: Promise<T>): Promise<T> => step.catch((error: unknown) => Promise.reject(new SqlError(error instanceof Error ? error.message : String(error), { cause: error })));
    const result = await duck(this.duckdb.stream(sql));
    for (let chunk = await duck(result.fetchChunk()); chunk !== null && chunk.rowCount > 0; chunk = await duck(result.fetchChunk())) read(chunk);
  }

  /**
   * The mark to compare after a query; waits while a live compactor publishes (until `deadline`,
   * then refuses in one sentence), and finishes a publish whose compactor died: by its intent, or,
   * when the intent cannot be read, by the rows of the day it was publishing.
   */
  private async waitOutPublish(deadline: number): Promise<CompactionMark> {
    for (;;) {
      const mark = markBefore(this.layout);
      if (!mark.publishing) return mark;
      if (Date.now() > deadline) throw this.publishNotFinished();
      const lock = tryCompactionLock(this.layout);
      if (lock) {
        // Free lock, intent still there: its compactor died mid-publish. Finish it for everyone.
        try {
          const intent = readPublishIntent(this.layout);
          if (intent === 'unreadable') {
            const kept = keepUnreadableIntent(this.layout);
            finishPublishes(this.layout, await interruptedPublishes(this.layout, this.duckdb));
            this.warn(`the compaction intent ${join(this.layout.compaction, 'publishing')} could not be read; finished its publish by the rows on disk${kept ? ` and kept the intent as ${kept}` : ''}.`);
          } else if (intent) {
            rollForwardPublish(this.layout, intent);
          }
        } finally {
          lock.release();
        }
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Why a query stopped waiting for a publish: a holder that does not finish, or an intent that cannot be cleared. */
  private publishNotFinished(): BirdError {
    const lock = join(this.layout.compaction, 'lock');
    const intent = join(this.layout.compaction, 'publishing');
    const holder = compactionLockHolder(this.layout);
    const free = tryCompactionLock(this.layout);
    free?.release();
    if (holder !== null && free === null) {
      return new BirdError(
        `a compaction has been publishing for over ${PUBLISH_WAIT_MS / 1000} s and ${lock} is held by pid ${holder}, so the query could count its rows twice; wait for it to finish, or stop it if it is stuck (the next query then finishes its publish), and run the query again.`,
      );
    }
    return new BirdError(`the compaction intent ${intent} could not be finished for over ${PUBLISH_WAIT_MS / 1000} s; make ${this.layout.compaction} writable (or move ${intent} aside), and run the query again.`);
  }

  private async queryOnce(sql: string): Promise<QueryResult> {
    const skipped: string[] = [];
    let repairedPlaceholders = false;
    let scannedSchemas = false;
    for (;;) {
      try {
        const reader = await this.duckdb.runAndReadAll(sql);
        const columns: QueryColumn[] = reader.columnNames().map((name, i) => ({ name, type: reader.columnType(i).toString() }));
        const rows = reader.convertRows(birdValueConverter);
        return skipped.length > 0 ? { columns, rows, warnings: skipped } : { columns, rows };
      } catch (error) {
        const message = (error as Error).message;
        const failure = classifyDuckDBError(error);
        if (!repairedPlaceholders && (await this.repairPlaceholder(failure))) {
          repairedPlaceholders = true;
          continue;
        }
        const room = MAX_BAD_FILES_PER_QUERY - skipped.length;
        let found = room > 0 ? await this.skipBadFile(failure.file) : [];
        if (found.length === 0 && room > 0 && !scannedSchemas && failure.kind === 'conversion') {
          // A value that does not convert, maybe in a file DuckDB did not name: look for it, once.
          scannedSchemas = true;
          found = await this.skipMistypedFiles(sql, room);
        }
        if (found.length === 0 && (await this.attachLater(this.remotesWantedBy(failure, message)))) continue;
        if (found.length === 0) {
          throw notAttachedError(failure, this.remotes.remotes, this.attachedRemotes, this.remotes.failures) ?? new SqlError(message, { cause: error });
        }
        for (const warning of found) {
          skipped.push(warning);
          this.warn(warning);
        }
      }
    }
  }

  /**
   * Attaches `remotes` of those kept for later (auto-attach ones on an attachWhenNamed
   * connection), warning of each that cannot be, and remakes the macros over what is attached.
   * True when any was taken off the list: the query that wanted them may run again.
   */
  private async attachLater(remotes: readonly RemoteConfig[]): Promise<boolean> {
    const { later, failures, macroCwd } = this.remotes;
    const todo = remotes.filter((r) => later.includes(r));
    if (todo.length === 0) return false;
    for (const remote of todo) {
      later.splice(later.indexOf(remote), 1);
      const result = await attachRemote(this.duckdb, this.layout, remote);
      if (result instanceof RemoteAttachError) {
        failures.push(result);
        this.warnings.push(result.message);
        this.warn(result.message);
      } else {
        this.attached.push(result);
      }
    }
    if (macroCwd !== null) await makeMacros(this.layout, this.duckdb, this.attached, macroCwd);
    return true;
  }

  /**
   * Before a query that reads the text of outputs: the blobs that rows of the S3 remotes it reads
   * name, fetched into their mirrors and checked (remote/live-blobs.ts), so that blob_texts()
   * finds them; each refused one is warned of, and its output reads as missing. A query that
   * names no output text, or no S3 remote, costs nothing here.
   */
  private async bringLiveBlobs(sql: string): Promise<void> {
    if (this.remotes.macroCwd === null) return; // no macros: nothing here reads output text
    const live = this.remotes.remotes.filter((r) => r.type === 's3' && this.attachedRemotes.includes(r.name) && !isDatabaseRemote(r, this.layout));
    let changed = false;
    for (const config of remotesNamedIn(sql, live)) {
      const remote = this.attached.find((a) => a.name === config.name)!;
      const files = lakeFiles(remote.root, 'outputs').filter((f) => !remote.excluded.has(f));
      const named = await blobsNamedByBatches(async (q) => (await this.duckdb.runAndReadAll(q)).getRows(), remote.root, files);
      const result = await syncMirrorBlobs(this.layout, config, remote.root, named);
      if (result.warning !== null) this.warn(result.warning);
      changed ||= result.changed;
    }
    // A mirror's first blob (or last) changes which folders blob_texts() reads.
    if (changed) await makeMacros(this.layout, this.duckdb, this.attached, this.remotes.macroCwd);
  }

  /**
   * The remotes kept for later that a failed query may have wanted: the one whose schema it
   * found missing, or all of them after any other catalog error (a name the text did not show).
   */
  private remotesWantedBy(failure: DuckDBFailure, message: string): readonly RemoteConfig[] {
    const { later } = this.remotes;
    const named = failure.kind === 'missing-schema' ? remotesNamedIn(failure.schema, later) : [];
    if (named.length > 0) return named;
    return /^Catalog Error/.test(message) ? later : [];
  }

  /** Takes `file`, the one a DuckDB error names, out of the query if it really is bad; returns the warning, if any. */
  private async skipBadFile(file: string | null): Promise<string[]> {
    if (!file) return [];
    const reason = await whyBad(this.duckdb, file);
    const warning = reason ? this.takeOut(file, reason) : null;
    if (!warning) return [];
    await this.rebuildRemoteViews();
    return [warning];
  }

  /**
   * After a conversion error: checks the schema of every file of the tables `sql` names against
   * core's definition, and takes out (at most `limit`) files whose values do not convert.
   */
  private async skipMistypedFiles(sql: string, limit: number): Promise<string[]> {
    const warnings: string[] = [];
    for (const table of tablesNamedIn(sql)) {
      const files = storedTableFiles(this.layout, table);
      for (const remote of this.attached) for (const file of lakeFiles(remote.root, table)) if (!remote.excluded.has(file)) files.push(file);
      for (const file of await mistypedCandidates(this.duckdb, table, files)) {
        if (warnings.length >= limit) break;
        const reason = await whyBad(this.duckdb, file);
        const warning = reason ? this.takeOut(file, reason) : null;
        if (warning) warnings.push(warning);
      }
    }
    if (warnings.length > 0) await this.rebuildRemoteViews();
    return warnings;
  }

  private readonly staleRemotes = new Set<AttachedRemote>();
  private projectStale = false;

  /** Moves a bad file of BIRD's own to quarantine, or leaves a remote's out of this connection; returns the warning, or null. */
  private takeOut(file: string, reason: string): string | null {
    if (isInside(this.layout.dataDir, file)) {
      markIndexStale(this.layout.historyIndex); // its rows leave the store: the history index must follow
      const dest = quarantine(this.layout, file);
      return `skipped bad file ${file} (${reason}); moved it to ${dest}.`;
    }
    if (this.project && (isInside(this.project.root, file) || (this.project.cache !== undefined && isInside(this.project.cache.root, file)))) {
      this.project.excluded.add(file);
      this.projectStale = true;
      return `skipped bad file ${file} of the project store ${this.project.root} (${reason}).`;
    }
    const remote = this.attached.find((r) => isInside(r.root, file));
    if (!remote) return null;
    remote.excluded.add(file);
    this.staleRemotes.add(remote);
    // A mirror's copy (S3) may be the damaged one, at the object's size (a short one is fetched again by itself).
    const refetch = isInside(this.layout.mirror, file) ? `; if the remote's own object is sound, delete this copy and the next command fetches it again` : '';
    return `skipped bad file ${file} of remote ${remote.name} (${reason})${refetch}.`;
  }

  /** Views of remotes whose excluded files changed. */
  private async rebuildRemoteViews(): Promise<void> {
    for (const remote of this.staleRemotes) await createRemoteViews(this.duckdb, this.layout, remote);
    this.staleRemotes.clear();
    if (this.project && this.projectStale) await createProjectViews(this.duckdb, this.layout, this.project);
    this.projectStale = false;
  }

  /**
   * A placeholder deleted by hand makes its glob match nothing; one cut short or overwritten is
   * named in the error; one replaced by a Parquet file of other columns gives an error naming no
   * file. Each is bird's own (zero rows, typed like its table): written again, and the query
   * retried once. Never quarantined: the query would keep failing without it.
   */
  private async repairPlaceholder(failure: DuckDBFailure): Promise<boolean> {
    let target: PlaceholderTarget;
    if (failure.kind === 'missing-file') {
      const tableDir = dirname(dirname(failure.pattern));
      target = { path: placeholderPath(tableDir), table: basename(tableDir) as TableName };
    } else if (failure.file && isPlaceholderFile(failure.file)) {
      target = { path: failure.file, table: tableOfFile(failure.file) as TableName };
    } else {
      return repairMistypedPlaceholders(this.layout, this.duckdb);
    }
    if (!TABLE_NAMES.includes(target.table) || !isInside(this.layout.dataDir, target.path)) return false;
    return (await ensurePlaceholderFiles(this.layout, [target], { force: true })).length > 0;
  }

  close(): void {
    try {
      this.duckdb.closeSync();
    } finally {
      this.catalog.release();
    }
  }
}
