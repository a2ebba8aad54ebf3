import { describe, expect, it } from 'vitest';
import { readsOutputText } from './output-text.ts';

describe('readsOutputText', () => {
  it.each<[string, boolean]>([
    ['SELECT 1', false],
    ['SELECT count(*) FROM remote_team.invocations', false],
    ['SELECT * FROM remote_team.outputs', false],
    ["SELECT cmd FROM invocations_with_output() WHERE output LIKE '%refused%'", true],
    ['SELECT * FROM remotes_invocations_with_output()', true],
    ['select OUTPUT_TEXT(o.storage_type, o.storage_ref, o.content_hash) from remote_team.outputs o', true],
    ['SELECT * FROM blob_texts()', true],
    ['SELECT my_output_text FROM t', false],
    ['SELECT output_texts FROM t', false],
  ])('%s → %s', (sql, expected) => {
    expect(readsOutputText(sql)).toBe(expected);
  });
});
