import { describe, expect, it } from 'vitest';
import { detectHistoryFormat } from './detect-format.ts';
import type { HistoryParse } from './history-entry.ts';
import { parseBashHistory } from './bash-history.ts';
import { parseFishHistory } from './fish-history.ts';
import { planImport } from './plan-import.ts';
import { PEER_CASES, type PeerCase } from './testing/peer-cases.ts';
import { parseZshHistory } from './zsh-history.ts';

function parse({ format, file }: PeerCase): HistoryParse {
  const decoded = new TextDecoder().decode(file);
  if (format === 'zsh') return parseZshHistory(file);
  if (format === 'bash') return parseBashHistory(decoded);
  if (format === 'fish') return parseFishHistory(decoded);
  throw new Error(`no text case for ${format}`);
}

describe('atuin\'s importer cases, read by bird', () => {
  it.each(PEER_CASES)('$name', (peer) => {
    const parsed = parse(peer);
    expect(parsed.entries.map((e) => e.cmd)).toEqual(peer.commands);
    expect(parsed.entries.map((e) => (e.startUs === null ? null : Number(e.startUs / 1_000_000n)))).toEqual(peer.starts);
    if (peer.durations) expect(parsed.entries.map((e) => e.durationMs)).toEqual(peer.durations);
    expect(parsed.unreadable).toBe(peer.unreadable ?? 0);
    // Never refused as another shell's history.
    expect([peer.format, undefined]).toContain(detectHistoryFormat(peer.file)?.format);

    const plan = planImport(parsed.entries, { format: peer.format, path: '/h/history', mtimeUs: 1_700_000_000_000_000n }, {
      clientId: 'u@h',
      hostname: 'h',
      env: {},
      rules: { ignore: [] },
      known: new Set(),
      knownSessions: new Set(),
      captured: [],
      firstCapturedUs: null,
    });
    expect(plan.invocations.map((r) => r.cmd)).toEqual(peer.commands);
    // The file's order, strictly, whatever times are missing; a time the file gives is kept.
    plan.invocations.forEach((r, i) => {
      if (i > 0) expect(r.timestamp).toBeGreaterThan(plan.invocations[i - 1]!.timestamp);
      const start = peer.starts[i];
      if (start !== null && start !== undefined) expect(r.timestamp / 1_000_000n).toBe(BigInt(start));
    });
  });
});
