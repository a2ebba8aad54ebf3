// The drain mode of bird-capture (`bird-capture --drain`): started by a shell hook when no
// drainer is alive, it stores spooled records through the mode's writer (a Parquet file each,
// or rows of bird.duckdb), lingers for more, then exits.
// Any drainer drains every spool file of its root, so one process serves all shells at once.
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  watch,
  type FSWatcher,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  appendErrorsLog,
  describeError,
  INSTALL_LAYOUT,
  installRootOf,
  isProcessAlive,
  loadConfig,
  OUTPUT_MAX_BYTES,
  outputIgnored,
  waitForLock,
  resolveClientId,
  writeFileAtomic,
  type BirdConfig,
  type BirdLayout,
  type EventRow,
} from '@bird/core';
import { StoreBusy, appendCommands, compactionDue } from '@bird/store/append';
import { BLOBS_LOCK_WAIT_MS, writeBlob } from '@bird/core/output-blobs';
import { planEvents } from '@bird/core/events';
import { OutputLogs } from '../output-log/output-logs.ts';
import { outputMarkKey } from '../output-log/output-marks.ts';
import { planPassiveOutputs } from '../output-log/passive-outputs.ts';
import { withoutZshPromptSp } from '../output-log/zsh-prompt-sp.ts';
import { withoutFishPreexecNoise } from '../output-log/fish-preexec-noise.ts';
import type { CutOutput } from '../output-log/output-log-cutter.ts';
import type { PlannedOutputs } from '../record-output.ts';
import { planCapture, type PlannedCapture } from '../record-command.ts';
import { judgeClaim, planDrain, type SpoolListing } from './plan-drain.ts';
import { parseSpool, type SpoolRecord } from './record-format.ts';
import { keepSessionOrder } from './session-order.ts';
import { drainerMarkerStamp, isDrainerAlive, readDrainerMarker } from './drainer-alive.ts';
import { compareClaims, DRAINER_MARKER, parseSpoolName } from './spool-names.ts';
import { recordEnv, recordToCommand } from './to-command.ts';

export interface DrainerOptions {
  /** Idle time after the last record before exiting. */
  lingerMs: number;
  /** A claim must be this quiet before it is deleted (a late append may still land in it). */
  graceMs: number;
  /** An unfinished last record is torn after this long, if its shell is still alive. */
  tornMs: number;
  /** Delay between a spool write and the pass that drains it; the shortest wait between looks. */
  pollMs: number;
  /** First wait after a failed write; doubles with each failure, up to a minute. */
  retryMs: number;
}

export const DEFAULT_DRAINER_OPTIONS: DrainerOptions = { lingerMs: 10_000, graceMs: 2_000, tornMs: 10_000, pollMs: 30, retryMs: 2_000 };

interface Claim {
  consumed: number;
  size: number;
  lastChange: number;
  ownerPid: number;
  /** Failed attempts to store this claim's records in a row, and when to try again. */
  failures: number;
  retryAt: number;
  /**
   * Its records may have been written before: it was taken over from a drainer that died, or a
   * write of it failed part-way. Such a redo runs under the compaction lock and skips rows a
   * compaction already merged, whose one-row files are gone (their ids would come back twice).
   */
  redo: boolean;
  /** Since when its records wait for an output the recorder has not written to its log yet. */
  outputWaitSince?: number;
}

/**
 * After this many failed attempts in a row (full disk, a broken bird.duckdb) a drainer leaves
 * the claim where it is and stops trying, so it can exit; the next drainer takes it over.
 */
const MAX_FAILURES = 5;

/** A redo found the compaction lock taken: try that claim again this much later. */
const COMPACTION_BUSY_RETRY_MS = 200;

/** What each shell prints around a command, between bird's marks, that is not the command's output. */
const SHELL_NOISE: Record<SpoolRecord['shell'], (output: CutOutput) => CutOutput> = {
  zsh: withoutZshPromptSp,
  bash: (output) => output,
  fish: withoutFishPreexecNoise,
};

/** How many times, how far apart, a record's output is looked for in a log that has it still open. */
const OUTPUT_LOOKS = 5;
const OUTPUT_LOOK_MS = 20;

