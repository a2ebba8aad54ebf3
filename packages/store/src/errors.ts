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

/**
 * A remote that could not be attached on a connection. For an auto-attach remote it is a
 * warning (the connection goes on without it); for one asked for by name it fails the connect.
 */
export class RemoteAttachError extends BirdError {
  readonly remote: string;
  constructor(remote: string, reason: string, options: { cause?: unknown } = {}) {
    super(`remote ${remote} not attached: ${reason}`, { exitCode: 1, cause: options.cause });
    this.name = 'RemoteAttachError';
    this.remote = remote;
  }
}

/** A remote asked for by name (`bird sql --attach NAME`) that config.toml does not have. */
export class UnknownRemoteError extends BirdError {
  readonly remote: string;
  constructor(remote: string) {
    super(`there is no remote named ${JSON.stringify(remote)} to attach; \`bird remote list\` shows the configured ones.`, { exitCode: 2 });
    this.name = 'UnknownRemoteError';
    this.remote = remote;
  }
}

/**
 * A query named `remote_<name>` of a configured remote that this connection has not attached:
 * one kept for on-demand use (`auto_attach = false`), or one whose attach failed.
 */
export class RemoteNotAttachedError extends BirdError {
  readonly remote: string;
  constructor(remote: string, why: 'on-demand' | RemoteAttachError, options: { cause?: unknown } = {}) {
    super(
      why === 'on-demand'
        ? `remote ${remote} is not attached (auto_attach = false in config.toml); run the query with \`bird sql --attach ${remote}\`.`
        : `${why.message.replace(/\.$/, '')}, so the query cannot read it.`,
      { exitCode: 1, cause: options.cause },
    );
    this.name = 'RemoteNotAttachedError';
    this.remote = remote;
  }
}
