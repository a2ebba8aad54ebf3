// bird's own state files are input too. A store that has seen captures, queries, a compaction,
// a push and a pull has every file of `db/` damaged in turn (cut short, overwritten with garbage,
// deleted), then lives a user's day with the built commands: a capture, `bird sql`, `bird
// history`, `bird-sync`, `bird sql` again. Each file keeps the rule PROTOCOL.md gives it ("State
// files and their rules"): rebuilt from the source of truth, or refused in one sentence saying
// what to do. Never a hang, never a row twice, never a stack trace, never `bird history`
// disagreeing with the store.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderStamp, processStartTime, quoteLiteral } from '@bird/core';
import { filesUnder } from './support/files.ts';
import { duckdbRows } from './support/read-parquet.ts';
import { BIRD_BUNDLE, CAPTURE_BUNDLE, REPO, at, buildBundles } from './cli-helpers.ts';
import { canMountTmpfs } from './support/tmpfs.ts';

const SYNC_BUNDLE = join(REPO, 'packages/sync-worker/dist/bird-sync.cjs');
const base = join(tmpdir(), `bird-damage-${process.pid}`);
/** The store every case starts from (built once), and where each case runs (a copy, at the same path, so the catalog is not "moved"). */
const pristine = join(base, 'pristine');
const work = join(base, 'work');
const root = join(work, 'root');
const db = join(root, 'db');
const lake = join(work, 'lake');

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A generous bound: a command past it is a hang (the bug this suite was written for held every query ~10 min). */
const HANG_MS = 90_000;

