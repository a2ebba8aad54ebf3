// A project's store (`.bird/` at a repository's root), found by walking up from where a command
// runs and attached read-only as `project`; the hostile cases are a repository someone else wrote.
import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import { birdLayout, findProjectStore, projectSearchPath, type BirdLayout, type StorageMode } from '@bird/core';
import { initStore, openStore } from './index.ts';
import { invocation, tempDir, tempLayout, warningSink, writeConfig, writeLocal, writeRowsAsFiles } from './testing/fixtures.ts';

/** A repository folder with a project store of `mode` holding `n` commands run by CI, and a subfolder to work in. */
async function repositoryWithProject(mode: StorageMode, n: number): Promise<{ repo: string; project: BirdLayout; sub: string }> {
  const repo = tempDir('bird-repo-');
  const project = birdLayout(join(repo, '.bird'));
  mkdirSync(project.root, { recursive: true });
  writeConfig(project, [], mode);
  await initStore(project, mode);
  const rows = Array.from({ length: n }, (_, i) => invocation({ cmd: `make test ${i}`, client_id: 'ci@runner' }));
  if (mode === 'parquet') writeLocal(project, 'invocations', rows);
  else {
    const files = tempDir('bird-project-rows-');
    writeRowsAsFiles(files, 'invocations', rows);
    const db = await DuckDBInstance.create(project.catalog);
    try {
      const c = await db.connect();
      await c.run(`INSERT INTO local.invocations BY NAME SELECT * FROM read_parquet('${files}/*/*.parquet', hive_partitioning = false)`);
      c.closeSync();
    } finally {
      db.closeSync();
    }
  }
  const sub = join(repo, 'src', 'deep');
  mkdirSync(sub, { recursive: true });
  return { repo, project, sub };
}

/** Every file under `dir` with its size and mtime: what a read must leave as it was. */
function snapshotOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out[p] = `${s.size} ${s.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

async function ask(user: BirdLayout, cwd: string, sql: string, sink = warningSink()): Promise<unknown[][]> {
  const c = await openStore(user, { cwd, onWarning: sink.onWarning }).connect({ attachRemotes: false });
  try {
    return (await c.query(sql)).rows as unknown[][];
  } finally {
    c.close();
  }
}

describe('finding the project store', () => {
  test('walks up to the filesystem root, or to the home folder when it starts inside it', () => {
    expect(projectSearchPath('/a/b/c', undefined)).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect(projectSearchPath('/home/me/src/app', '/home/me')).toEqual(['/home/me/src/app', '/home/me/src', '/home/me']);
    expect(projectSearchPath('/srv/app', '/home/me')).toEqual(['/srv/app', '/srv', '/']);
    expect(projectSearchPath('/home/me', '/home/me/')).toEqual(['/home/me']);
  });

  test('the first .bird/ up from a subfolder; none above home; never the user\'s own store', async () => {
    const { repo, sub, project } = await repositoryWithProject('parquet', 1);
    const user = tempLayout();
    expect(findProjectStore(sub, user.root)).toMatchObject({ found: true, mode: 'parquet', layout: { root: project.root } });
    expect(findProjectStore(sub, user.root, join(repo, 'src'))).toBeNull(); // home is below the repository
    expect(findProjectStore(sub, project.root)).toBeNull(); // BIRD_ROOT=.bird: recording into it, not reading it as a project
  });

  test('a .bird/ that is a symlink, a file or no store is refused, saying why', () => {
    const user = tempLayout();
    const linked = tempDir('bird-repo-');
    symlinkSync(tempDir('bird-elsewhere-'), join(linked, '.bird'));
    expect(findProjectStore(linked, user.root)).toEqual({ found: false, refused: `${join(linked, '.bird')} is a symbolic link; a project's store must be a folder inside the project` });
    const file = tempDir('bird-repo-');
    writeFileSync(join(file, '.bird'), 'not a folder');
    expect(findProjectStore(file, user.root)).toEqual({ found: false, refused: `${join(file, '.bird')} is not a folder` });
    const empty = tempDir('bird-repo-');
    mkdirSync(join(empty, '.bird'));
    expect(findProjectStore(empty, user.root)).toMatchObject({ found: false, refused: expect.stringContaining('has no config.toml') });
  });
});

