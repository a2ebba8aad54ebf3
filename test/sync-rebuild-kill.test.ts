// A duckdb-mode pull that brings more commands than the history index's journal takes rebuilds the
// index from bird.duckdb right after its own transaction: the pull opens the database read-write,
// commits, closes (DuckDB checkpoints), then opens it again to read every command. Killed at any
// instant of that (mid-transaction, mid-checkpoint, mid-rebuild), it leaves a WAL or a half-written
// checkpoint behind; the pull that follows must open the database, finish, and leave every row
// once, in the store and in the index. (A CI run once reported bird.duckdb "damaged" in such a
// pull; this reproduces the sequence on purpose.)
import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteConfig } from '@bird/core';
import { indexFiles, readJournal } from '@bird/history-index';
import { buildBundles } from './cli-helpers.ts';
import { tempDir } from '../packages/store/src/testing/fixtures.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { bySource, capture, doPush, newClient, runAs } from './support/sync-clients.ts';

const ROUNDS = 8;
/** With TEXT, more journal bytes than a pull appends (256 KB, FOLD_JOURNAL_BYTES): each pull rebuilds the index. */
const PER_ROUND = 300;
const TEXT = 'x'.repeat(1_000);

beforeAll(() => buildBundles());

describe('kill -9 of duckdb-mode pulls that rebuild the history index', () => {
  it(`${ROUNDS} rounds: the pull after each kill opens bird.duckdb and ends with every row once`, async () => {
    const remote: RemoteConfig = { name: 'team', type: 'file', uri: tempDir('bird-rebuild-lake-'), mode: 'read_write', auto_attach: false };
    const alice = await newClient('alice@a', remote);
    const carol = await newClient('carol@c', remote, 'duckdb');
    const journaled = () => readJournal(indexFiles(carol.layout.historyIndex).journal).rows.length;
    let windowMs = 3_000;
    let killed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await capture(alice, PER_ROUND, `2024-06-${String(1 + round).padStart(2, '0')}`, `r${round} ${TEXT}`);
      await doPush(alice);
      const started = Date.now();
      const cut = await runAs(carol, ['pull', '--remote', 'team'], { killAfterMs: Math.floor(Math.random() * windowMs) });
      if (cut.signal === 'SIGKILL') {
        killed++;
        const next = await runAs(carol, ['pull', '--remote', 'team']);
        expect({ code: next.code, stderr: next.stderr }, `the pull after a kill in round ${round}`).toEqual({ code: 0, stderr: '' });
        expect(journaled(), 'the index was rebuilt, not journaled').toBe(0);
      } else {
        expect({ code: cut.code, stderr: cut.stderr }, `round ${round}'s pull`).toEqual({ code: 0, stderr: '' });
        windowMs = Math.max(1, Date.now() - started);
        expect(journaled(), 'the index was rebuilt, not journaled').toBe(0);
      }
    }
    expect(await bySource(carol)).toEqual({ counts: { team: ROUNDS * PER_ROUND }, duplicates: 0 });
    expect(await indexedIdsAndSources(carol.layout)).toEqual(await storedIdsAndSources(carol.layout));
    expect(killed, 'runs cut short').toBeGreaterThanOrEqual(ROUNDS / 4);
  }, 600_000);
});
