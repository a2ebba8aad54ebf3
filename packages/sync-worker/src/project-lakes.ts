/**
 * `bird pull --project`: the lakes the project store of the folder bird runs in names (its
 * `.bird/config.toml`, core's project-lake-entries.ts), pulled with the same pull as any remote's
 * (every check of a lake's input applies) into a store of their own under the user's root (core's
 * projectCacheLayout), which `project.*` then reads beside the project's files.
 */
import { isAbsolute } from 'node:path';
import {
  BirdError,
  ensureRoot,
  projectCacheLayout,
  projectConfigText,
  projectLakeEntries,
  recordProjectOfCache,
  requireProjectStore,
  tryLock,
  type Lock,
  type BirdConfig,
  type BirdLayout,
  type ProjectLakeEntry,
  type RemoteConfig,
} from '@bird/core';
import { parseRemoteUri, RemoteUriError } from '@bird/remote';

export interface ProjectPull {
  /** The store the project's lakes are pulled into. */
  readonly layout: BirdLayout;
  readonly config: BirdConfig;
  readonly remotes: RemoteConfig[];
  /** Entries of the project's config.toml not taken, one sentence each. */
  readonly problems: string[];
  /** Held until the pull is done (the caller releases it): compaction never removes a cache being pulled into. */
  readonly lock: Lock;
}

/** What `bird pull --project` run in `cwd` pulls, and where; a BirdError when there is nothing to pull. */
export function projectPull(own: BirdLayout, ownConfig: BirdConfig, cwd: string, env: NodeJS.ProcessEnv): ProjectPull {
  const found = requireProjectStore(cwd, own.root, env.HOME);
  const text = projectConfigText(found.layout);
  if (typeof text !== 'string') throw new BirdError(`the project store ${found.layout.root}: ${text.refused}.`);
  const { entries, problems } = projectLakeEntries(text, found.layout.config);
  const remotes: RemoteConfig[] = [];
  for (const entry of entries) {
    const remote = lakeRemote(entry, ownConfig);
    if (typeof remote === 'string') problems.push(`${found.layout.config}: lake ${entry.name} is not taken: ${remote}.`);
    else remotes.push(remote);
  }
  if (remotes.length === 0) {
    const why = problems.length > 0 ? problems.join(' ') : `the project store ${found.layout.root} names no lake (no [[remotes]] entry with a name and uri in its config.toml).`;
    throw new BirdError(why);
  }
  const layout = projectCacheLayout(own, found.layout);
  const lock = tryLock(layout.cachedProjectLock);
  if (!lock) throw new BirdError(`another \`bird pull --project\` of ${found.layout.root} is running (or \`bird compact\` is removing its cache); try again when it is done.`);
  try {
    // The user's identity and table choices: their own series is never pulled back (it is in their store).
    const config: BirdConfig = { ...ensureRoot(layout, 'parquet', env), client_id: ownConfig.client_id, sync: ownConfig.sync };
    // Which project it is, for compaction's sweep of caches whose project is gone.
    recordProjectOfCache(layout, found.layout);
    return { layout, config, remotes, problems, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * A project's lake as a read-only remote, or why it is not taken. A folder must be written whole
 * (a relative path or `~` would mean a different folder to each reader); an s3 lake is reached
 * with the endpoint and region of the user's own remote on the same bucket, if any (never ones
 * the repository names: the user's credentials would be sent there).
 */
function lakeRemote(entry: ProjectLakeEntry, ownConfig: BirdConfig): RemoteConfig | string {
  if (entry.type === 'file' && !entry.uri.startsWith('file://') && !isAbsolute(entry.uri)) return `its uri must be an absolute folder or a file:// URL, not ${JSON.stringify(entry.uri)}`;
  let parsed;
  try {
    parsed = parseRemoteUri(entry.type, entry.uri, { cwd: '/' });
  } catch (error) {
    if (error instanceof RemoteUriError) return error.message.replace(/\.$/, '');
    throw error;
  }
  const remote: RemoteConfig = { name: entry.name, type: entry.type, uri: parsed.canonical, mode: 'read_only', auto_attach: true };
  if (parsed.type !== 's3') return remote;
  const mine = ownConfig.remotes.find((r) => {
    if (r.type !== 's3') return false;
    try {
      const p = parseRemoteUri('s3', r.uri, { cwd: '/' });
      return p.type === 's3' && p.bucket === parsed.bucket;
    } catch {
      // a remote of the user's own that does not parse is not this bucket's (config warns of it)
      return false;
    }
  });
  if (mine?.endpoint !== undefined) remote.endpoint = mine.endpoint;
  if (mine?.region !== undefined) remote.region = mine.region;
  if (mine?.force_path_style !== undefined) remote.force_path_style = mine.force_path_style;
  return remote;
}
