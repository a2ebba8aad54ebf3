/**
 * The lakes a project's `.bird/config.toml` names (`[[remotes]]`, as in the user's config.toml),
 * for `bird pull --project`. That file is text from a repository anyone may have written, so only
 * a name and a location are taken from it: an entry with any other key (credentials, an endpoint
 * to send the user's own credentials to, a mode, a command) is refused whole, in one sentence,
 * and the others are still taken. Checking the location is the remote package's (remote-uri.ts).
 */
import { parse } from 'smol-toml';
import { validateRemoteNameSyntax } from './remote-name.ts';

/** What a project's config.toml may say of a lake. `type`, when given, must agree with the uri. */
const TAKEN_KEYS = ['name', 'uri', 'type'] as const;

export interface ProjectLakeEntry {
  readonly name: string;
  readonly type: 'file' | 's3';
  readonly uri: string;
}

export function projectLakeEntries(text: string, where: string): { entries: ProjectLakeEntry[]; problems: string[] } {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch {
    // The parser's own message would quote the repository's text back: the sentence names the file.
    return { entries: [], problems: [`${where} is not valid TOML; no lake is taken from it.`] };
  }
  const raw = doc.remotes;
  if (raw === undefined) return { entries: [], problems: [] };
  if (!Array.isArray(raw)) return { entries: [], problems: [`${where}: remotes must be written as [[remotes]] tables; no lake is taken from it.`] };
  const entries: ProjectLakeEntry[] = [];
  const problems: string[] = [];
  raw.forEach((value: unknown, i) => {
    const problem = entryProblem(value);
    if (typeof problem === 'string') problems.push(`${where}: [[remotes]] entry #${i + 1} is not taken: ${problem}.`);
    else entries.push(problem);
  });
  return { entries, problems };
}

/** The entry, or what is wrong with it. */
function entryProblem(value: unknown): ProjectLakeEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a table';
  const entry = value as Record<string, unknown>;
  const other = Object.keys(entry).filter((key) => !(TAKEN_KEYS as readonly string[]).includes(key));
  if (other.length > 0) return `a project's config.toml may give a lake only a name and a uri, not ${other.map((k) => JSON.stringify(k)).join(', ')} (credentials, endpoints and the rest are yours to set)`;
  if (typeof entry.name !== 'string') return 'it has no name';
  try {
    validateRemoteNameSyntax(entry.name);
  } catch (error) {
    return (error as Error).message.replace(/\.$/, '');
  }
  if (typeof entry.uri !== 'string' || entry.uri === '') return `lake ${entry.name} has no uri`;
  const type = entry.uri.startsWith('s3://') ? 's3' : 'file';
  if (entry.type !== undefined && entry.type !== type) return `lake ${entry.name}: type ${JSON.stringify(entry.type)} does not match its uri`;
  return { name: entry.name, type, uri: entry.uri };
}
