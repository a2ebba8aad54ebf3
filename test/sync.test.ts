// Push and pull against real remotes: a folder, and a bucket on a real S3-compatible server
// (s3rver). Several clients, each with its own BIRD root, share one lake; every check counts
// rows through the store, as `bird sql` would see them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RemoteConfig } from '@bird/core';
import { openStore, refreshHistoryIndex } from '@bird/store';
import { createRemoteBackend, type RemoteBackend } from '@bird/remote';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { S3RVER_ENV } from '../packages/remote/src/testing/s3-server.ts';
import { invocation, tempDir, writeLake } from '../packages/store/src/testing/fixtures.ts';
import { REPO, buildBundles } from './cli-helpers.ts';
import { indexAsReaderSees, indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { SYNC, bySource, capture, doPull, doPush, newClient, walk, type Client } from './support/sync-clients.ts';
import { STALE, indexFiles, loadHistory, readJournal } from '@bird/history-index';

const backends = useTestBackends();
beforeAll(() => buildBundles());

let lakeSeq = 0;
function remoteFor(kind: 'file' | 's3', over: Partial<RemoteConfig> = {}): RemoteConfig {
  lakeSeq++;
  return kind === 'file'
    ? { name: 'team', type: 'file', uri: tempDir('bird-sync-lake-'), mode: 'read_write', auto_attach: false, ...over }
    : { name: 'team', type: 's3', uri: `s3://lake/sync${lakeSeq}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false, ...over };
}

describe('a remote that cannot be reached', () => {
  it('fails the push in one sentence naming what to check, and changes nothing', async () => {
    const a = await newClient('alice@a', { name: 'team', type: 's3', uri: 's3://lake/x', endpoint: 'http://127.0.0.1:1', mode: 'read_write', auto_attach: false });
    await capture(a, 1);
    const env: NodeJS.ProcessEnv = { ...a.env, ...S3RVER_ENV, BIRD_ROOT: a.layout.root };
    delete env.NODE_EXTRA_CA_CERTS;
    for (const op of ['push', 'pull']) {
      const r = spawnSync(process.execPath, [SYNC, op, '--remote', 'team'], { env, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bird-sync: ${op} team: http://127\\.0\\.0\\.1:1 is not reachable \\(ECONNREFUSED\\); check the remote's endpoint and your network\\.\\n$`));
    }
    expect(existsSync(join(a.layout.sync, 'team', 'push.json'))).toBe(false);
    expect((await bySource(a)).counts).toEqual({ local: 1 });
  });

  it('a missing bucket and refused credentials are named too', async () => {
    const missing = await newClient('alice@a', { name: 'team', type: 's3', uri: 's3://no-such-bucket/x', endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false });
    await capture(missing, 1);
    await expect(doPush(missing)).rejects.toThrow(/bucket no-such-bucket does not exist/);
    const denied = await newClient('alice@a', { name: 'team', type: 's3', uri: 's3://lake/x', endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false });
    await capture(denied, 1);
    const old = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = 'nope';
    try {
      await expect(doPull(denied)).rejects.toThrow(/refused access .*check the AWS credentials/);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = old;
    }
  });
});