describe.each(['parquet', 'duckdb'] as const)('a %s-mode project store, read from a user store', (projectMode) => {
  test.each(['parquet', 'duckdb'] as const)('in %s mode: project.* and project_invocations() from a subfolder, nothing outside, nothing written', async (userMode) => {
    const { repo, sub } = await repositoryWithProject(projectMode, 3);
    const user = tempLayout();
    writeConfig(user, [], userMode);
    await initStore(user, userMode);
    const before = snapshotOf(join(repo, '.bird'));
    const sink = warningSink();
    expect(await ask(user, sub, 'SELECT count(*)::INT, min(_source), min(client_id) FROM project.invocations', sink)).toEqual([[3, 'project', 'ci@runner']]);
    expect(await ask(user, sub, 'SELECT count(*)::INT FROM project_invocations()')).toEqual([[3]]);
    expect(await ask(user, sub, "SELECT count(*)::INT FROM main.invocations WHERE cmd LIKE 'make test%'")).toEqual([[0]]); // the user's own rows stay their own
    const outside = tempDir('bird-elsewhere-');
    expect(await ask(user, outside, 'SELECT count(*)::INT FROM project_invocations()')).toEqual([[0]]);
    await expect(ask(user, outside, 'SELECT count(*) FROM project.invocations')).rejects.toThrow(/project/);
    expect(sink.warnings).toEqual([]);
    expect(snapshotOf(join(repo, '.bird')), 'a read writes nothing into the project').toEqual(before);
  });
});

describe('a project store someone else wrote', () => {
  test('garbage, a symlinked day folder and a file of another name are left out and named; the rest is read', async () => {
    const { project, sub } = await repositoryWithProject('parquet', 2);
    const day = join(project.localData, 'invocations', 'date=2024-06-01');
    writeFileSync(join(day, 'garbage.parquet'), 'PAR1 not parquet at all');
    const secret = tempDir('bird-secret-');
    writeLocal(birdLayout(secret), 'invocations', [invocation({ cmd: 'outside the tree' })]);
    symlinkSync(join(secret, 'db', 'data', 'local', 'invocations', 'date=2024-06-01'), join(project.localData, 'invocations', 'date=2024-06-02'));
    writeFileSync(join(day, 'note.txt'), 'hello');
    const user = tempLayout();
    await initStore(user, 'parquet');
    const sink = warningSink();
    expect(await ask(user, sub, 'SELECT count(*)::INT FROM project.invocations', sink)).toEqual([[2]]);
    expect(sink.warnings.sort()).toEqual([
      `the project store's file ${join(day, 'garbage.parquet')} is not a Parquet file; left out.`,
      `the project store's file ${join(day, 'note.txt')} is not named as a store file is; left out.`,
      `the project store's file ${join(project.localData, 'invocations', 'date=2024-06-02')} is a symbolic link; left out.`,
    ].sort());
  });

  test('a file that looks like Parquet but is not is left out of the query that finds it, named, and left where it is', async () => {
    const { project, sub } = await repositoryWithProject('parquet', 3);
    const day = join(project.localData, 'invocations', 'date=2024-06-01');
    const bad = join(day, 'looks-fine.parquet');
    writeFileSync(bad, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(200, 7), Buffer.from('PAR1')]));
    const user = tempLayout();
    await initStore(user, 'parquet');
    const sink = warningSink();
    expect(await ask(user, sub, 'SELECT count(*)::INT FROM project.invocations', sink)).toEqual([[3]]);
    expect(sink.warnings).toEqual([expect.stringMatching(new RegExp(`^skipped bad file ${bad} of the project store ${project.root} \\(.+\\)\\.$`))]);
    expect(statSync(bad).size, 'never moved or changed: the project is not ours').toBe(208);
  });

  test('a .bird/ symlinked out of the tree is refused with one warning, and everything else works', async () => {
    const repo = tempDir('bird-repo-');
    const { project } = await repositoryWithProject('parquet', 4);
    symlinkSync(project.root, join(repo, '.bird'));
    const user = tempLayout();
    await initStore(user, 'parquet');
    writeLocal(user, 'invocations', [invocation({ cmd: 'mine' })]);
    const sink = warningSink();
    expect(await ask(user, repo, 'SELECT count(*)::INT FROM main.invocations', sink)).toEqual([[1]]);
    expect(await ask(user, repo, 'SELECT count(*)::INT FROM project_invocations()')).toEqual([[0]]);
    expect(sink.warnings).toEqual([`${join(repo, '.bird')} is a symbolic link; a project's store must be a folder inside the project; the project store was not read.`]);
  });
});
