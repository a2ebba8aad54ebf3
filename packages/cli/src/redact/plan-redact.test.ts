import { REDACTED, SECRET_PATTERNS, type InvocationRow } from '@bird/core';
import { describe, expect, it } from 'vitest';
import { planRedact, redactionOf, rulesTouch } from './plan-redact.ts';

const row = (cmd: string, over: Partial<InvocationRow> = {}): InvocationRow => ({
  id: '019a0000-0000-7000-8000-000000000001',
  session_id: 's-1',
  timestamp: 1_764_000_000_000_000n,
  duration_ms: 5,
  cwd: '/home/u',
  cmd,
  executable: cmd.split(' ')[0] ?? null,
  exit_code: 0,
  client_id: 'u@box',
  hostname: 'box',
  shell: 'zsh',
  date: '2025-11-24',
  ...over,
});
const rules = { ignore: ['bird *', 'vault *'] };

describe('redactionOf', () => {
  it.each([
    ['a command no rule touches', 'make test', null],
    ['a secret a rule recognises', 'export GITHUB_TOKEN=ghp_abc123', { kind: 'redact', cmd: `export GITHUB_TOKEN=${REDACTED}` }],
    ['one an ignore pattern now matches', 'vault login -method=userpass', { kind: 'forget' }],
    ['an ignore pattern and a secret: forgotten whole', 'vault write secret/x TOKEN=abc123', { kind: 'forget' }],
    ['a command already redacted (a second run changes nothing)', `export GITHUB_TOKEN=${REDACTED}`, null],
    ['an empty command (an import may hold one): left alone', '   ', null],
  ] as const)('%s', (_name, cmd, expected) => {
    const outcome = redactionOf(row(cmd), rules);
    if (expected === null) expect(outcome).toBeNull();
    else if (expected.kind === 'forget') expect(outcome).toEqual({ kind: 'forget' });
    else {
      expect(outcome?.kind).toBe('redact');
      if (outcome?.kind !== 'redact') return;
      expect(outcome.after.cmd).toBe(expected.cmd);
      // everything but the id, the text and its program stays the row it was
      expect({ ...outcome.after, id: 'x', cmd: 'x', executable: 'x' }).toEqual({ ...row(cmd), id: 'x', cmd: 'x', executable: 'x' });
      expect(outcome.after.id).not.toBe(row(cmd).id);
    }
  });

  it('gives a redacted row the same new id every run (a run cut short writes the same row again)', () => {
    const a = redactionOf(row('export GITHUB_TOKEN=ghp_abc123'), rules);
    const b = redactionOf(row('export GITHUB_TOKEN=ghp_abc123'), rules);
    expect(a).toEqual(b);
    const other = redactionOf(row('export GITHUB_TOKEN=ghp_abc123', { id: '019a0000-0000-7000-8000-000000000002' }), rules);
    expect(other?.kind === 'redact' && a?.kind === 'redact' && other.after.id !== a.after.id).toBe(true);
  });

  it("keeps the new id in the old one's millisecond (a UUIDv7's first 48 bits: history stays in order)", () => {
    const outcome = redactionOf(row('export GITHUB_TOKEN=ghp_abc123'), rules);
    const ms = outcome?.kind === 'redact' ? parseInt(outcome.after.id.replaceAll('-', '').slice(0, 12), 16) : null;
    expect(ms).toBe(1_764_000_000_000);
  });

  it.each(SECRET_PATTERNS.map((p) => [p.name, p.example, p.redacted] as const))('every secret rule: %s, redacted once and then left alone', (_name, example, redacted) => {
    const first = redactionOf(row(example), { ignore: [] });
    expect(first?.kind === 'redact' && first.after.cmd).toBe(redacted);
    expect(redactionOf(row(redacted), { ignore: [] })).toBeNull();
  });
});

describe('redactionOf, a command whose output holds a secret', () => {
  it.each([
    ['a command no rule touches: stored again as it is, under a new id', 'curl -s https://api.example/token', 'curl -s https://api.example/token'],
    ['a secret in its text too: redacted once', 'export GITHUB_TOKEN=ghp_abc123', `export GITHUB_TOKEN=${REDACTED}`],
  ] as const)('%s', (_name, cmd, expected) => {
    const outcome = redactionOf(row(cmd), rules, true);
    expect(outcome?.kind === 'redact' && outcome.after.cmd).toBe(expected);
    expect(outcome?.kind === 'redact' && outcome.after.id).not.toBe(row(cmd).id);
    expect(redactionOf(row(cmd), rules, true)).toEqual(outcome);
  });

  it('is forgotten whole when an ignore pattern matches it', () => {
    expect(redactionOf(row('vault read secret/x'), rules, true)).toEqual({ kind: 'forget' });
  });
});

describe('rulesTouch', () => {
  // The store is planned over distinct texts with it: it must say yes exactly where redactionOf acts.
  const texts = ['make test', 'export GITHUB_TOKEN=ghp_abc123', 'vault login -method=userpass', 'vault write secret/x TOKEN=abc123', `export GITHUB_TOKEN=${REDACTED}`, '   ', 'bird history', ...SECRET_PATTERNS.flatMap((p) => [p.example, p.redacted, p.nearMiss])];
  it.each(texts.map((t) => [t]))('agrees with redactionOf on %j', (text) => {
    for (const r of [rules, { ignore: [] }]) expect(rulesTouch(text, r)).toBe(redactionOf(row(text), r) !== null);
  });
});

describe('planRedact', () => {
  it('sorts a store\'s commands into left alone, redacted and forgotten', () => {
    const rows = [row('ls', { id: 'a' }), row('export GITHUB_TOKEN=ghp_abc123', { id: 'b' }), row('vault login', { id: 'c' }), row('git push', { id: 'd' })];
    const plan = planRedact(rows, rules);
    expect(plan.redact.map((r) => r.before.id)).toEqual(['b']);
    expect(plan.forget.map((r) => r.id)).toEqual(['c']);
  });

  it('redacts the commands whose outputs hold a secret, whatever their text', () => {
    const rows = [row('ls', { id: 'a' }), row('gh auth token', { id: 'b' }), row('vault login', { id: 'c' })];
    const plan = planRedact(rows, rules, new Set(['b', 'c']));
    expect(plan.redact.map((r) => [r.before.id, r.after.cmd])).toEqual([['b', 'gh auth token']]);
    expect(plan.forget.map((r) => r.id)).toEqual(['c']);
  });
});
