import { hostname, userInfo } from 'node:os';

/** The short host name, as `hostname -s` prints it. */
export function shortHostname(): string {
  return hostname().split('.')[0] || 'localhost';
}

/** Where the client id in force came from: `BIRD_CLIENT_ID`, config.toml's `client_id`, or `$USER@host`. */
export type ClientIdOrigin = 'env' | 'config' | 'default';

export interface ResolvedClientId {
  readonly id: string;
  readonly origin: ClientIdOrigin;
}

/** `$USER@host`: the id a machine gets when nothing names one. */
export function defaultClientId(env: NodeJS.ProcessEnv): string {
  let user = env.USER || env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      // no passwd entry for this uid (containers): a fixed name still makes a valid id
      user = 'unknown';
    }
  }
  return `${user}@${shortHostname()}`;
}

/** Who wrote a record: `BIRD_CLIENT_ID`, else the config's `client_id`, else `$USER@host`. */
export function resolveClientId(env: NodeJS.ProcessEnv, configured?: string): string {
  return clientIdOf(env, configured).id;
}

/** The client id in force and where it came from (`bird doctor` shows both). */
export function clientIdOf(env: NodeJS.ProcessEnv, configured?: string): ResolvedClientId {
  if (env.BIRD_CLIENT_ID) return { id: env.BIRD_CLIENT_ID, origin: 'env' };
  if (configured) return { id: configured, origin: 'config' };
  return { id: defaultClientId(env), origin: 'default' };
}

/**
 * Why `id` cannot name a lake series, or null when it can. A client id becomes a folder name in
 * every lake (`client=<id>`) and in this machine's sync state, so it must be one plain path
 * segment that no glob reads as a pattern: not empty, not hidden, no `/` or `\`, no `* ? [ ] { }`,
 * no control character or space, at most 200 characters.
 */
export function clientIdProblem(id: string): string | null {
  if (id.length === 0) return 'it is empty';
  if (id.length > 200) return 'it is longer than 200 characters';
  if (id.startsWith('.')) return 'it starts with "."';
  // eslint-disable-next-line no-control-regex
  if (/[/\\*?[\]{}\s\u0000-\u001f\u007f-\u009f]/.test(id)) return 'it holds "/", "\\", a glob character (* ? [ ] { }), a space or a control character';
  return null;
}
