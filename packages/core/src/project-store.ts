/**
 * Finding a project's store: a `.bird/` folder at the root of a repository or a service's folder,
 * holding a BIRD store that CI (or a teammate) recorded into. Reads start from the folder a
 * command runs in and walk up; what they find was written by someone else, so the walk follows
 * no symlink and checks the store's shape before anything reads it.
 */
import { closeSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { birdLayout, type BirdLayout } from './paths.ts';
import { parseConfig, type StorageMode } from './config.ts';
import { sha256 } from './sha256.ts';
import { BirdError } from './errors.ts';

/** The folder a project keeps its store in, at the project's root. */
export const PROJECT_STORE_DIR = '.bird';

export type ProjectStore =
  | { readonly found: true; readonly layout: BirdLayout; readonly mode: StorageMode }
  /** A `.bird/` that is not a store bird will read: a symlink, a file, a store of neither shape. */
  | { readonly found: false; readonly refused: string };

const kindAt = (path: string): 'dir' | 'file' | 'link' | null => {
  try {
    const s = lstatSync(path);
    return s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null; // nothing there, or nothing this user may look at: no project store
  }
};

const realOrSelf = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path); // a path that does not resolve (a dangling link) is compared as written
  }
};

/**
 * The folders a walk up from `start` looks in: `start` and each parent, up to the filesystem's
 * root, or up to `home` itself when `start` is inside it (a `.bird/` above the home folder
 * belongs to no project of this user's).
 */
export function projectSearchPath(start: string, home: string | undefined): string[] {
  const out: string[] = [];
  const homeDir = home ? resolve(home) : undefined;
  const inHome = homeDir !== undefined && (start === homeDir || start.startsWith(`${homeDir}/`));
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    out.push(dir);
    if ((inHome && dir === homeDir) || dirname(dir) === dir) return out;
  }
}

/**
 * The project store for a command run in `cwd`: the first `.bird/` on the walk up, or null when
 * there is none. `ownRoot` (the user's own store) is never its own project. A `.bird/` that is
 * a symlink (it could point anywhere on the disk), not a folder, or holds no store in either
 * shape (`db/bird.duckdb`, or `db/data/local/`) is refused, with why.
 */
export function findProjectStore(cwd: string, ownRoot: string, home: string | undefined = process.env.HOME): ProjectStore | null {
  const own = realOrSelf(ownRoot);
  for (const dir of projectSearchPath(cwd, home)) {
    const root = join(dir, PROJECT_STORE_DIR);
    const kind = kindAt(root);
    if (kind === null) continue;
    if (realOrSelf(root) === own) return null;
    if (kind === 'link') return { found: false, refused: `${root} is a symbolic link; a project's store must be a folder inside the project` };
    if (kind !== 'dir') return { found: false, refused: `${root} is not a folder` };
    const layout = birdLayout(root);
    for (const part of [layout.dbDir, layout.dataDir, layout.localData]) {
      if (kindAt(part) === 'link') return { found: false, refused: `${part} is a symbolic link; a project's store must be a folder inside the project` };
    }
    const mode = modeOf(layout);
    if (typeof mode !== 'string') return { found: false, refused: `${root}: ${mode.refused}` };
    if (mode === 'parquet' ? kindAt(layout.localData) === 'dir' : kindAt(layout.catalog) === 'file') return { found: true, layout, mode };
    return { found: false, refused: `${root} holds no BIRD store in ${mode} mode (no ${mode === 'parquet' ? 'db/data/local/ folder' : 'db/bird.duckdb file'})` };
  }
  return null;
}

/** The project store of `cwd`, for a command asked to read one (`--project`): a BirdError saying why there is none. */
export function requireProjectStore(cwd: string, ownRoot: string, home: string | undefined): Extract<ProjectStore, { found: true }> {
  const found = findProjectStore(cwd, ownRoot, home);
  if (found === null) throw new BirdError(`there is no project store here (no .bird/ in ${cwd} or a folder above it); run it in a project's folder, or without --project.`);
  if (!found.found) throw new BirdError(`${found.refused}; the project store was not read.`);
  return found;
}

/** A config.toml larger than this is not one bird wrote. */
const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * The text of a project store's config.toml, read as text (never through loadConfig, which keeps a
 * parsed copy beside it: a read must write nothing into someone else's store), bounded; or why not.
 */
export function projectConfigText(layout: BirdLayout): string | { refused: string } {
  if (kindAt(layout.config) !== 'file') return { refused: 'it has no config.toml file' };
  try {
    const fd = openSync(layout.config, 'r');
    try {
      const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      if (n > MAX_CONFIG_BYTES) return { refused: `its config.toml is larger than ${MAX_CONFIG_BYTES / 1024} KiB` };
      return buffer.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { refused: `its config.toml cannot be read (${(error as Error).message.split('\n')[0]})` };
  }
}

/** The store's mode, from its config.toml. */
function modeOf(layout: BirdLayout): StorageMode | { refused: string } {
  const text = projectConfigText(layout);
  if (typeof text !== 'string') return text;
  try {
    return parseConfig(text, layout.config).storage.mode;
  } catch (error) {
    return { refused: `its config.toml cannot be read (${(error as Error).message.split('\n')[0]})` };
  }
}

/**
 * Where `bird pull --project` keeps what it pulled from a project's lake: a store of its own
 * under the USER's root, named by a hash of the project store's real path. Not in the project's
 * `.bird/`: a read never writes into a repository, and what one user pulled is not committed by
 * them nor seen as changed by git. By the real path: two clones of one repository are two
 * projects (each has its own `.bird/config.toml` to trust), and a symlinked way in is the same one.
 */
export function projectCacheLayout(own: BirdLayout, project: BirdLayout): BirdLayout {
  return birdLayout(join(own.projectCaches, projectCacheKey(projectRealPath(project))));
}

/** The name of a project's cache folder: 24 hex digits of the SHA-256 of the project store's real path. */
export function projectCacheKey(realPath: string): string {
  return Buffer.from(sha256(realPath)).toString('hex').slice(0, 24);
}

/** The path a project store's cache is named by: its real path (as written, when it does not resolve). */
export function projectRealPath(project: BirdLayout): string {
  return realOrSelf(project.root);
}

/**
 * Whether the folder `root`, by that exact path (no walk up, no symlink followed), still holds a
 * store of either shape: what decides that a project's cache has lost its project. A store whose
 * config.toml is broken for now still holds one; only a store that is gone loses its cache.
 */
export function projectStorePresent(root: string): boolean {
  if (kindAt(root) !== 'dir') return false;
  const layout = birdLayout(root);
  return kindAt(layout.catalog) === 'file' || kindAt(layout.localData) === 'dir';
}
