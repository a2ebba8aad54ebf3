/**
 * What commands printed, as text SQL can search: TEMPORARY macros made on each connection (like
 * `remotes_<table>()`), since they name the blob folders by absolute path.
 *
 *  - `output_text(storage_type, storage_ref, content_hash)`: an outputs row's text; an inline
 *    row's is its `storage_ref`, a blob's is read from the blob file of its hash.
 *  - `invocations_with_output()`: main.invocations joined to main.outputs, one row per command
 *    and stream, with `stream` and `output` (the text).
 *  - `remotes_invocations_with_output()`: the same over every attached remote read live
 *    (`remotes_invocations()` joined to `remotes_outputs()` of the same `_source`).
 *  - `blob_texts()`: (content_hash, text) of every blob readable here.
 *
 * DuckDB has no gunzip function and its read_text does not decompress, but read_csv reads gzip
 * files: each blob is read as lines of one column (no delimiter, no quotes; a line that is not
 * UTF-8 is skipped), and its lines are joined again with `\n` in file order. So the text is the
 * blob's text for a search (`LIKE`, `regexp_matches`), not its exact bytes: a carriage return
 * ends a line, and binary output reads as little or nothing (`bird output --raw` has the bytes).
 * Every query reads every blob (~1.8 s for 1,000 blobs of 20 KB, measured), so the inline rows,
 * under 4 KiB each, are the fast case.
 *
 * Blobs are looked for in this store's `db/blobs` (which holds pulled teammates' blobs too: a
 * pull fetches them with their rows) and in the `blobs/` area of every attached remote read live:
 * a folder lake's own, and an S3 remote's mirror, where its blobs are fetched (checked against
 * their hash) before a query that reads its output text runs (`readsOutputText`, and
 * remote/live-blobs.ts). read_csv fails on a pattern that matches no file, so only folders found
 * to hold a blob are named; none gives an empty `blob_texts()`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GLOB_CHARS, quoteLiteral, type BirdLayout } from '@bird/core';

/** Options that make read_csv read a gzip file as its lines, whatever they hold. */
const LINES = `compression = 'gzip', columns = {'line': 'VARCHAR'}, delim = '\\0', quote = '', escape = '', header = false, auto_detect = false, new_line = '\\n', filename = true, ignore_errors = true, strict_mode = false, max_line_size = 268435456`;
const HASH_OF_FILE = `regexp_extract(filename, '([0-9a-f]{64})\\.gz$', 1)`;

/** True when `dir`, `depth` folder levels down, holds a `.gz` file: the first one found ends the look. */
function holdsBlob(dir: string, depth: number): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // no such folder (no blob was ever stored there), or not one
    return false;
  }
  if (depth === 0) return names.some((n) => n.endsWith('.gz'));
  return names.some((n) => holdsBlob(join(dir, n), depth - 1));
}

/**
 * The glob patterns of the blob files readable here, first this store's (preferred when a hash
 * is in several: its blobs were checked against their hash when stored), then each folder lake's.
 */
export function blobGlobs(layout: BirdLayout, lakeRoots: readonly string[]): string[] {
  const globs: string[] = [];
  if (holdsBlob(layout.blobs, 1)) globs.push(join(layout.blobs, '*', '*.gz'));
  for (const root of lakeRoots) if (holdsBlob(join(root, 'blobs'), 2)) globs.push(join(root, 'blobs', '*', '*', '*.gz'));
  return globs.filter((g) => !GLOB_CHARS.test(g.replaceAll('*', '')));
}

/** The SQL of `blob_texts()` over these patterns (pure). */
export function blobTextsSelect(globs: readonly string[]): string {
  if (globs.length === 0) return `SELECT CAST(NULL AS VARCHAR) AS content_hash, CAST(NULL AS VARCHAR) AS text WHERE false`;
  const each = globs.map(
    (glob, rank) => `SELECT ${HASH_OF_FILE} AS content_hash, string_agg(coalesce(line, ''), chr(10) ORDER BY n) AS text, ${rank} AS rank
      FROM (SELECT line, filename, row_number() OVER () AS n FROM read_csv(${quoteLiteral(glob)}, ${LINES})) GROUP BY filename`,
  );
  return `SELECT content_hash, arg_min(text, rank) AS text FROM (${each.join(' UNION ALL ')}) WHERE content_hash <> '' GROUP BY content_hash`;
}

/** A query that names the text of outputs (a word of the macros below), whose blobs must be at hand first. */
const NAMES_OUTPUT_TEXT = /(?<![\w$])(?:output_text|blob_texts|(?:remotes_)?invocations_with_output)(?![\w$])/i;

/**
 * True when `sql` may read the text of outputs: it names `output_text`, `blob_texts` or an
 * `…invocations_with_output` macro. Judged from the text alone, like remotesNamedIn: a name
 * in a string or comment counts too (a fetch for nothing costs time; one missing, a wrong
 * answer), and a query that names none of them never fetches a blob.
 *
 * @example readsOutputText("SELECT cmd FROM invocations_with_output() WHERE output LIKE '%x%'") // true
 * @example readsOutputText('SELECT 1') // false
 */
export function readsOutputText(sql: string): boolean {
  return NAMES_OUTPUT_TEXT.test(sql);
}

/** The TEMPORARY macros of the text of outputs, over these blob patterns. */
export function outputTextMacroDdl(globs: readonly string[]): string[] {
  return [
    `CREATE OR REPLACE TEMPORARY MACRO blob_texts() AS TABLE ${blobTextsSelect(globs)}`,
    `CREATE OR REPLACE TEMPORARY MACRO output_text(kind, ref, hash) AS CASE WHEN kind = 'inline' THEN ref WHEN kind = 'blob' THEN (SELECT b.text FROM blob_texts() b WHERE b.content_hash = hash) END`,
    `CREATE OR REPLACE TEMPORARY MACRO invocations_with_output() AS TABLE SELECT i.*, o.stream, output_text(o.storage_type, o.storage_ref, o.content_hash) AS output FROM main.invocations i JOIN main.outputs o ON o.invocation_id = i.id`,
    `CREATE OR REPLACE TEMPORARY MACRO remotes_invocations_with_output() AS TABLE SELECT i.*, o.stream, output_text(o.storage_type, o.storage_ref, o.content_hash) AS output FROM remotes_invocations() i JOIN remotes_outputs() o ON o.invocation_id = i.id AND o._source = i._source`,
  ];
}
