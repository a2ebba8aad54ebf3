/** What `bird init --client-id NEW` tells of the change, given config.toml's id before it (if any). */
export function clientIdChange(before: string | undefined, after: string): string {
  if (before === after) return `client id: ${after} (unchanged).`;
  if (before === undefined) return `client id: ${after}, now in config.toml.`;
  return `client id: ${before} → ${after}; rows captured before keep ${before} and stay in its series.`;
}
