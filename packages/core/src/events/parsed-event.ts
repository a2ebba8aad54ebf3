/**
 * What a parser finds in a command's output: a diagnostic (a compiler's error, a linter's warning)
 * or a test's result. The `events` row's columns (core's tables.ts) less those the store adds.
 */
export type EventKind = 'diagnostic' | 'test';
export const SEVERITIES = ['error', 'warning', 'note'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface ParsedEvent {
  readonly kind: EventKind;
  readonly severity: Severity | null;
  readonly ref_file: string | null;
  readonly ref_line: number | null;
  readonly ref_column: number | null;
  readonly message: string | null;
  readonly code: string | null;
  readonly test_name: string | null;
  readonly status: TestStatus | null;
  readonly duration_ms: number | null;
}

/** A message is one line of the output, and not a page of it. */
const MESSAGE_MAX_CHARS = 500;


/** A number read from the output, or null when it is none or too big to be a line. */
export function lineNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 && n <= 2 ** 31 - 1 ? n : null;
}

function clip(text: string | null | undefined): string | null {
  if (text === undefined || text === null || text === '') return null;
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return trimmed.length > MESSAGE_MAX_CHARS ? `${trimmed.slice(0, MESSAGE_MAX_CHARS - 1)}…` : trimmed;
}

const numberOf = (value: string | number | null | undefined): number | null => (typeof value === 'number' ? value : lineNumber(value ?? undefined));

export interface DiagnosticFields {
  readonly severity: Severity;
  readonly file?: string | null;
  readonly line?: string | number | null;
  readonly column?: string | number | null;
  readonly message?: string | null;
  readonly code?: string | null;
}

export function diagnostic(f: DiagnosticFields): ParsedEvent {
  // Every field written out, in one order: a parse makes thousands of these (bench/events-parse.md).
  return {
    kind: 'diagnostic',
    severity: f.severity,
    ref_file: clip(f.file),
    ref_line: numberOf(f.line),
    ref_column: numberOf(f.column),
    message: clip(f.message),
    code: clip(f.code),
    test_name: null,
    status: null,
    duration_ms: null,
  };
}

export interface TestFields {
  readonly name: string;
  readonly status: TestStatus;
  readonly durationMs?: number | null;
  readonly file?: string | null;
  readonly line?: string | number | null;
  readonly message?: string | null;
}

export function testResult(f: TestFields): ParsedEvent {
  return {
    kind: 'test',
    severity: null,
    ref_file: clip(f.file),
    ref_line: numberOf(f.line),
    ref_column: null,
    message: clip(f.message),
    code: null,
    test_name: clip(f.name),
    status: f.status,
    duration_ms: f.durationMs === undefined || f.durationMs === null || !Number.isFinite(f.durationMs) ? null : Math.round(f.durationMs),
  };
}

/** The words a severity is printed as, to the three stored. */
export function severityOf(word: string): Severity {
  const w = word.toLowerCase();
  if (w.includes('error') || w === 'fatal' || w === 'e') return 'error';
  if (w.startsWith('warn') || w === 'w') return 'warning';
  return 'note';
}
