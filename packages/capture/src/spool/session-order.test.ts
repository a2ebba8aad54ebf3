import { describe, expect, it } from 'vitest';
import type { InvocationRow } from '@bird/core';
import { keepSessionOrder } from './session-order.ts';

const T = 1_764_200_000_000_000n; // 2025-11-26T23:33:20Z
const row = (timestamp: bigint, duration: number | null = 3): InvocationRow => ({
  id: 'fixed-id', session_id: 's', timestamp, duration_ms: duration, cwd: '/', cmd: 'sh -c true', executable: 'sh', exit_code: 0, client_id: 'c', hostname: 'h', shell: 'fish', date: '2025-11-26',
});

describe('keepSessionOrder', () => {
  it.each([
    ['no previous command: as the hook dated it', undefined, T, T, 3],
    ['after the previous one: unchanged', T - 5n, T, T, 3],
    ['dated before the previous one: moved just after it, shorter by as much', T + 2_000n, T, T + 2_001n, 1],
    ['dated at the same instant: moved a microsecond on', T, T, T + 1n, 3],
    ['a shrink never goes below zero', T + 9_000n, T, T + 9_001n, 0],
  ])('%s', (_name, previous, start, wantStart, wantDuration) => {
    const out = keepSessionOrder(row(start), previous);
    expect([out.timestamp, out.duration_ms, out.id]).toEqual([wantStart, wantDuration, 'fixed-id']);
  });

  it('keeps an unknown duration unknown', () => {
    expect(keepSessionOrder(row(T, null), T + 10n).duration_ms).toBeNull();
  });

  it('does not move a row across midnight UTC (it would land in another partition)', () => {
    const lastOfDay = 1_764_201_599_999_999n; // 2025-11-26T23:59:59.999999Z
    const out = keepSessionOrder(row(lastOfDay - 10n), lastOfDay);
    expect(out.timestamp).toBe(lastOfDay - 10n);
  });
});