describe.each(['parquet', 'duckdb'] as const)('a pull of a few rows (%s mode)', (mode) => {
  it('reaches the history index through the journal: the snapshot is not rebuilt, and the index still equals the store', async () => {
    const remote = remoteFor('file');
    const a = await newClient('alice@a', remote, mode);
    const b = await newClient('bob@b', remote);
    await capture(a, 3);
    await capture(b, 4);
    await doPush(b);
    expect(await indexedIdsAndSources(a.layout)).toEqual(await storedIdsAndSources(a.layout)); // a reader built the snapshot
    const files = indexFiles(a.layout.historyIndex);
    const identity = () => {
      const s = statSync(files.snapshot);
      return { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size };
    };
    const snapshot = identity();
    const journaled = () => readJournal(files.journal).rows.map((r) => `${r.id} ${r.source}`).sort();

    expect(await doPull(a)).toMatchObject({ rows: 5 }); // 4 invocations + 1 session
    await capture(b, 2, '2024-06-02', 'later');
    await doPush(b);
    expect(await doPull(a)).toMatchObject({ rows: 3 });

    expect(identity()).toEqual(snapshot);
    expect(journaled()).toEqual(b.captured.map((id) => `${id} team`).sort());
    expect(readdirSync(files.dir).filter((n) => STALE.test(n))).toEqual([]);
    expect(loadHistory(files.dir).ok).toBe(true); // no reader has to rebuild first
    expect(await indexedIdsAndSources(a.layout)).toEqual(await storedIdsAndSources(a.layout));
    // Every column as a rebuild from the store would give it, not only the ids.
    const journaledRows = await indexAsReaderSees(a.layout);
    expect(await refreshHistoryIndex(a.layout)).toBeNull();
    expect(identity()).not.toEqual(snapshot);
    expect(await indexAsReaderSees(a.layout)).toEqual(journaledRows);
  });

  it('more commands than one fold of the journal takes rebuild the index instead, exactly', async () => {
    const remote = remoteFor('file');
    const a = await newClient('alice@a', remote, mode);
    const b = await newClient('bob@b', remote);
    await capture(a, 2);
    expect(await indexedIdsAndSources(a.layout)).toEqual(await storedIdsAndSources(a.layout));
    const files = indexFiles(a.layout.historyIndex);
    const before = statSync(files.snapshot);
    await capture(b, 3000); // ~500 KB of journal lines, past FOLD_JOURNAL_BYTES
    await doPush(b);
    expect(await doPull(a)).toMatchObject({ rows: 3001 });
    expect(statSync(files.snapshot).ino).not.toBe(before.ino);
    expect(readJournal(files.journal).rows).toEqual([]);
    expect(loadHistory(files.dir).ok).toBe(true);
    expect(await indexedIdsAndSources(a.layout)).toEqual(await storedIdsAndSources(a.layout));
  });
});

