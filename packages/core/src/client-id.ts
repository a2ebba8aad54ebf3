import { hostname, userInfo } from 'node:os';

/** The short host name, as `hostname -s` prints it. */
export function shortHostname(): string {
  return hostname().split('.')[0] || 'localhost';
}

/** Who wrote a record: `BIRD_CLIENT_ID`, else the config's `client_id`, else `$USER@host`. */
export function resolveClientId(env: NodeJS.ProcessEnv, configured?: string): string {
  if (env.BIRD_CLIENT_ID) return env.BIRD_CLIENT_ID;
  if (configured) return configured;
  let user = env.USER || env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${shortHostname()}`;
}
