import { parseRemoteUri } from '../remote-uri.ts';

export interface FileRemoteConfig {
  /** The folder that holds the lake. */
  readonly root: string;
}

/** Folder of a file remote (remote-uri's reading: a path, `~/…`, a `file://` URL, or relative to `cwd`). */
export function fileRemoteRoot(uri: string, cwd = process.cwd()): string {
  const parsed = parseRemoteUri('file', uri, { cwd });
  if (parsed.type !== 'file') throw new Error('unreachable: a file uri parsed as another type');
  return parsed.root;
}
