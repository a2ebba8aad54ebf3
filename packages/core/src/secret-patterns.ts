/**
 * Recognisable secrets that are replaced by `[REDACTED]` before a command is stored.
 * Every pattern carries an example it must redact and the text that must remain; a test
 * runs them all, so a pattern that silently stops matching fails the build.
 */
export interface SecretPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /**
   * Lower-case texts of which every match contains at least one (a literal the pattern
   * requires). A command containing none is not run through the pattern: compiling ~30
   * regular expressions cost every capture ~1 ms of its ~8 ms (bench/capture-start.md).
   */
  readonly needles: readonly string[];
  /** Produces the replacement for one match; keeps names and prefixes so the command stays readable. */
  readonly replace: (match: string, ...groups: string[]) => string;
  readonly example: string;
  readonly redacted: string;
}

export const REDACTED = '[REDACTED]';

// Names that say "this value is a secret" in an env assignment or a flag. `AUTH` but not
// `AUTHOR`, so `GIT_AUTHOR_NAME=…` stays readable.
const SECRET_NAME = String.raw`[A-Za-z0-9_]*(?:PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH(?!OR)|CREDENTIALS?)[A-Za-z0-9_]*`;
const SECRET_FLAG = String.raw`(?:[a-z0-9]+-)*(?:password|passwd|pass|passphrase|token|secret|api-?key|access-?key|private-?key|auth-token|credentials?)`;
/** Lower-case words of which every SECRET_NAME contains one. */
const SECRET_NAME_NEEDLES = ['pass', 'token', 'secret', 'key', 'auth', 'credential'];
const VALUE = String.raw`(?:"[^"]*"|'[^']*'|[^\s'";|&]+)`;

// The rest of a simple command: up to the next `|`, `;` or `&` (a flag of a later command in a
// pipeline is not this program's).
const SAME_COMMAND = String.raw`[^|;&\n]*?`;

