import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FileRemoteConfig {
  /** The folder that holds the lake. */
  readonly root: string;
}

/** Directory of a file remote: a plain path, `~/…`, or a `file://` URL. */
export function fileRemoteRoot(uri: string): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('~/')) return join(process.env.HOME ?? '', uri.slice(2));
  return isAbsolute(uri) ? uri : resolve(uri);
}
