/**
 * Recognisable secrets that are replaced by `[REDACTED]` before a command is stored.
 * Every pattern carries an example it must redact and the text that must remain; a test
 * runs them all, so a pattern that silently stops matching fails the build.
 */
export interface SecretPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /** Produces the replacement for one match; keeps names and prefixes so the command stays readable. */
  readonly replace: (match: string, ...groups: string[]) => string;
  readonly example: string;
  readonly redacted: string;
}

export const REDACTED = '[REDACTED]';

// Names that say "this value is a secret" in an env assignment or a flag. `AUTH` but not
// `AUTHOR`, so `GIT_AUTHOR_NAME=…` stays readable.
const SECRET_NAME = String.raw`[A-Za-z0-9_]*(?:PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH(?!OR)|CREDENTIALS?)[A-Za-z0-9_]*`;
const SECRET_FLAG = String.raw`(?:[a-z0-9]+-)*(?:password|passwd|passphrase|token|secret|api-?key|access-?key|private-?key|auth-token|credentials?)`;
const VALUE = String.raw`(?:"[^"]*"|'[^']*'|[^\s'";|&]+)`;

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'env assignment of a secret-named variable',
    pattern: new RegExp(String.raw`(^|[\s;&|(])((?:export\s+)?${SECRET_NAME}=)(${VALUE})`, 'gi'),
    replace: (_m, lead, name) => `${lead}${name}${REDACTED}`,
    example: 'GITHUB_TOKEN=abc123 gh pr list',
    redacted: `GITHUB_TOKEN=${REDACTED} gh pr list`,
  },
  {
    // fish has no NAME=value export: `set -x NAME value`, `set -gx`, `set --export --global`, …
    name: 'fish set of a secret-named variable',
    pattern: new RegExp(String.raw`(^|[\s;&|(])(set(?:\s+-[A-Za-z]+|\s+--[a-z]+)*\s+${SECRET_NAME}\s+)(${VALUE}(?:\s+${VALUE})*)`, 'gi'),
    replace: (_m, lead, head) => `${lead}${head}${REDACTED}`,
    example: 'set -gx AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI/K7MDENG; aws s3 ls',
    redacted: `set -gx AWS_SECRET_ACCESS_KEY ${REDACTED}; aws s3 ls`,
  },
  {
    name: 'secret-named flag with a value',
    // After a space, a word starting with `-` is the next flag, not a value (`--no-password -h db`).
    pattern: new RegExp(String.raw`(--${SECRET_FLAG})(=|\s+(?!-))(${VALUE})`, 'gi'),
    replace: (_m, flag, sep) => `${flag}${sep}${REDACTED}`,
    example: 'mysql --password=hunter2 -u root',
    redacted: `mysql --password=${REDACTED} -u root`,
  },
  {
    name: 'HTTP bearer token',
    pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
    example: 'curl -H "Authorization: Bearer eyabc.def-123_456" https://api.example.com',
    redacted: `curl -H "Authorization: Bearer ${REDACTED}" https://api.example.com`,
  },
  {
    name: 'password in a URL',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}@`,
    example: 'psql postgres://app:s3cret@db.internal/app',
    redacted: `psql postgres://app:${REDACTED}@db.internal/app`,
  },
  {
    name: 'GitHub token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g,
    replace: () => REDACTED,
    example: 'git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r',
    redacted: `git clone https://${REDACTED}@github.com/o/r`,
  },
  {
    name: 'AWS access key id',
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    replace: () => REDACTED,
    example: 'aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE',
    redacted: `aws configure set aws_access_key_id ${REDACTED}`,
  },
  {
    name: 'Slack token',
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
    replace: () => REDACTED,
    example: 'slack-cli send xoxb-123456789012-abcdefghijkl',
    redacted: `slack-cli send ${REDACTED}`,
  },
  {
    name: 'Stripe or OpenAI style secret key',
    pattern: /\b(?:sk|rk)[-_](?:live_|test_|proj-)?[A-Za-z0-9_-]{20,}\b/g,
    replace: () => REDACTED,
    example: 'stripe charges list --api sk_live_abcdefghijklmnopqrstuvwx',
    redacted: `stripe charges list --api ${REDACTED}`,
  },
  {
    name: 'JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g,
    replace: () => REDACTED,
    example: 'echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop | jwt decode',
    redacted: `echo ${REDACTED} | jwt decode`,
  },
];

/** Replaces every recognisable secret in `cmd`. */
export function redactSecrets(cmd: string): string {
  let out = cmd;
  for (const { pattern, replace } of SECRET_PATTERNS) {
    out = out.replace(pattern, replace as (substring: string, ...args: string[]) => string);
  }
  return out;
}