/**
 * How long records wait, when an output they want is in no log yet, before they are stored
 * without it. The recorder (script(1)) is a process of its own: on a loaded machine it writes
 * a command's marks to its log after the shell has spooled the record (seen at a load of ~10).
 * A shell under no recorder (it could not start) waits this long for every record.
 */
const OUTPUT_WAIT_MS = 1_000;
const OUTPUT_RETRY_MS = 50;

/** How often a drainer looks whether a partition has grown enough to compact. */
const COMPACT_CHECK_MS = 60_000;

export async function runDrainer(layout: BirdLayout, config: BirdConfig, env: NodeJS.ProcessEnv, options: DrainerOptions): Promise<void> {
  const drainer = new Drainer(layout, config, env, options);
  await drainer.run();
}

class Drainer {
  private readonly claims = new Map<string, Claim>();
  /** Claims this drainer gave up on: left for the next drainer, never retaken by this one. */
  private readonly abandoned = new Set<string>();
  private config: BirdConfig;
  private configMtimeMs: number;
  private takeNew = true;
  private lastActivity = Date.now();
  private passQueued = false;
  /** Passes run one at a time: a watcher event during a pass queues the next one behind it. */
  private passing: Promise<void> = Promise.resolve();
  private watcher: FSWatcher | null = null;
  /** Per fish session: the number and start of the last command stored (see keepSessionOrder). */
  private readonly clocklessStarts = new Map<string, { seq: number; startUs: bigint }>();
  /** The recorders' logs (passive output capture), read only while `[capture] output` is on. */
  private outputLogs: OutputLogs | null = null;

  constructor(
    private readonly layout: BirdLayout,
    config: BirdConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: DrainerOptions,
  ) {
    this.config = config;
    this.configMtimeMs = this.configMtime();
  }

