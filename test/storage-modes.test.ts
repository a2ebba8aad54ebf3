// One story, every storage mode (as atuin runs one scenario against each database backend): a
// store in parquet mode and one in duckdb mode go through the same day — commands captured by the
// real bird-capture, a drainer's redo of commands already stored, an import, a pull from a
// teammate's lake (twice), a compaction — and must answer the same queries with the same rows,
// each once, with the history index agreeing with the store. A mode that breaks the contract
// fails here whatever part of it moved.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, loadConfig, type InvocationRow, type RemoteConfig, type SessionRow, type StorageMode as ModeName } from '@bird/core';
import { openStore, storageModeOf } from '@bird/store';
import { invocation, session, tempDir } from '../packages/store/src/testing/fixtures.ts';
import { at, buildBundles, Sandbox } from './cli-helpers.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { capture as captureRows, doPush, newClient, runAs } from './support/sync-clients.ts';

beforeAll(() => buildBundles());

async function count(root: string, sql: string): Promise<unknown[][]> {
  const conn = await openStore(birdLayout(root), { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query(sql)).rows as unknown[][];
  } finally {
    conn.close();
  }
}

describe.each<ModeName>(['parquet', 'duckdb'])('the storage contract, %s mode', (mode) => {
  it('capture, a redo, import, pull twice, compact: every row once, the same answers, the index in step', async () => {
    const box = new Sandbox();
    const lake: RemoteConfig = { name: 'team', type: 'file', uri: tempDir('bird-contract-lake-'), mode: 'read_write', auto_attach: false };
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    expect(box.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake.uri, '--no-auto-attach']).code).toBe(0);
    const layout = birdLayout(box.root);
    const config = loadConfig(layout);

    // 1. Captured by the real bird-capture, one process per command.
    for (let i = 0; i < 3; i++) box.capture({ cmd: `make step${i}`, exit: i === 2 ? 2 : 0, startUs: at(i), session: 's-contract' });

    // 2. A drainer that took a claim over writes commands again: nothing doubles.
    const again: { invocation: InvocationRow; session: SessionRow }[] = [0, 1].map((i) => ({ invocation: invocation({ cmd: `redo ${i}`, client_id: 'tester@box', date: '2025-11-26', timestamp: at(100 + i) }), session: session({ session_id: 's-redo', client_id: 'tester@box', date: '2025-11-26' }) }));
    const modeOf = storageModeOf(layout, config);
    expect((await modeOf.append(again)).written).toBe(2);
    expect((await modeOf.append(again, { redo: true })).problems).toEqual([]);

    // 3. An import (zsh's extended history), then the same file again: nothing doubles.
    const histfile = join(box.dir, 'zsh_history');
    writeFileSync(histfile, `: ${Number(at(200) / 1_000_000n)}:0;git status\n: ${Number(at(201) / 1_000_000n)}:1;git log\n`);
    for (let i = 0; i < 2; i++) expect(box.bird(['import', 'zsh', '--file', histfile]).code).toBe(0);

    // 4. A teammate's rows from a lake, pulled twice.
    const mate = await newClient('mate@desk', lake);
    await captureRows(mate, 4, '2025-11-26', 'mate');
    expect((await doPush(mate)).problems).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const pulled = await runAs(mate, ['pull', '--remote', 'team'], { env: { ...box.env(), BIRD_ROOT: box.root } });
      expect(pulled).toMatchObject({ code: 0, stderr: '' });
    }

    // 5. Compaction, then every answer again.
    expect(box.bird(['compact']).code).toBe(0);
    const expected = [
      ['local', 7, 7],
      ['team', 4, 4],
    ];
    expect(await count(box.root, 'SELECT _source, count(*)::INT, count(DISTINCT id)::INT FROM main.invocations GROUP BY 1 ORDER BY 1')).toEqual(expected);
    expect(await count(box.root, "SELECT count(*)::INT FROM main.invocations WHERE exit_code <> 0")).toEqual([[1]]);
    expect(await count(box.root, "SELECT count(DISTINCT session_id)::INT FROM local.sessions")).toEqual([[3]]);
    expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));
    const history = box.bird(['history', '-n', '50', '--format', 'json']);
    expect(history.code).toBe(0);
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(11);
    box.cleanup();
  });
});
