// Which project caches compaction removes: a table of the facts it decides on.
import { describe, expect, test } from 'vitest';
import { FRESH_CACHE_MS, UNRECORDED_CACHE_MS, projectCacheAbandoned } from './sweep-project-caches.ts';

const HOUR = 60 * 60 * 1000;

describe('projectCacheAbandoned', () => {
  test.each([
    ['its project is there', '/p/.bird', true, 30 * 24 * HOUR, false],
    ['its project is gone, untouched for two hours', '/p/.bird', false, 2 * HOUR, true],
    ['its project is gone, but a pull wrote just now', '/p/.bird', false, 5 * 60 * 1000, false],
    ['its project is gone, written an hour ago to the millisecond', '/p/.bird', false, FRESH_CACHE_MS, true],
    ['no record, being made now', null, false, 0, false],
    ['no record, untouched for two hours', null, false, 2 * HOUR, false],
    ['no record, untouched for a day', null, false, UNRECORDED_CACHE_MS, true],
    ['a clock that went back (written "in the future")', '/p/.bird', false, -HOUR, false],
  ])('%s', (_what, recordedProject, projectPresent, idleMs, abandoned) => {
    expect(projectCacheAbandoned({ recordedProject, projectPresent, idleMs })).toBe(abandoned);
  });
});