  async run(): Promise<void> {
    let leader = this.becomeLeader();
    // Whatever ends this process (but kill -9), shells must not keep trusting its pid.
    process.once('exit', () => this.releaseLeadership());
    try {
      // Our own renames, the marker and bash's scratch file (written at every prompt) bring no
      // records: a pass for each would only take CPU from the prompt being drawn.
      this.watcher = watch(this.layout.spool, { persistent: false }, (_event, file) => {
        const name = file ? String(file) : '';
        if (name.endsWith('.claim') || name.endsWith('.hist') || name.startsWith(DRAINER_MARKER)) return;
        this.queuePass();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No inotify (or too many watches): the poll below still finds everything, a little later.
    }
    await this.pass();
    // A drainer that lost the race to lead still drains what its shell just spooled, then goes.
    if (!leader) this.takeNew = false;

    for (;;) {
      // Claims only wait out their grace period: look again when the first one is due, not on
      // a tight poll. New spool data arrives through the watcher; the 1 s look is a fallback.
      await sleep(this.claims.size > 0 ? this.nextClaimDue() : Math.min(1000, this.options.lingerMs));
      await this.pass();
      if (this.takeNew && Date.now() - this.lastActivity >= this.options.lingerMs && this.claims.size === 0) {
        // Stop being the drainer shells count on *before* the last look: a record spooled after
        // that look finds no marker, so its shell starts a new drainer; nothing falls between.
        this.releaseLeadership();
        await this.pass();
        this.takeNew = false;
      }
      if (!this.takeNew && this.claims.size === 0) {
        // The marker names us after all (a hook wrote it while we lost the race to lead): shells
        // count on us, so we lead, and leave the way a leader does (release, then a last look).
        if (!leader && readDrainerMarker(this.layout.spool)?.pid === process.pid) {
          leader = true;
          this.takeNew = true;
          this.lastActivity = Date.now();
          continue;
        }
        break;
      }
    }
    this.watcher?.close();
  }

  /**
   * A short delay before reacting to a write: the shell that just wrote is drawing its prompt,
   * and on a small machine the drainer should not compete with it; a burst of pasted commands
   * is then drained in one pass.
   */
  private queuePass(): void {
    if (this.passQueued) return;
    this.passQueued = true;
    setTimeout(() => {
      this.passQueued = false;
      void this.pass();
    }, this.options.pollMs);
  }

  private nextClaimDue(): number {
    let due = Infinity;
    for (const claim of this.claims.values()) {
      due = Math.min(due, claim.lastChange + this.options.graceMs - Date.now());
      // Records waiting for their output (and writes backing off) are due when they said.
      if (claim.retryAt > Date.now()) due = Math.min(due, claim.retryAt - Date.now());
    }
    return Math.max(this.options.pollMs, Math.min(due, 1000));
  }

  private pass(): Promise<void> {
    // A failed pass is logged and the chain goes on: one bad pass must not stop all later ones.
    this.passing = this.passing
      .then(() => this.passOnce())
      .catch((error: unknown) => this.log(`a drain pass failed (${describeError(error)}); the next pass retries.`));
    return this.passing;
  }

  /** One look at the spool folder: claim what is new, advance every claim we hold. */
  private async passOnce(): Promise<void> {
    this.refreshConfig();
    let names: string[];
    try {
      names = readdirSync(this.layout.spool);
    } catch (error) {
      this.log(`cannot read the spool folder ${this.layout.spool} (${describeError(error)}); commands wait there until it is readable.`);
      return;
    }
    const listing: SpoolListing[] = [];
    for (const name of names) {
      if (!parseSpoolName(name)) continue;
      try {
        listing.push({ name, size: statSync(join(this.layout.spool, name)).size });
      } catch {
        // gone between readdir and stat: another drainer took it
      }
    }
    const actions = planDrain(listing, {
      myPid: process.pid,
      myClaims: new Set([...this.claims.keys(), ...this.abandoned]),
      isShellAlive: isProcessAlive,
      isDrainerAlive: (pid) => isDrainerAlive(pid, this.layout.root),
      takeNew: this.takeNew,
    });
    for (const action of actions) {
      const from = join(this.layout.spool, action.kind === 'remove' ? action.name : action.from);
      try {
        if (action.kind === 'remove') {
          unlinkSync(from);
          continue;
        }
        // The plan picked a free name; this guards against a file it could not know of (one left by
        // an earlier process that had our pid and appeared since the listing). Never replace one.
        const to = join(this.layout.spool, action.to);
        if (existsSync(to)) continue;
        renameSync(from, to);
      } catch {
        continue; // another drainer won the rename, or the file went away: not ours
      }
      const entry = parseSpoolName(action.to);
      if (entry?.kind !== 'claim') continue;
      this.claims.set(action.to, { consumed: 0, size: -1, lastChange: Date.now(), ownerPid: entry.spool.ownerPid, failures: 0, retryAt: 0, redo: action.kind === 'reclaim' });
      if (action.kind === 'claim' && action.recreate) this.recreateSpool(action.from);
    }
    // A fish session's one-shot files in the order its commands ran (see keepSessionOrder).
    for (const name of [...this.claims.keys()].sort(compareClaims)) await this.advance(name);
  }

  /** An empty 0600 spool for the shell's next append, so its records never sit in a wider file. */
  private recreateSpool(name: string): void {
    const path = join(this.layout.spool, name);
    try {
      closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
    } catch {
      // The shell already made it (with its umask) in the moment between: tighten it.
      try {
        const fd = openSync(path, constants.O_RDONLY);
        fchmodSync(fd, 0o600);
        closeSync(fd);
      } catch {
        // gone again (claimed by another drainer): nothing to tighten
      }
    }
  }

  private async advance(name: string): Promise<void> {
    const claim = this.claims.get(name)!;
    if (Date.now() < claim.retryAt) return; // backing off after a failed write
    const path = join(this.layout.spool, name);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY);
    } catch {
      this.claims.delete(name); // taken over by another drainer that thought we were dead
      return;
    }
    try {
      // Whether the shell lives is asked before the file's size, never after: a shell that appends
      // its last record (a command cut off by a hang-up) and exits between the two would otherwise
      // be judged done on the size from before the append, and its last record deleted unread.
      const shellAlive = isProcessAlive(claim.ownerPid);
      const stat = fstatSync(fd, { bigint: true });
      const size = Number(stat.size);
      if (size !== claim.size) {
        claim.size = size;
        claim.lastChange = Date.now();
      }
      if (size > claim.consumed) {
        const bytes = Buffer.alloc(size);
        let off = 0;
        while (off < size) {
          const n = readSync(fd, bytes, off, size - off, off);
          if (n === 0) break;
          off += n;
        }
        const parsed = parseSpool(bytes.subarray(0, off), claim.consumed);
        const mtimeUs = stat.mtimeNs / 1000n;
        const entry = parseSpoolName(name);
        const seq = entry?.kind === 'claim' ? entry.spool.seq : null;
        const plans = parsed.records.map((record) => {
          const env = recordEnv(this.env, record);
          const plan = planCapture(recordToCommand(record, mtimeUs), {
            env,
            config: this.config,
            clientId: resolveClientId(env, this.config.client_id),
          });
          // Dated by the file's mtime (fish): kept after the session's previous command.
          const previous = this.clocklessStarts.get(record.sessionId);
          if (record.start !== null || seq === null || !plan.invocation || (previous && previous.seq >= seq)) return plan;
          return { ...plan, invocation: keepSessionOrder(plan.invocation, previous?.startUs) };
        });
        const { outputs, keys, missing } = await this.passiveOutputs(parsed.records, plans, seq);
        if (missing && Date.now() - (claim.outputWaitSince ??= Date.now()) < OUTPUT_WAIT_MS) {
          claim.retryAt = Date.now() + OUTPUT_RETRY_MS;
          return;
        }
        claim.outputWaitSince = undefined;
        // Writes work again: claims given up on while they failed are taken back by the next pass.
        if ((await this.store(plans, claim.redo, outputs)) > 0) this.abandoned.clear();
        this.outputLogs?.settle(keys);
        for (const plan of plans) {
          if (seq !== null && plan.invocation) this.clocklessStarts.set(plan.invocation.session_id, { seq, startUs: plan.invocation.timestamp });
        }
        for (const bad of parsed.rejected) {
          this.log(`skipped a damaged spool record in ${name} (${bad.reason}); it was cut short by a crash or Ctrl-C while being written.`);
        }
        claim.consumed = parsed.consumed;
        this.lastActivity = Date.now();
      }
      const verdict = judgeClaim(
        { consumed: claim.consumed, size, quietMs: Date.now() - claim.lastChange, shellAlive },
        this.options.graceMs,
        this.options.tornMs,
      );
      if (verdict === 'keep') return;
      if (verdict === 'torn') this.log(`dropped an unfinished spool record at the end of ${name}; its write was cut short by a crash or Ctrl-C.`);
      unlinkSync(path);
      this.claims.delete(name);
    } catch (error) {
      if (error instanceof StoreBusy) {
        // Not a failure: a compaction is publishing. This claim waits a moment; the others go on.
        claim.retryAt = Date.now() + COMPACTION_BUSY_RETRY_MS;
        return;
      }
      // Kept: a later pass (or the next drainer) retries; rows already written are not doubled.
      claim.failures += 1;
      claim.redo = true;
      claim.lastChange = Date.now();
      claim.retryAt = Date.now() + Math.min(60_000, this.options.retryMs * 2 ** (claim.failures - 1));
      if (claim.failures >= MAX_FAILURES) {
        this.claims.delete(name);
        this.abandoned.add(name);
        this.log(`could not store spooled commands from ${name} (${describeError(error)}); gave up after ${claim.failures} tries, they stay spooled for the next drainer.`);
      } else {
        this.log(`could not store spooled commands from ${name} (${describeError(error)}); they stay spooled and are retried.`);
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Writes one batch through the store's mode (which holds what its mode needs: in parquet mode a
   * redo skips rows a compaction merged; in duckdb mode bird.duckdb is held only for the inserts)
   * and tells the history index before it returns, so the claim advances only past stored,
   * indexed rows. A mode that must wait (a compaction publishing) throws StoreBusy.
   */
  private async store(plans: readonly PlannedCapture[], redo: boolean, outputs: ReadonlyMap<string, PlannedOutputs> = new Map()): Promise<number> {
    const commands = plans.flatMap((p) => {
      if (!p.invocation || !p.session) return [];
      const planned = outputs.get(p.invocation.id);
      return [{ invocation: p.invocation, session: p.session, outputs: planned?.rows, events: planned ? this.eventsOf(p.invocation, planned) : undefined }];
    });
    if (commands.length === 0) return 0;
    const blobs = [...outputs.values()].flatMap((o) => o.blobs);
    // Blobs go to disk before the rows naming them, under the lock `bird forget` takes to delete
    // blobs no row names (as `bird run` does).
    const lock = blobs.length > 0 ? await waitForLock(this.layout.blobsLock, BLOBS_LOCK_WAIT_MS) : null;
    if (blobs.length > 0 && !lock) throw new Error(`another bird held ${this.layout.blobsLock} for ${BLOBS_LOCK_WAIT_MS / 1000} s`);
    let result: Awaited<ReturnType<typeof appendCommands>>;
    try {
      for (const blob of blobs) writeBlob(this.layout, blob.contentHash, blob.bytes);
      result = await appendCommands(this.layout, this.config, commands, { redo });
    } finally {
      lock?.release();
    }
    const { written, problems } = result;
    for (const problem of problems) this.log(problem);
    if (written > 0) this.maybeCompact(commands[commands.length - 1]!.invocation.date);
    return written;
  }

  /**
   * What a typed command's output says (passive capture), parsed here, off the prompt's path, as
   * `bird run` parses its own. A parse that fails stores no events, never less of the command.
   */
  private eventsOf(invocation: NonNullable<PlannedCapture['invocation']>, planned: PlannedOutputs): EventRow[] {
    try {
      return planEvents(invocation, planned.stored);
    } catch (error) {
      this.log(`the output of command ${invocation.id} could not be parsed into events (${(error as Error).message}); it is stored without them, \`bird events --reparse ${invocation.id}\` tries again.`);
      return [];
    }
  }

  /**
   * The outputs of these records' commands, by invocation id, cut from the recorders' logs
   * (passive output capture). A record's end mark is printed just before the record is spooled,
   * and the recorder may not have written it to its log yet: while a log holds a command still
   * open, look again a few times, briefly. `keys` are the outputs' marks, settled in the logs
   * once the rows are stored; `missing`: an output wanted is in no log yet.
   */
  private async passiveOutputs(records: readonly SpoolRecord[], plans: readonly PlannedCapture[], fileSeq: number | null): Promise<{ outputs: Map<string, PlannedOutputs>; keys: string[]; missing: boolean }> {
    const found = new Map<string, PlannedOutputs>();
    const keys: string[] = [];
    if (!this.config.capture.output) {
      this.outputLogs = null;
      return { outputs: found, keys, missing: false };
    }
    this.outputLogs ??= new OutputLogs(this.layout.outputLogs, this.config.capture.output_max_bytes ?? OUTPUT_MAX_BYTES, (m) => this.log(m));
    const logs = this.outputLogs;
    const wanted = records.flatMap((record, i) => {
      const invocation = plans[i]?.invocation;
      // A leading space or BIRD_DISABLED=1 never reached the spool; an ignored command has no invocation.
      if (invocation && outputIgnored(record.cmd, this.config.capture.output_ignore)) return [];
      // fish has no clock: its marks carry the number of its record's file (one record each).
      const mark = record.start ?? (fileSeq !== null && records.length === 1 ? `s${fileSeq}` : null);
      return invocation && mark !== null ? [{ key: outputMarkKey(record.sessionId, mark), invocation, shell: record.shell }] : [];
    });
    if (wanted.length === 0) return { outputs: found, keys, missing: false };
    for (let look = 0; look < OUTPUT_LOOKS; look++) {
      if (look > 0) await sleep(OUTPUT_LOOK_MS);
      logs.collect();
      for (const { key, invocation, shell } of wanted) {
        if (found.has(invocation.id)) continue;
        const output = logs.take(key);
        if (!output) continue;
        found.set(invocation.id, planPassiveOutputs(invocation, SHELL_NOISE[shell](output)));
        keys.push(key);
      }
      if (found.size === wanted.length || !logs.anyMidCommand) break;
    }
    return { outputs: found, keys, missing: found.size < wanted.length };
  }

  private lastCompactCheck = 0;

  /**
   * Users without cron stay fast too: once a partition passes `[compaction] min_files`, start one
   * `bird-sync compact` in the background, detached. Looked at once a minute at most, started at
   * most once per `auto_interval_minutes` (the stamp file's mtime, shared by every drainer), and
   * never two at once (compaction's own lock). Never on the prompt path: this is the drainer.
   */
  private maybeCompact(date: string): void {
    const policy = this.config.compaction;
    if (!policy.auto || Date.now() - this.lastCompactCheck < COMPACT_CHECK_MS) return;
    this.lastCompactCheck = Date.now();
    try {
      if (!compactionDue(this.layout, this.config, date)) return;
      const stamp = join(this.layout.compaction, 'last-auto');
      const last = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (Date.now() - last < policy.auto_interval_minutes * 60_000) return;
      const bin = this.env.BIRD_SYNC_BIN || join(installRootOf(dirname(process.argv[1] ?? ''), INSTALL_LAYOUT.captureBundle), INSTALL_LAYOUT.syncBundle);
      if (!existsSync(bin)) return;
      writeFileAtomic(stamp, `${process.pid}\n`, { mode: 0o600 });
      // node:child_process (with net and stream) is loaded only here: loading it at start-up
      // cost every `bird-capture --cmd` ~2.5 ms (bench/capture-start.md). Not import(): the
      // bundle runs in a vm.Script (for its code cache), where a dynamic import throws.
      const { spawn } = loadChildProcess();
      const env = { ...this.env, BIRD_ROOT: this.layout.root };
      spawn(process.execPath, [bin, 'compact', '--auto'], { detached: true, stdio: 'ignore', env }).on('error', (error) => this.compactionNotStarted(error)).unref();
    } catch (error) {
      this.compactionNotStarted(error);
    }
  }

  private compactionNotStarted(error: unknown): void {
    this.log(`could not start an automatic compaction (${describeError(error)}); run bird-sync compact from cron instead.`);
  }

  /**
   * A drainer can live for hours on a busy machine: an ignore pattern or client id the user
   * adds to config.toml must apply to the next command, not to the next drainer.
   */
  private refreshConfig(): void {
    const mtime = this.configMtime();
    if (mtime === this.configMtimeMs) return;
    this.configMtimeMs = mtime;
    try {
      this.config = loadConfig(this.layout);
    } catch (error) {
      this.log(`${describeError(error)} (keeping the settings read before)`);
    }
  }

  private configMtime(): number {
    try {
      return statSync(this.layout.config).mtimeMs;
    } catch {
      // no config.toml (or unreadable): -1, which no real mtime equals, so a config made later is read
      return -1;
    }
  }

  private becomeLeader(): boolean {
    const current = readDrainerMarker(this.layout.spool);
    if (current !== null && current.pid !== process.pid && isDrainerAlive(current, this.layout.root)) return false;
    try {
      writeFileAtomic(join(this.layout.spool, DRAINER_MARKER), drainerMarkerStamp(), { tmpDir: this.layout.tmp, mode: 0o600 });
    } catch (error) {
      this.log(`cannot write ${DRAINER_MARKER} (${describeError(error)}); shells will start extra drainers.`);
    }
    return true;
  }

  private releaseLeadership(): void {
    if (readDrainerMarker(this.layout.spool)?.pid !== process.pid) return;
    try {
      unlinkSync(join(this.layout.spool, DRAINER_MARKER));
    } catch {
      // already gone
    }
  }

  private log(message: string): void {
    try {
      appendErrorsLog(this.layout, 'bird-capture', message);
    } catch {
      // nowhere left to report to
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Any absolute path serves createRequire here: a builtin resolves the same from everywhere. */
function loadChildProcess(): typeof import('node:child_process') {
  return createRequire(resolve('bird-capture'))('node:child_process') as typeof import('node:child_process');
}
