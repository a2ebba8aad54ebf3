import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from 'vitest';
import { birdLayout } from '@bird/core';
import { initStore, openStore } from './index.ts';

test('smoke', async () => {
  const layout = birdLayout(join(mkdtempSync(join(tmpdir(), 'bird-store-')), 'root'));
  await initStore(layout);
  await initStore(layout);
  const store = openStore(layout);
  const c = await store.connect();
  await expect(c.query('SELEC 1')).rejects.toThrow(/SQL error/);
  c.close();
  await expect(initStore(layout, 'duckdb')).rejects.toThrow(/parquet mode/);
});