/** A short flag that takes a password as its value, of the programs named (`-p` of mysql, `-a` of redis-cli…). */
function shortPasswordFlag(programs: string, flag: string, attached: 'attached' | 'separate' | 'either'): RegExp {
  const sep = attached === 'attached' ? '' : attached === 'separate' ? String.raw`\s+(?!-)` : String.raw`\s*(?!-)`;
  return new RegExp(String.raw`(\b(?:${programs})\b${SAME_COMMAND}\s${flag}${sep})(${VALUE})`, 'g');
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'env assignment of a secret-named variable',
    needles: SECRET_NAME_NEEDLES,
    pattern: new RegExp(String.raw`(^|[\s;&|(])((?:export\s+)?${SECRET_NAME}=)(${VALUE})`, 'gi'),
    replace: (_m, lead, name) => `${lead}${name}${REDACTED}`,
    example: 'GITHUB_TOKEN=abc123 gh pr list',
    redacted: `GITHUB_TOKEN=${REDACTED} gh pr list`,
  },
  {
    // fish has no NAME=value export: `set -x NAME value`, `set -gx`, `set --export --global`, …
    name: 'fish set of a secret-named variable',
    needles: SECRET_NAME_NEEDLES,
    pattern: new RegExp(String.raw`(^|[\s;&|(])(set(?:\s+-[A-Za-z]+|\s+--[a-z]+)*\s+${SECRET_NAME}\s+)(${VALUE}(?:\s+${VALUE})*)`, 'gi'),
    replace: (_m, lead, head) => `${lead}${head}${REDACTED}`,
    example: 'set -gx AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI/K7MDENG; aws s3 ls',
    redacted: `set -gx AWS_SECRET_ACCESS_KEY ${REDACTED}; aws s3 ls`,
  },
  {
    name: 'secret-named flag with a value',
    needles: ['pass', 'token', 'secret', 'key', 'credential'],
    // After a space, a word starting with `-` is the next flag, not a value (`--no-password -h db`).
    pattern: new RegExp(String.raw`(--${SECRET_FLAG})(=|\s+(?!-))(${VALUE})`, 'gi'),
    replace: (_m, flag, sep) => `${flag}${sep}${REDACTED}`,
    example: 'mysql --password=hunter2 -u root',
    redacted: `mysql --password=${REDACTED} -u root`,
  },
  {
    // `-p` glued to its value; `-p` alone prompts, and `-P3306` is the port.
    name: 'mysql-family -p<password>',
    needles: ['mysql', 'mariadb'],
    pattern: shortPasswordFlag('mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb|mariadb-dump', '-p', 'attached'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'mysql -u root -phunter2 shop',
    redacted: `mysql -u root -p${REDACTED} shop`,
  },
  {
    name: 'sshpass -p',
    needles: ['sshpass'],
    pattern: shortPasswordFlag('sshpass', '-p', 'either'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'sshpass -p hunter2 ssh deploy@web1',
    redacted: `sshpass -p ${REDACTED} ssh deploy@web1`,
  },
  {
    name: 'redis-cli -a',
    needles: ['-cli'],
    pattern: shortPasswordFlag('redis-cli|valkey-cli|keydb-cli', '-a', 'separate'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'redis-cli -h cache -a hunter2 ping',
    redacted: `redis-cli -h cache -a ${REDACTED} ping`,
  },
  {
    name: 'mongo shell -p',
    needles: ['mongo'],
    pattern: shortPasswordFlag('mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport', '-p', 'separate'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'mongosh -u admin -p hunter2 db1',
    redacted: `mongosh -u admin -p ${REDACTED} db1`,
  },
  {
    name: 'registry login -p',
    needles: ['login'],
    pattern: new RegExp(String.raw`(\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oras)\b${SAME_COMMAND}\blogin\b${SAME_COMMAND}\s-p\s*(?!-))(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'docker login -u ci -p hunter2 registry.example.com',
    redacted: `docker login -u ci -p ${REDACTED} registry.example.com`,
  },
  {
    // htpasswd -b takes the password on the command line, after the file and the user.
    name: 'htpasswd -b',
    needles: ['htpasswd'],
    pattern: new RegExp(String.raw`(\bhtpasswd\s+(?:-[A-Za-z]+\s+)*-[A-Za-z]*b[A-Za-z]*\s+(?:-[A-Za-z]+\s+)*\S+\s+\S+\s+)(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'htpasswd -b .htpasswd alice hunter2',
    redacted: `htpasswd -b .htpasswd alice ${REDACTED}`,
  },
  {
    // Only for HTTP/FTP clients: rsync's -u, for one, is a flag followed by host:path.
    name: 'user:password after -u or --user',
    needles: ['curl', 'wget', 'xh', 'http', 'lftp', 'aria2c'],
    pattern: new RegExp(String.raw`(\b(?:curl|wget|xh|https?|lftp|aria2c)\b${SAME_COMMAND}\s(?:-u|-U|--user|--proxy-user|-a|--auth)(?:\s+|=)['"]?[^\s:'"]+:)([^\s'"@]+)`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'curl -u alice:hunter2 https://api.example.com',
    redacted: `curl -u alice:${REDACTED} https://api.example.com`,
  },
  {
    name: 'smbclient -U user%password',
    needles: ['%'],
    pattern: new RegExp(String.raw`((?:^|\s)(?:-U|--user)(?:\s+|=)['"]?[^\s%'"]+%)([^\s'"]+)`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'smbclient //nas/share -U alice%hunter2',
    redacted: `smbclient //nas/share -U alice%${REDACTED}`,
  },
  {
    name: 'openssl pass:<password>',
    needles: ['pass:'],
    pattern: new RegExp(String.raw`(-pass(?:in|out)?\s+pass:)(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'openssl pkcs12 -export -in c.pem -passout pass:hunter2 -out c.p12',
    redacted: `openssl pkcs12 -export -in c.pem -passout pass:${REDACTED} -out c.p12`,
  },
  {
    name: 'HTTP basic credentials',
    needles: ['basic'],
    pattern: /\b(Basic\s+)[A-Za-z0-9+/]{8,}={0,2}/g,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
    example: 'curl -H "Authorization: Basic YWxpY2U6aHVudGVyMg==" https://api.example.com',
    redacted: `curl -H "Authorization: Basic ${REDACTED}" https://api.example.com`,
  },
  {
    name: 'connection-string key',
    needles: ['key=', 'password=', 'pwd='],
    pattern: /\b((?:AccountKey|SharedAccessKey|Password|Pwd)=)([^;\s'"]+)/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'az storage blob list --connection-string "AccountName=a;AccountKey=abc123==;EndpointSuffix=core.windows.net"',
    redacted: `az storage blob list --connection-string "AccountName=a;AccountKey=${REDACTED};EndpointSuffix=core.windows.net"`,
  },
  {
    name: 'private key block',
    needles: ['-----begin '],
    pattern: /-----BEGIN ((?:[A-Z]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: () => REDACTED,
    example: "printf '%s' '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----' > id",
    redacted: `printf '%s' '${REDACTED}' > id`,
  },
  {
    name: 'HTTP bearer token',
    needles: ['bearer'],
    pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
    example: 'curl -H "Authorization: Bearer eyabc.def-123_456" https://api.example.com',
    redacted: `curl -H "Authorization: Bearer ${REDACTED}" https://api.example.com`,
  },
  {
    name: 'password in a URL',
    needles: ['://'],
    // The scheme starts only where a run of scheme characters starts: with `\b` every position
    // inside a long word was a start, and a 6 KB command took 7 ms.
    pattern: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}@`,
    example: 'psql postgres://app:s3cret@db.internal/app',
    redacted: `psql postgres://app:${REDACTED}@db.internal/app`,
  },
  {
    name: 'GitHub token',
    needles: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g,
    replace: () => REDACTED,
    example: 'git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r',
    redacted: `git clone https://${REDACTED}@github.com/o/r`,
  },
  {
    name: 'AWS access key id',
    needles: ['akia', 'asia'],
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    replace: () => REDACTED,
    example: 'aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE',
    redacted: `aws configure set aws_access_key_id ${REDACTED}`,
  },
  {
    name: 'Slack token',
    needles: ['xox'],
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
    replace: () => REDACTED,
    example: 'slack-cli send xoxb-123456789012-abcdefghijkl',
    redacted: `slack-cli send ${REDACTED}`,
  },
  {
    name: 'Stripe or OpenAI style secret key',
    needles: ['sk-', 'sk_', 'rk-', 'rk_'],
    pattern: /\b(?:sk|rk)[-_](?:live_|test_|proj-)?[A-Za-z0-9_-]{20,}\b/g,
    replace: () => REDACTED,
    example: 'stripe charges list --api sk_live_abcdefghijklmnopqrstuvwx',
    redacted: `stripe charges list --api ${REDACTED}`,
  },
  {
    name: 'GitLab token',
    needles: ['gl'],
    pattern: /\bgl(?:pat|dt|rt|ptt|cbt|oas|soat|ffct)-[A-Za-z0-9_-]{20,}/g,
    replace: () => REDACTED,
    example: 'glab auth login --stdin <<< glpat-abcdefghijklmnopqrst',
    redacted: `glab auth login --stdin <<< ${REDACTED}`,
  },
  {
    name: 'npm token',
    needles: ['npm_'],
    pattern: /\bnpm_[A-Za-z0-9]{36}\b/g,
    replace: () => REDACTED,
    example: 'npm config set //registry.npmjs.org/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789',
    redacted: `npm config set //registry.npmjs.org/:_authToken ${REDACTED}`,
  },
  {
    name: 'PyPI token',
    needles: ['pypi-'],
    pattern: /\bpypi-AgE[A-Za-z0-9_-]{40,}/g,
    replace: () => REDACTED,
    example: `twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmc${'x'.repeat(40)} dist/*`,
    redacted: `twine upload -u __token__ -p ${REDACTED} dist/*`,
  },
  {
    name: 'Google API key',
    needles: ['aiza'],
    pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g,
    replace: () => REDACTED,
    example: 'curl "https://maps.googleapis.com/maps/api/geocode/json?key=AIzaSyA1234567890abcdefghijklmnopqrstuv"',
    redacted: `curl "https://maps.googleapis.com/maps/api/geocode/json?key=${REDACTED}"`,
  },
  {
    name: 'Slack or Discord webhook',
    needles: ['https://'],
    pattern: /\bhttps:\/\/(?:hooks\.slack\.com\/(?:services|workflows|triggers)|(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks)\/[A-Za-z0-9/_-]{16,}/g,
    replace: () => REDACTED,
    example: 'curl -d @msg.json https://hooks.slack.com/services/T00000000/B00000000/abcdefghijklmnopqrstuvwx',
    redacted: `curl -d @msg.json ${REDACTED}`,
  },
  {
    name: 'Hugging Face token',
    needles: ['hf_'],
    pattern: /\bhf_[A-Za-z0-9]{30,}\b/g,
    replace: () => REDACTED,
    example: 'huggingface-cli login --token hf_abcdefghijklmnopqrstuvwxyz0123',
    redacted: `huggingface-cli login --token ${REDACTED}`,
  },
  {
    name: 'SendGrid key',
    needles: ['sg.'],
    pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g,
    replace: () => REDACTED,
    example: `echo SG.abcdefghijklmnopqrstuv.${'a'.repeat(43)} | sendgrid-cli`,
    redacted: `echo ${REDACTED} | sendgrid-cli`,
  },
  {
    name: 'DigitalOcean, Shopify or Linear token',
    needles: ['_v1_', 'shp', 'lin_api_'],
    pattern: /\b(?:do[opr]_v1_[a-f0-9]{64}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|lin_api_[A-Za-z0-9]{40})\b/g,
    replace: () => REDACTED,
    example: `doctl auth init -t dop_v1_${'0a'.repeat(32)}`,
    redacted: `doctl auth init -t ${REDACTED}`,
  },
  {
    name: 'JSON Web Token',
    needles: ['eyj'],
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g,
    replace: () => REDACTED,
    example: 'echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop | jwt decode',
    redacted: `echo ${REDACTED} | jwt decode`,
  },
];

/** Replaces every recognisable secret in `cmd`. */
export function redactSecrets(cmd: string): string {
  let out = cmd;
  // Lower-casing can only add ASCII letters (`K` → `k`), never remove a literal a match needs,
  // so a miss here is a sure miss of the pattern. Lower-cased again only after a replacement
  // changed the text (it may have removed a needle); most commands hold no secret at all.
  let lower = cmd.toLowerCase();
  for (const { pattern, replace, needles } of SECRET_PATTERNS) {
    if (!containsAny(lower, needles)) continue;
    const replaced = out.replace(pattern, replace as (substring: string, ...args: string[]) => string);
    if (replaced !== out) {
      out = replaced;
      lower = out.toLowerCase();
    }
  }
  return out;
}

function containsAny(text: string, needles: readonly string[]): boolean {
  for (const needle of needles) if (text.includes(needle)) return true;
  return false;
}