describe('a pull into a parquet-mode store whose catalog already holds the remote', () => {
  /** Holds bird.duckdb open READ_ONLY in another process, as a long `bird sql` or a user's own DuckDB shell does; resolves once it is open. */
  async function holdCatalog(path: string): Promise<() => void> {
    const script = `const { DuckDBInstance } = require('@duckdb/node-api');
      DuckDBInstance.create(${JSON.stringify(path)}, { access_mode: 'READ_ONLY' }).then((held) => { globalThis.held = held; console.log('open'); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('open') && resolve());
      child.on('exit', () => reject(new Error('the process holding the catalog exited')));
    });
    return () => child.kill('SIGKILL');
  }

  it('stores the new rows without opening bird.duckdb, so a reader holding it does not make the pull wait', async () => {
    const remote = remoteFor('file');
    const a = await newClient('alice@a', remote);
    const b = await newClient('bob@b', remote);
    await capture(b, 2);
    await doPush(b);
    await doPull(a); // the first pull registers cached_team
    await capture(b, 3, '2024-06-02', 'later');
    await doPush(b);
    const release = await holdCatalog(a.layout.catalog);
    try {
      // Before, the pull opened bird.duckdb read-write to register the remote again, and a reader
      // holding it made the pull wait 15 s and fail.
      expect(await doPull(a)).toMatchObject({ rows: 4 });
      expect(await bySource(a)).toEqual({ counts: { team: 5 }, duplicates: 0 });
    } finally {
      release();
    }
  }, 60_000);

  it('registers the remote again when bird.duckdb is not the file it noted (made again from nothing)', async () => {
    const remote = remoteFor('file');
    const a = await newClient('alice@a', remote);
    const b = await newClient('bob@b', remote);
    await capture(b, 2);
    await doPush(b);
    await doPull(a);
    rmSync(a.layout.catalog); // a catalog made again from nothing has no cached_team
    await capture(b, 1, '2024-06-02', 'later');
    await doPush(b);
    await doPull(a);
    expect(await bySource(a)).toEqual({ counts: { team: 3 }, duplicates: 0 });
    const instance = await DuckDBInstance.create(a.layout.catalog, { access_mode: 'READ_ONLY' });
    try {
      const c = await instance.connect();
      expect((await c.runAndReadAll('SELECT count(*)::INT FROM cached_team.invocations')).getRows()).toEqual([[3]]);
      c.closeSync();
    } finally {
      instance.closeSync();
    }
  });
});

describe.each(['file', 's3'] as const)('push and pull through a %s remote', (kind) => {
  it('three clients: each sees every other client\'s rows once, and re-runs move nothing', async () => {
    const remote = remoteFor(kind);
    const [a, b, c] = await Promise.all(['alice@a', 'bob@b', 'carol@c'].map((id) => newClient(id, remote)));
    await capture(a!, 3);
    await capture(b!, 4);
    await capture(c!, 5, '2024-06-02');
    for (const x of [a!, b!, c!]) expect((await doPush(x)).rows).toBeGreaterThan(0);
    // The summary counts every byte fetched (8 downloads at once must not lose an addition).
    const lakeObjects = await (async () => {
      const backend = await createRemoteBackend(remote);
      try {
        return (await Promise.all(['invocations/', 'sessions/'].map((p) => backend.list(p)))).flat();
      } finally {
        backend.close();
      }
    })();
    for (const x of [a!, b!, c!]) {
      const pulled = await doPull(x);
      const theirs = lakeObjects.filter((o) => !o.key.includes(`/client=${x.id}/`));
      expect({ objects: pulled.objects, bytes: pulled.bytes }).toEqual({ objects: theirs.length, bytes: theirs.reduce((n, o) => n + o.size, 0) });
    }
    expect(await bySource(a!)).toEqual({ counts: { local: 3, team: 9 }, duplicates: 0 });
    expect(await bySource(b!)).toEqual({ counts: { local: 4, team: 8 }, duplicates: 0 });
    expect(await bySource(c!)).toEqual({ counts: { local: 5, team: 7 }, duplicates: 0 });
    // Every pulled row is findable by search and `bird history`, tagged with where it came from.
    for (const x of [a!, b!, c!]) expect(await indexedIdsAndSources(x.layout)).toEqual(await storedIdsAndSources(x.layout));

    // Nothing new: push sends nothing, pull adds nothing.
    expect(await doPush(a!)).toMatchObject({ rows: 0, objects: 0 });
    expect(await doPull(a!)).toMatchObject({ rows: 0, objects: 0 });

    // New rows go, and only they.
    await capture(b!, 2, '2024-06-03', 'later');
    expect(await doPush(b!)).toMatchObject({ rows: 3 }); // 2 invocations + 1 session
    expect(await doPull(a!)).toMatchObject({ rows: 3 });
    expect(await bySource(a!)).toEqual({ counts: { local: 3, team: 11 }, duplicates: 0 });
    // (b's new rows were written straight to files by this test, not journaled as the drainer
    // does, so only a's index is compared here.)
    expect(loadHistory(a!.layout.historyIndex).ok).toBe(true); // the pull journaled them: no reader has to rebuild
    expect(await indexedIdsAndSources(a!.layout)).toEqual(await storedIdsAndSources(a!.layout));
  });

  it('duckdb mode: pulled rows become rows of cached_<name> tables in bird.duckdb, once, beside a parquet-mode teammate', async () => {
    const remote = remoteFor(kind);
    const a = await newClient('alice@a', remote, 'duckdb');
    const b = await newClient('bob@b', remote);
    await capture(a, 3);
    await capture(b, 4, '2024-06-02');
    await doPush(a);
    await doPush(b);
    expect(await doPull(a)).toMatchObject({ rows: 5 }); // 4 invocations + 1 session
    await doPull(b);
    expect(await bySource(a)).toEqual({ counts: { local: 3, team: 4 }, duplicates: 0 });
    expect(await bySource(b)).toEqual({ counts: { local: 4, team: 3 }, duplicates: 0 });
    // Tables, not files: nothing was written under db/data/cached in duckdb mode.
    const db = await DuckDBInstance.create(a.layout.catalog, { access_mode: 'READ_ONLY' });
    try {
      const c = await db.connect();
      const kinds = (await c.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'cached_team' ORDER BY 1`)).getRows().map((r) => String(r[0]));
      expect(kinds).toEqual(['events', 'invocations', 'outputs', 'sessions']);
      const sources = (await c.runAndReadAll(`SELECT DISTINCT _source FROM cached_team.invocations`)).getRows();
      expect(sources).toEqual([['team']]);
      c.closeSync();
    } finally {
      db.closeSync();
    }
    expect(existsSync(join(a.layout.cachedData, 'team'))).toBe(false);
    expect(await indexedIdsAndSources(a.layout)).toEqual(await storedIdsAndSources(a.layout));

    // The state file lost: the next pull fetches everything again and adds nothing twice.
    rmSync(join(a.layout.sync, 'team', 'pull.json'));
    expect(await doPull(a)).toMatchObject({ rows: 0 });
    await capture(b, 2, '2024-06-03', 'later');
    await doPush(b);
    expect(await doPull(a)).toMatchObject({ rows: 3 });
    expect(await bySource(a)).toEqual({ counts: { local: 3, team: 6 }, duplicates: 0 });
  });

  it('a lake without _bird/ (written by other tools) is listed whole and each batch pulled once', async () => {
    const remote = remoteFor(kind);
    const staged = tempDir('bird-sync-unindexed-');
    const publish = async () => {
      const backend = await createRemoteBackend(remote);
      try {
        for (const file of walk(staged)) await backend.put(file.slice(staged.length + 1), file);
      } finally {
        backend.close();
      }
    };
    writeLake(staged, 'invocations', 'bob@b', '2024-06-01', [invocation({ client_id: 'bob@b', date: '2024-06-01' }), invocation({ client_id: 'bob@b', date: '2024-06-01' })]);
    writeLake(staged, 'invocations', 'carol@c', '2024-06-03', [invocation({ client_id: 'carol@c', date: '2024-06-03' })]);
    writeLake(staged, 'invocations', 'alice@a', '2024-06-03', [invocation({ client_id: 'alice@a', date: '2024-06-03' })]); // this machine's own
    await publish();
    const a = await newClient('alice@a', remote);
    expect(await doPull(a, { since: '2024-06-02' })).toMatchObject({ rows: 1, objects: 1 });
    expect(await doPull(a)).toMatchObject({ rows: 2, objects: 1 });
    expect(await doPull(a)).toMatchObject({ rows: 0, objects: 0 });
    writeLake(staged, 'invocations', 'bob@b', '2024-06-04', [invocation({ client_id: 'bob@b', date: '2024-06-04' })]);
    await publish();
    expect(await doPull(a)).toMatchObject({ rows: 1, objects: 1 });
    expect(await bySource(a)).toEqual({ counts: { team: 4 }, duplicates: 0 });
  });

  it('--client pulls one series; --since leaves older days for a later pull; --dry-run changes nothing', async () => {
    const remote = remoteFor(kind);
    const [a, b, c] = await Promise.all(['alice@a', 'bob@b', 'carol@c'].map((id) => newClient(id, remote)));
    await capture(a!, 2, '2024-06-01');
    await capture(a!, 3, '2024-06-05');
    await capture(b!, 4, '2024-06-05');

    const dry = await doPush(a!, { dryRun: true });
    expect(dry.outcome).toBe('dry-run');
    expect(dry.plan.filter((p) => p.table === 'invocations')).toEqual([
      { client: 'alice@a', table: 'invocations', date: '2024-06-01', rows: 2 },
      { client: 'alice@a', table: 'invocations', date: '2024-06-05', rows: 3 },
    ]);
    await doPull(c!);
    expect((await bySource(c!)).counts).toEqual({}); // the dry run pushed nothing

    await doPush(a!);
    await doPush(b!);
    await doPull(c!, { client: 'alice@a', since: '2024-06-03' });
    expect((await bySource(c!)).counts).toEqual({ team: 3 });
    await doPull(c!, { client: 'alice@a' });
    expect((await bySource(c!)).counts).toEqual({ team: 5 });
    await doPull(c!);
    expect(await bySource(c!)).toEqual({ counts: { team: 9 }, duplicates: 0 });
  });

  it('bird-sync compacts, pushes and pulls from the command line, silent under cron', async () => {
    const remote = remoteFor(kind);
    const [a, b] = await Promise.all(['alice@a', 'bob@b'].map((id) => newClient(id, remote)));
    await capture(a!, 3);
    await capture(b!, 2);
    const run = (c: Client, args: string[]) => {
      const env: NodeJS.ProcessEnv = { ...c.env, ...S3RVER_ENV, BIRD_ROOT: c.layout.root };
      delete env.NODE_EXTRA_CA_CERTS;
      return spawnSync(process.execPath, [SYNC, ...args], { env, encoding: 'utf8' });
    };
    for (const c of [a!, b!, a!]) {
      const r = run(c, ['--remote', 'team']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    }
    expect(await bySource(a!)).toEqual({ counts: { local: 3, team: 2 }, duplicates: 0 });
    const json = run(b!, ['pull', '--remote', 'team', '--json']);
    expect(json.status).toBe(0);
    // b already pulled alice's rows in its sync: the summary says nothing moved.
    expect(JSON.parse(json.stdout).remotes[0]).toMatchObject({ remote: 'team', op: 'pull', rows: 0, objects: 0 });
    expect(await bySource(b!)).toEqual({ counts: { local: 2, team: 3 }, duplicates: 0 });
  });

  it('a pushed lake reads live as remote_<name>, every row once', async () => {
    const remote = remoteFor(kind, { auto_attach: true });
    const [a, b] = await Promise.all(['alice@a', 'bob@b'].map((id) => newClient(id, remote)));
    await capture(a!, 3);
    await capture(b!, 2, '2024-06-04');
    await doPush(a!);
    await doPush(b!);
    const conn = await openStore(a!.layout, { onWarning: () => undefined }).connect();
    try {
      const { rows } = await conn.query("SELECT client_id, count(*)::INT, count(DISTINCT id)::INT, min(CAST(date AS VARCHAR)) FROM remote_team.invocations GROUP BY 1 ORDER BY 1");
      expect(rows).toEqual([['alice@a', 3, 3, '2024-06-01'], ['bob@b', 2, 2, '2024-06-04']]);
    } finally {
      conn.close();
    }
  });

  it('a no-op push or pull reads the index only: the same few requests however many batches the lake holds', async () => {
    const remote = remoteFor(kind);
    const clients = await Promise.all(['alice@a', 'bob@b', 'carol@c'].map((id) => newClient(id, remote)));
    const reader = await newClient('dan@d', remote);
    const requests = async (run: (backend: RemoteBackend) => Promise<unknown>) => {
      const real = await createRemoteBackend(remote);
      let n = 0;
      const counted: RemoteBackend = {
        location: real.location,
        list: (p) => (n++, real.list(p)),
        get: (k, d) => (n++, real.get(k, d)),
        put: (k, s) => (n++, real.put(k, s)),
        close: () => real.close(),
      } as RemoteBackend;
      try {
        await run(counted);
      } finally {
        real.close();
      }
      return n;
    };
    const noOps: number[][] = [];
    for (const rounds of [2, 6]) {
      for (let i = 0; i < rounds; i++) for (const c of clients) {
        await capture(c, 2, `2024-06-0${1 + (i % 5)}`, `round${rounds}-${i}`);
        await doPush(c);
      }
      await doPull(reader);
      noOps.push([await requests((backend) => doPush(clients[0]!, { backend })), await requests((backend) => doPull(reader, { backend }))]);
    }
    // push: the format object alone (nothing new, so no series is looked at); pull: the format
    // object and one listing of the heads.
    expect(noOps).toEqual([[1, 2], [1, 2]]);
    expect((await bySource(reader)).counts).toEqual({ team: 3 * 2 * 8 });
  });

  it('a lake of a newer format version is refused by push and pull, naming the remote, nothing changed', async () => {
    const remote = remoteFor(kind);
    const a = await newClient('alice@a', remote);
    await capture(a, 2);
    const backend = await createRemoteBackend(remote);
    const scratch = tempDir();
    try {
      const file = join(scratch, 'lake.json');
      (await import('node:fs')).writeFileSync(file, JSON.stringify({ format: 'bird-lake', version: 99 }));
      await backend.put('_bird/lake.json', file);
    } finally {
      backend.close();
    }
    await expect(doPush(a)).rejects.toThrow(/^remote team was written in lake format 99, newer than this bird understands \(1\); upgrade bird on this machine\.$/);
    await expect(doPull(a)).rejects.toThrow(/lake format 99/);
    expect(existsSync(join(a.layout.sync, 'team', 'push.json'))).toBe(false);
    expect(existsSync(join(a.layout.sync, 'team', 'pull.json'))).toBe(false);
  });

  it('refuses a push to a read-only remote and to a .duckdb remote, changing nothing', async () => {
    const ro = await newClient('alice@a', remoteFor(kind, { mode: 'read_only' }));
    await capture(ro, 1);
    await expect(doPush(ro)).rejects.toThrow(/remote team is read_only; push to a read_write remote/);
    const db = await newClient('alice@a', kind === 'file' ? remoteFor('file', { uri: join(tempDir(), 'team.duckdb') }) : remoteFor('s3', { uri: 's3://lake/team/bird.duckdb' }));
    await capture(db, 1);
    await expect(doPush(db)).rejects.toThrow(/is a DuckDB database .* to push, add a remote whose uri is a folder or an S3 prefix/);
    expect(existsSync(join(db.layout.sync, 'team', 'outbox'))).toBe(false);
  });
});
