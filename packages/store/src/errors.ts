import { BirdError } from '@bird/core';

/** The catalog stayed locked by another process for longer than the bounded wait. */
export class StoreBusyError extends BirdError {
  constructor(catalog: string, waitedMs: number, options: { cause?: unknown } = {}) {
    super(
      `the BIRD catalog ${catalog} is held by another bird process (waited ${(waitedMs / 1000).toFixed(1)} s); wait for it to finish and try again.`,
      { exitCode: 75, cause: options.cause },
    );
    this.name = 'StoreBusyError';
  }
}

/** `bird init --mode X` on a store that already exists in another mode. */
export class StoreModeError extends BirdError {
  readonly existingMode: string;
  constructor(root: string, existingMode: string) {
    super(
      `the BIRD store at ${root} already exists in ${existingMode} mode; run \`bird init --mode ${existingMode}\` (or leave out --mode) to keep using it.`,
      { exitCode: 2 },
    );
    this.name = 'StoreModeError';
    this.existingMode = existingMode;
  }
}

/** A query DuckDB refused; `message` is DuckDB's own message on one line. */
export class SqlError extends BirdError {
  constructor(duckdbMessage: string, options: { cause?: unknown } = {}) {
    super(`SQL error: ${oneSentence(duckdbMessage)}`, { exitCode: 1, cause: options.cause });
    this.name = 'SqlError';
  }
}

/** DuckDB messages span lines (a `LINE 1: …` excerpt with a caret); keep the message itself on one line. */
export function oneSentence(message: string): string {
  const withoutExcerpt = message.split(/\n\s*LINE \d+:/)[0] ?? message;
  const text = withoutExcerpt.replace(/\s+/g, ' ').trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