function runIn(dir: string, bundle: string, args: string[], client = 'a@box', extraEnv: Record<string, string> = {}): Run {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BIRD_') && key !== 'NODE_EXTRA_CA_CERTS') env[key] = value;
  const r = spawnSync(process.execPath, [bundle, ...args], {
    env: { ...env, HOME: join(dirname(dir), 'home'), TZ: 'UTC', BIRD_ROOT: dir, BIRD_CLIENT_ID: client, ...extraEnv },
    cwd: join(dirname(dir), 'home'),
    encoding: 'utf8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error && !r.signal) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const bird = (args: string[], dir = root) => runIn(dir, BIRD_BUNDLE, args, dir === root ? 'a@box' : 'b@box');
const birdSync = (args: string[] = []) => runIn(root, SYNC_BUNDLE, args);

function capture(cmd: string, startUs: bigint, dir = root): void {
  const r = runIn(dir, CAPTURE_BUNDLE, ['--cmd', cmd, '--exit', '0', '--start-us', String(startUs), '--end-us', String(startUs + 5000n), '--cwd', '/tmp', '--session', `s-${dir === root ? 'a' : 'b'}`, '--shell', 'bash'], dir === root ? 'a@box' : 'b@box');
  expect(r, `bird-capture ${cmd}`).toMatchObject({ code: 0, signal: null });
}

function ok(r: Run, what: string): Run {
  expect({ code: r.code, signal: r.signal, stderr: r.stderr }, what).toEqual({ code: 0, signal: null, stderr: expect.any(String) });
  return r;
}

/**
 * The store: 9 commands of this machine (a@box) on four days, 1970-01-01 among them (a machine
 * without a real-time clock), compacted; 2 of another machine (b@box) pushed to a file lake and
 * pulled here; a history index; the lake's shape; two late commands neither compacted nor pushed;
 * and a push staged but not uploaded (the lake refused one of its folders).
 */
function buildStore(): void {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(join(work, 'home'), { recursive: true });
  mkdirSync(lake);
  const other = join(work, 'other');
  ['echo a1', 'echo a2', 'echo a3'].forEach((cmd, i) => capture(cmd, at(i)));
  ['echo b1', 'echo b2'].forEach((cmd, i) => capture(cmd, at(86_400 + i)));
  capture('echo epoch1', 1_000_000n);
  capture('echo epoch2', 2_000_000n);
  writeFileSync(join(root, 'config.toml'), `${readFileSync(join(root, 'config.toml'), 'utf8')}\n[compaction]\nmin_files = 2\nmin_age_seconds = 0\nauto = false\n`);
  ok(bird(['sql', 'SELECT 1']), 'first query');
  ok(bird(['compact']), 'compact');
  capture('echo other1', at(5), other);
  capture('echo other2', at(6), other);
  ok(bird(['remote', 'add', 'lake', '--type', 'file', '--uri', lake], other), 'other: remote add');
  ok(bird(['push'], other), 'other: push');
  ok(bird(['remote', 'add', 'lake', '--type', 'file', '--uri', lake]), 'remote add');
  ok(bird(['push']), 'push');
  ok(bird(['pull']), 'pull');
  ok(bird(['history']), 'history');
  ok(bird(['sql', 'SELECT count(*) FROM remote_lake.invocations']), 'a live remote query');
  capture('echo late1', at(2 * 86_400));
  capture('echo late2', at(2 * 86_400 + 1));
  // A push that stages and then cannot upload: one of this series' folders in the lake is a file.
  const series = join(lake, 'invocations', 'client=a@box');
  renameSync(series, `${series}.away`);
  writeFileSync(series, 'in the way');
  expect(bird(['push']).code).toBe(1);
  rmSync(series);
  renameSync(`${series}.away`, series);
  ok(bird(['search', '--output', 'echo']), 'an output search (it writes its cache)');
  cpSync(work, pristine, { recursive: true, preserveTimestamps: true });
}

function restore(): void {
  rmSync(work, { recursive: true, force: true });
  cpSync(pristine, work, { recursive: true, preserveTimestamps: true });
}

/** This machine's rows are 9 + the one each case captures, the other machine's 2. */
const ALL_ROWS = 12;

type Damage = 'truncate' | 'garbage' | 'delete';
const DAMAGES: readonly Damage[] = ['truncate', 'garbage', 'delete'];

function damage(path: string, how: Damage): void {
  const size = statSync(path).size;
  if (how === 'truncate') truncateSync(path, Math.floor(size / 2));
  else if (how === 'garbage') writeFileSync(path, randomBytes(Math.max(size, 64)));
  else unlinkSync(path);
}

interface Counts {
  readonly rows: number;
  readonly distinct: number;
}

function storeCounts(what: string): Counts {
  const r = ok(bird(['sql', 'SELECT count(*) AS n, count(DISTINCT id) AS d FROM main.invocations', '--format', 'csv']), what);
  const [n, d] = r.stdout.trim().split('\n')[1]!.split(',').map(Number);
  return { rows: n!, distinct: d! };
}

async function lakeCounts(): Promise<Counts> {
  const rows = await duckdbRows(`SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS d FROM read_parquet(${quoteLiteral(join(lake, 'invocations', '*', '*', '*.parquet'))})`);
  return { rows: Number(rows[0]!.n), distinct: Number(rows[0]!.d) };
}

function historyRows(): string[] {
  const r = ok(bird(['history', '-n', '100000', '--format', 'csv']), 'bird history');
  return r.stdout.trim().split('\n').slice(1);
}

/** What a case saw, for a rule's own checks. */
interface Seen {
  readonly file: string;
  readonly damage: Damage;
  readonly stderr: string;
}

interface Rule {
  /** What the file is, as PROTOCOL.md's table names it. */
  readonly kind: string;
  /** Paths relative to `db/` this rule covers. */
  readonly match: RegExp;
  /** The one damaged (the first that matches), when not any of `match`. */
  readonly pick?: RegExp;
  /** Makes the file when the store at rest has none (files that exist only while something is under way). */
  readonly setup?: () => Promise<void> | void;
  /** Holds rows: damaged, it is set aside and its rows leave the store (they are not counted). */
  readonly rows?: boolean;
  /** The rule's own checks, after the day. */
  readonly after?: (seen: Seen) => Promise<void> | void;
  /** Damages whose rule is not kept yet, by code this change does not own: those cases are skipped, and say why. */
  readonly gaps?: Partial<Record<Damage, string>>;
}

const firstMatch = (rule: Rule) => filesUnder(db).find((f) => (rule.pick ?? rule.match).test(f));
const PARQUET_MAGIC = (path: string) => {
  const bytes = readFileSync(path);
  return bytes.length >= 8 && bytes.subarray(0, 4).toString() === 'PAR1' && bytes.subarray(-4).toString() === 'PAR1';
};
const quarantined = () => filesUnder(join(db, 'quarantine'));

/** The files of one day of this machine's invocations. */
const dayFiles = (day: string) => readdirSync(join(db, 'data', 'local', 'invocations', `date=${day}`)).filter((f) => f.endsWith('.parquet')).sort();
const LATE_DAY = '2025-11-28';

/**
 * A compactor killed mid-publish (PROTOCOL.md steps 2-4 done): the late day's two files merged into
 * `c-…`, their ids on record, the intent written, the merged file in place, the sources not yet
 * deleted. Every query would see those rows twice but for the intent.
 */
async function halfPublished(): Promise<void> {
  const dir = join(db, 'data', 'local', 'invocations', `date=${LATE_DAY}`);
  const sources = dayFiles(LATE_DAY).map((f) => join(dir, f));
  expect(sources).toHaveLength(2);
  const output = join(dir, 'c-0123456789abcdef0123.parquet');
  const ids = await duckdbRows(`SELECT CAST(id AS VARCHAR) AS id FROM read_parquet([${sources.map(quoteLiteral).join(', ')}])`);
  await duckdbRows(`COPY (SELECT * FROM read_parquet([${sources.map(quoteLiteral).join(', ')}])) TO ${quoteLiteral(output)} (FORMAT parquet)`);
  const idsFile = join(db, 'compaction', 'merged-ids', 'invocations', `${LATE_DAY}.ids`);
  mkdirSync(dirname(idsFile), { recursive: true });
  writeFileSync(idsFile, ids.map((r) => `${r.id}\n`).join(''));
  writeFileSync(join(db, 'compaction', 'publishing'), JSON.stringify({ table: 'invocations', date: LATE_DAY, output, sources }));
}

/** A process that is gone: its pid and start time as a lock or a temporary name would carry them. */
function deadHolder(): string {
  const gone = spawnSync('sh', ['-c', 'echo $$']);
  return `${String(gone.stdout).trim()} ${holderStamp().split(' ')[1]} 1`;
}

const PLACEHOLDER = '_bird_placeholder\\.parquet';
const DAY = '\\d{4}-\\d{2}-\\d{2}';

const RULES: readonly Rule[] = [
  {
    kind: 'the catalog (parquet mode)',
    match: /^bird\.duckdb$/,
    after: ({ damage, stderr }) => {
      if (damage === 'delete') return;
      expect(stderr).toMatch(/bird: warning: the catalog .*bird\.duckdb is not a valid DuckDB database; .*moved it to .*quarantine.* and rebuilt it\./);
    },
  },
  { kind: 'the parsed config', match: /^config\.parsed\.json$/ },
  { kind: 'the note of the remotes the catalog holds', match: /^catalog-remotes\.json$/ },
  { kind: "the stored files' key ranges", match: /^stored-key-ranges\.json$/ },
  {
    kind: 'the hook settings',
    match: /^hook-settings$/,
    after: () => {
      // The next hook sourced asks bird, which writes it whole again.
      ok(bird(['__hook-settings', root]), 'bird __hook-settings');
      expect(readFileSync(join(db, 'hook-settings'), 'utf8')).toBe(`bird-hook-settings 2 bind_keys=1 bind_up=0 output=0\n${readFileSync(join(root, 'config.toml'), 'utf8')}`);
    },
  },
  {
    kind: 'a placeholder of this machine',
    match: new RegExp(`^data/local/[a-z]+/date=[^/]+/${PLACEHOLDER}$`),
    pick: new RegExp(`^data/local/invocations/date=[^/]+/${PLACEHOLDER}$`),
    after: ({ file }) => expect(PARQUET_MAGIC(join(db, file)), 'the placeholder is written again').toBe(true),
  },
  {
    kind: "a placeholder of a remote's cache",
    match: new RegExp(`^data/cached/lake/[a-z]+/date=[^/]+/${PLACEHOLDER}$`),
    pick: new RegExp(`^data/cached/lake/invocations/date=[^/]+/${PLACEHOLDER}$`),
    after: ({ file }) => expect(PARQUET_MAGIC(join(db, file)), 'the placeholder is written again').toBe(true),
  },
  {
    kind: "the lake's shape",
    match: new RegExp(`^lake-shape/[a-z]+/client=_/date=[^/]+/${PLACEHOLDER}$`),
    pick: /^lake-shape\/invocations\//,
    after: async ({ file }) => {
      expect(ok(bird(['sql', 'SELECT count(*) AS n FROM remote_lake.invocations', '--format', 'csv']), 'a live remote query').stdout).toBe('n\n12\n');
      expect(PARQUET_MAGIC(join(db, file)), 'the lake-shaped placeholder is written again').toBe(true);
    },
  },
  {
    kind: 'a merged file',
    match: new RegExp(`^data/local/[a-z]+/date=${DAY}/c-[0-9a-f]+\\.parquet$`),
    pick: /^data\/local\/invocations\/date=2025-11-26\/c-/,
    rows: true,
    after: ({ file, damage }) => {
      if (damage !== 'delete') expect(quarantined()).toContain(file);
    },
  },
  {
    kind: 'a file a capture wrote',
    match: new RegExp(`^data/local/[a-z]+/date=${DAY}/[0-9a-f-]+\\.parquet$`),
    pick: new RegExp(`^data/local/invocations/date=${LATE_DAY}/`),
    rows: true,
    after: ({ file, damage }) => {
      if (damage !== 'delete') expect(quarantined()).toContain(file);
    },
  },
  {
    kind: 'a pulled file',
    match: new RegExp(`^data/cached/lake/[a-z]+/date=${DAY}/(?!_bird)[^/]+\\.parquet$`),
    pick: /^data\/cached\/lake\/invocations\/date=2/,
    rows: true,
    after: ({ file, damage }) => {
      if (damage !== 'delete') expect(quarantined()).toContain(file);
    },
  },
  { kind: "the history index's snapshot", match: /^history-index\/snapshot\.bhi$/ },
  {
    kind: 'the output search cache',
    match: /^output-search\.cache$/,
    after: () => {
      const search = bird(['search', '--output', 'nothing-printed-this']);
      expect({ code: search.code, stdout: search.stdout, stderr: search.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(join(db, 'output-search.cache')).subarray(0, 8).toString(), 'rebuilt').toMatch(/^BIRDOSC\d$/);
    },
  },
  { kind: "the history index's journal", match: /^history-index\/journal\.jsonl$/ },
  { kind: 'a session marker', match: /^sessions-seen\/[0-9a-f]+$/ },
  { kind: "compaction's generation", match: /^compaction\/generation$/ },
  {
    kind: 'merged ids',
    match: new RegExp(`^compaction/merged-ids/[a-z]+/${DAY}\\.ids$`),
    pick: /^compaction\/merged-ids\/invocations\/2025-11-26\.ids$/,
    after: ({ file }) => {
      const text = readFileSync(join(db, file), 'utf8');
      expect(text.trim().split('\n'), 'rebuilt from the merged file: the day\'s three ids').toHaveLength(3);
    },
  },
  {
    kind: 'a publish intent left by a compactor killed mid-publish',
    match: /^compaction\/publishing$/,
    setup: halfPublished,
    after: () => {
      expect(existsSync(join(db, 'compaction', 'publishing'))).toBe(false);
      expect(dayFiles(LATE_DAY)).toEqual(['c-0123456789abcdef0123.parquet']);
    },
  },
  {
    kind: 'the compaction lock of a compactor that is gone',
    match: /^compaction\/lock$/,
    setup: () => writeFileSync(join(db, 'compaction', 'lock'), `${deadHolder()}\n`),
    after: () => expect(dayFiles(LATE_DAY)).toHaveLength(1), // compaction ran
  },
  { kind: 'push state', match: /^sync\/lake\/series\/[^/]+\/push\.json$/ },
  { kind: 'the push ledger', match: /^sync\/lake\/series\/[^/]+\/pushed\/[a-z]+\/[^/]+\.parquet$/, pick: /pushed\/invocations\// },
  { kind: 'a staged push', match: /^sync\/lake\/series\/[^/]+\/outbox\/\d+\/segment\.json$/ },
  {
    kind: 'a staged batch',
    match: /^sync\/lake\/series\/[^/]+\/outbox\/\d+\/batches\/.*\.parquet$/,
    pick: /batches\/invocations\//,
  },
  { kind: 'pull state', match: /^sync\/lake\/pull\.json$/ },
  { kind: 'the blob backfill marker', match: /^sync\/lake\/series\/[^/]+\/blobs-backfilled\.txt$/ },
];

/** Files of `db/` no rule needs to cover: transient ones no store at rest holds. */
const AT_REST_EXEMPT: readonly RegExp[] = [];

beforeAll(() => {
  buildBundles();
  buildStore();
}, 240_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the store every case starts from', () => {
  it('holds what the cases damage, and no file of db/ is without a rule', () => {
    const files = filesUnder(join(pristine, 'root', 'db'));
    const unruled = files.filter((f) => !RULES.some((r) => r.match.test(f)) && !AT_REST_EXEMPT.some((re) => re.test(f)));
    expect(unruled).toEqual([]);
    for (const rule of RULES) if (!rule.setup) expect(files.some((f) => rule.match.test(f)), rule.kind).toBe(true);
  });

  it('compacted the rows of 1970-01-01 like any other day: the placeholders live in a partition no row can have', () => {
    const local = join(pristine, 'root', 'db', 'data', 'local', 'invocations');
    expect(readdirSync(join(local, 'date=1970-01-01'))).toEqual([expect.stringMatching(/^c-[0-9a-f]+\.parquet$/)]);
    expect(readdirSync(join(local, 'date=-infinity'))).toEqual(['_bird_placeholder.parquet']);
  });
});

describe.each(RULES)('$kind', (rule) => {
  for (const how of DAMAGES) {
    const gap = rule.gaps?.[how];
    it.skipIf(gap !== undefined)(gap ? `${how} (not kept yet: ${gap})` : `${how}: the day goes on, each row once, history agrees with the store`, { timeout: 300_000 }, async () => {
      await liveADay(rule, how);
    });
  }
});

/** A copy of the store, one file damaged, then the user's day, and the file's rule checked. */
async function liveADay(rule: Rule, how: Damage): Promise<void> {
  restore();
  await rule.setup?.();
  const file = firstMatch(rule);
  expect(file, `a file for ${rule.kind}`).toBeDefined();
  const rowsInFile = rule.rows ? Number((await duckdbRows(`SELECT count(*)::INT AS n FROM read_parquet(${quoteLiteral(join(db, file!))})`))[0]!.n) : 0;
  damage(join(db, file!), how);

  const stderr: string[] = [];
  const step = (r: Run, what: string) => {
    stderr.push(r.stderr);
    expect(r.signal, `${what} ended by itself`).toBeNull();
    expect(r.stderr, `${what}: no stack trace`).not.toMatch(/\n\s+at /);
    for (const line of r.stderr.split('\n').filter(Boolean)) expect(line, what).toMatch(/^bird(-sync)?: /);
    return r;
  };
  capture('echo after', at(3 * 86_400));
  const first = step(bird(['sql', 'SELECT count(*) AS n, count(DISTINCT id) AS d FROM main.invocations', '--format', 'csv']), 'bird sql');
  expect(first.code, `bird sql: ${first.stderr}`).toBe(0);
  const history = step(bird(['history', '-n', '100000', '--format', 'csv']), 'bird history');
  expect(history.code, `bird history: ${history.stderr}`).toBe(0);
  expect(history.stdout).toContain('echo after');
  const sync = step(birdSync(), 'bird-sync');
  expect(sync.code, `bird-sync: ${sync.stderr}`).toBe(0);

  const store = storeCounts('bird sql after bird-sync');
  const inLake = await lakeCounts();
  expect(store.distinct, 'each row once in the store').toBe(store.rows);
  expect(inLake.distinct, 'each row once in the lake').toBe(inLake.rows);
  // A file of rows deleted by hand (rather than with `bird forget`) is the user's own act: the
  // history index keeps its rows until its next rebuild. Everything else, it agrees exactly.
  if (rule.rows && how === 'delete') expect(historyRows().length).toBeGreaterThanOrEqual(store.rows);
  else expect(historyRows(), 'bird history agrees with the store').toHaveLength(store.rows);
  if (!rule.rows) {
    expect(store.rows).toBe(ALL_ROWS);
    expect(inLake.rows).toBe(ALL_ROWS);
  } else {
    expect(store.rows).toBe(ALL_ROWS - rowsInFile);
  }
  await rule.after?.({ file: file!, damage: how, stderr: stderr.join('') });
}

describe('a publish intent that cannot be read, while a live process holds the compaction lock', () => {
  it('a query waits a bounded while, then says who holds it and what to do; once the holder is gone, the next query finishes the publish', { timeout: 120_000 }, async () => {
    restore();
    await halfPublished();
    damage(join(db, 'compaction', 'publishing'), 'garbage');
    const holder = spawnSync('sh', ['-c', 'sleep 300 >/dev/null 2>&1 & echo $!']);
    const pid = Number(String(holder.stdout).trim());
    try {
      writeFileSync(join(db, 'compaction', 'lock'), `${pid} ${holderStamp().split(' ')[1]} ${processStartTime(pid)}\n`);
      const refused = bird(['sql', 'SELECT count(*) FROM main.invocations']);
      expect(refused.signal).toBeNull();
      expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 1, stdout: '' });
      expect(refused.stderr).toMatch(new RegExp(`^bird: a compaction has been publishing for over 10 s and \\S+/compaction/lock is held by pid ${pid}, so the query could count its rows twice; wait for it to finish, or stop it if it is stuck .*\\n$`));
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    const after = bird(['sql', 'SELECT count(*) AS n, count(DISTINCT id) AS d FROM main.invocations', '--format', 'csv']);
    expect({ code: after.code, stdout: after.stdout }).toEqual({ code: 0, stdout: 'n,d\n11,11\n' });
    expect(after.stderr).toMatch(/^bird: warning: the compaction intent \S+ could not be read; finished its publish by the rows on disk and kept the intent as \S+quarantine\S+\.\n$/);
    expect(dayFiles(LATE_DAY)).toEqual(['c-0123456789abcdef0123.parquet']);
  });
});

describe("DuckDB's temporary files", () => {
  it('go to db/tmp, one folder per process; a query killed while spilling leaves its own, and the next command removes it', { timeout: 120_000 }, async () => {
    restore();
    const home = join(work, 'home');
    const spilling = `SET memory_limit = '30MB'; SET threads = 1; SELECT count(*) FROM (SELECT md5(range::VARCHAR) AS m FROM range(6000000) ORDER BY m)`;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TZ: 'UTC', BIRD_ROOT: root, BIRD_CLIENT_ID: 'a@box' };
    delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(process.execPath, [BIRD_BUNDLE, 'sql', spilling], { env, cwd: home, stdio: 'ignore' });
    const spillDir = join(db, 'tmp', `duckdb-${child.pid}-${processStartTime(child.pid!)}`);
    try {
      await until(() => existsSync(spillDir) && readdirSync(spillDir).length > 0, 60_000);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(readdirSync(spillDir).length).toBeGreaterThan(0);
    expect(readdirSync(home), "nothing in the folder bird ran in").toEqual([]);
    ok(bird(['sql', 'SELECT 1']), 'the next query');
    expect(existsSync(spillDir)).toBe(false);
  });
});

describe('a push killed mid-copy to a file lake', () => {
  it("leaves partial files that pullers never read, and that the next push of that client removes from its own folders only", { timeout: 120_000 }, () => {
    restore();
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const partial = (dir: string, name: string, old = true) => {
      const path = join(lake, dir, `.${name}.999999.lmnop.0.bird-partial`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'PAR1 half a batch');
      if (old) utimesSync(path, hoursAgo, hoursAgo);
      return path;
    };
    // The staged push (of the late day) is what the next push uploads again, into these folders.
    const own = partial(`invocations/client=a@box/date=${LATE_DAY}`, 'f00d.parquet');
    const ownFresh = partial(`invocations/client=a@box/date=${LATE_DAY}`, 'beef.parquet', false);
    const others = partial('invocations/client=b@box/date=2025-11-26', 'f00d.parquet');
    const otherHead = partial('_bird/heads', 'b@box.json');
    const ownHead = partial('_bird/heads', 'a@box.json');
    const pulled = bird(['pull'], join(work, 'other'));
    expect({ code: pulled.code, stderr: pulled.stderr }).toEqual({ code: 0, stderr: '' });
    ok(bird(['push']), 'the next push');
    expect([own, ownFresh, others, otherHead, ownHead].map((p) => existsSync(p))).toEqual([false, true, true, true, false]);
  });
});

/** `bird history` on a disk that is full for real: a root on a small tmpfs (test/support/tmpfs.ts). */
describe.skipIf(!canMountTmpfs)('a full disk', () => {
  const disk = join(tmpdir(), `bird-full-${process.pid}`);
  afterAll(() => {
    spawnSync('umount', ['-l', disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  it('bird history whose index must be rebuilt answers from the store and says in one line that the disk is full', { timeout: 120_000 }, () => {
    mkdirSync(disk, { recursive: true });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', disk]).status).toBe(0);
    const full = join(disk, 'root');
    mkdirSync(join(disk, 'home'));
    capture('echo one', at(0), full);
    capture('echo two', at(1), full);
    ok(bird(['sql', 'SELECT 1'], full), 'first query');
    ok(bird(['history'], full), 'first history');
    rmSync(join(full, 'db', 'history-index', 'snapshot.bhi'));
    spawnSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
    const r = bird(['history', '--format', 'csv'], full);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).slice(1).map((line) => line.split(',')[4])).toEqual(['echo two', 'echo one']);
    // One line for the index; the spool, on the same disk, has its own.
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.every((line) => line.startsWith('bird: warning: the disk that holds '))).toBe(true);
    expect(lines.filter((line) => line.includes('history-index'))).toEqual([
      expect.stringMatching(/^bird: warning: the disk that holds \S+history-index is full, so the history index could not be saved \(rows were read from the store instead, more slowly\); free some space\.$/),
    ]);
  });
});

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('duckdb mode', () => {
  const home = join(base, 'duckdb', 'home');
  const droot = join(base, 'duckdb', 'root');
  const ddb = join(droot, 'db');
  const dpristine = join(base, 'duckdb-pristine');
  const dbird = (args: string[]) => runIn(droot, BIRD_BUNDLE, args);

  /** Three commands in the catalog, one in its WAL (a writer killed after its commit), one spilled while the catalog was held. */
  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    ok(dbird(['init', '--mode', 'duckdb']), 'init');
    ['echo d1', 'echo d2', 'echo d3'].forEach((cmd, i) => capture(cmd, at(i), droot));
    const killed = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const instance = await DuckDBInstance.create(${JSON.stringify(join(ddb, 'bird.duckdb'))});
      const c = await instance.connect();
      await c.run("INSERT INTO local.invocations BY NAME SELECT 'id-wal' AS id, 's' AS session_id, TIMESTAMPTZ '2025-11-26 23:40:00+00' AS timestamp, 'echo wal' AS cmd, 'c' AS client_id, DATE '2025-11-26' AS date");
      process.kill(process.pid, 'SIGKILL');`], { cwd: REPO });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(ddb, 'bird.duckdb.wal'))).toBe(true);
    const holder = spawn(process.execPath, [join(REPO, 'packages/store/src/testing/hold-catalog.mjs'), join(ddb, 'bird.duckdb'), 'read_write', 'forever'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      capture('echo spilled', at(10), droot);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(filesUnder(join(ddb, 'spill'))).toHaveLength(2); // its session and its invocation
    rmSync(dpristine, { recursive: true, force: true });
    cpSync(join(base, 'duckdb'), dpristine, { recursive: true, preserveTimestamps: true });
  }, 120_000);

  const cases: readonly { kind: string; pick: RegExp; rows: number }[] = [
    { kind: "the catalog's WAL", pick: /^bird\.duckdb\.wal$/, rows: 1 },
    { kind: 'a spilled row', pick: /^spill\/invocations\/[^/]+\.parquet$/, rows: 1 },
  ];
  for (const c of cases) {
    for (const how of DAMAGES) {
      it(`${c.kind}, ${how}: the day goes on, each row once, history agrees with the store`, { timeout: 120_000 }, () => {
        rmSync(join(base, 'duckdb'), { recursive: true, force: true });
        cpSync(dpristine, join(base, 'duckdb'), { recursive: true, preserveTimestamps: true });
        const file = filesUnder(ddb).find((f) => c.pick.test(f))!;
        expect(file).toBeDefined();
        damage(join(ddb, file), how);
        capture('echo after', at(20), droot);
        for (const args of [['sql', 'SELECT 1'], ['history'], ['compact']]) {
          const r = dbird(args);
          expect({ code: r.code, signal: r.signal }, `bird ${args.join(' ')}: ${r.stderr}`).toEqual({ code: 0, signal: null });
          expect(r.stderr).not.toMatch(/\n\s+at /);
        }
        const counted = ok(dbird(['sql', 'SELECT count(*) AS n, count(DISTINCT id) AS d FROM main.invocations', '--format', 'csv']), 'count');
        const [n, d] = counted.stdout.trim().split('\n')[1]!.split(',').map(Number);
        expect(d).toBe(n);
        // 3 + the WAL's + the spilled + after; a damaged file's row is lost with it, never doubled.
        expect(n).toBeGreaterThanOrEqual(6 - c.rows);
        expect(n).toBeLessThanOrEqual(6);
        const listed = ok(dbird(['history', '-n', '1000', '--format', 'csv']), 'history').stdout.trim().split('\n').slice(1);
        expect(listed).toHaveLength(n!);
        if (c.kind === 'a spilled row' && how !== 'delete') expect(filesUnder(join(ddb, 'quarantine'))).toEqual([file]);
      });
    }
  }
});
