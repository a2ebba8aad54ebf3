import { TOKEN_FORMATS } from './secret-token-formats.ts';

/**
 * Recognisable secrets that are replaced by `[REDACTED]` before a command is stored: these, by
 * what stands around them (a secret-named variable, flag, header…), and TOKEN_FORMATS by their
 * own shape. Every pattern carries an example it must redact and the text that must remain, and
 * a near miss it must leave alone; a test runs them all, so a pattern that silently stops
 * matching, or starts matching ordinary commands, fails the build.
 */
export interface SecretPattern {
  readonly name: string;
  /**
   * Made when a command holds one of the needles: creating the ~100 regular expressions of
   * these and TOKEN_FORMATS at load cost every capture ~0.4 ms (bench/capture-start.md).
   */
  readonly pattern: () => RegExp;
  /**
   * Lower-case texts of which every match contains at least one (a literal the pattern
   * requires). A command containing none is not run through the pattern: compiling ~30
   * regular expressions cost every capture ~1 ms of its ~8 ms (bench/capture-start.md).
   */
  readonly needles: readonly string[];
  /**
   * A lower-case text every match contains as well: a command without it skips the pattern even
   * when it holds a needle (`ssh-keygen` holds `key`, but no `=` for an assignment).
   */
  readonly requires?: string;
  /** Produces the replacement for one match; keeps names and prefixes so the command stays readable. */
  readonly replace: (match: string, ...groups: string[]) => string;
  readonly example: string;
  readonly redacted: string;
  /** An ordinary command close to the example that must be stored as typed. */
  readonly nearMiss: string;
}

export const REDACTED = '[REDACTED]';

// Names that say "this value is a secret", upper-cased (variables, query parameters, config
// keys, JSON fields): a secret word anywhere in the name (`AUTH` but not `AUTHOR`, so
// `GIT_AUTHOR_NAME=…` stays readable; `TOKEN` but not the counts and tokenizers of `MAX_TOKENS`,
// `TOKENIZERS_PARALLELISM`), or `KEY`, `PASS`, `PWD` as its last word (`AZURE_STORAGE_ACCOUNT_KEY`,
// `SMTP_PASS`; not `MONKEY`, `BYPASS`, nor the shell's own `PWD`). The patterns match any name and
// ask this: one small case-sensitive expression compiles in a fraction of the time the same
// words cost inside each pattern with the `i` flag (~0.5 ms on a command's first use).
const SECRET_NAME = /PASSWORD|PASSWD|PASSPHRASE|TOKEN(?!S(?![A-Z0-9])|IZ)|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH(?!OR)|CREDENTIALS?|CREDS|(?:^|_)(?:KEY|PASS)$|[A-Z0-9]_PWD$/;

/** Whether a variable, parameter, key or field named so holds a secret. */
function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toUpperCase());
}

/** Whether an HTTP header named so carries credentials (`Authorization`, `Cookie`, `X-Api-Key`, `PRIVATE-TOKEN`…). */
function isSecretHeader(name: string): boolean {
  const upper = name.toUpperCase();
  return /AUTHORIZATION|COOKIE|SESSION/.test(upper) || isSecretName(upper.replaceAll('-', '_'));
}

// Flags whose last word says their value is a secret (`--password`, `--github-token`,
// `--account-key`; not `--password-file`, nor `--key`, the object of `aws s3api`).
const SECRET_FLAG = /^(?:[a-z0-9]+-)*(?:password|passwd|pass|passphrase|token|secret|(?:api|access|private|account|storage|master|secret|shared|signing|encryption|license|client)-?key|auth-token|credentials?)$/;

/** Whether a `--flag` named so (without its dashes) takes a secret. */
function isSecretFlag(name: string): boolean {
  return SECRET_FLAG.test(name.toLowerCase());
}

/** Lower-case words of which every name isSecretName accepts contains one. */
const SECRET_NAME_NEEDLES = ['pass', 'token', 'secret', 'key', 'auth', 'cred', 'pwd'];
const VALUE = String.raw`(?:"[^"]*"|'[^']*'|[^\s'";|&]+)`;
// What may stand right before a secret-named assignment: the start of a word (`export X=`,
// `-e X=`), a separator of shell commands, of URL query parameters (`?api_key=`, `&token=`),
// of Java properties and Helm values (`-Dx.password=`, `--set auth.password=`), of mount
// options (`-o user=u,password=p`), of npmrc keys (`//host/:_authToken=`), or a quote.
const ASSIGNMENT_LEAD = String.raw`(^|[\s;&|(?"',.:])`;
// Schemes before a token in an `Authorization:` value, kept so the command stays readable.
const AUTH_SCHEME = String.raw`(?:[Bb]earer|[Bb]asic|[Tt]oken|[Dd]igest|[Bb]ot|[Aa]pi[Kk]ey|SSWS|[Kk]ey)\s+`;

// The rest of a simple command: up to the next `|`, `;` or `&` (a flag of a later command in a
// pipeline is not this program's).
const SAME_COMMAND = String.raw`[^|;&\n]*?`;

// The patterns that match a name and its value, and redact the value when isSecretName (or
// isSecretFlag) says so. Each matches only names holding one of the needles (the lookahead), so
// the value of an ordinary name is not taken, and is searched too: `--set a=1,db.password=…`.
const NAME = String.raw`(?=[A-Za-z0-9_]*?(?:${SECRET_NAME_NEEDLES.join('|')}))([A-Za-z0-9_]+)`;
const redactIf = (secret: boolean, match: string, head: string) => (secret ? `${head}${REDACTED}` : match);

const assignment = () => new RegExp(String.raw`(${ASSIGNMENT_LEAD}(?:export\s+)?${NAME}=)(${VALUE})`, 'gi');
const redactAssignment = (match: string, head: string, _lead: string, name: string) => redactIf(isSecretName(name), match, head);
// fish has no NAME=value export: `set -x NAME value`, `set -gx`, `set --export --global`, … and
// only where a command starts: the `set` of `gh secret set NAME` is an argument.
const fishSet = () => new RegExp(String.raw`((?:^|[;&|(]|\b(?:and|or|not|begin|builtin|command)\s)\s*set(?:\s+-[A-Za-z]+|\s+--[a-z]+)*\s+${NAME}\s+)(${VALUE}(?:\s+${VALUE})*)`, 'gi');
const redactFishSet = (match: string, head: string, name: string) => redactIf(isSecretName(name), match, head);
const configSet = () => new RegExp(String.raw`(\b(?:config|configure)\s+set\s+(?:-\S+\s+)*(?:[^\s=]*[./:])?${NAME}\s+)(?!-)(${VALUE})`, 'gi');
const redactConfigSet = (match: string, head: string, name: string) => redactIf(isSecretName(name), match, head);
// Also escaped inside a double-quoted argument: `-d "{\"password\":\"…\"}"`.
const jsonField = () => new RegExp(String.raw`(\\?"${NAME}\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])+)(?=\\?")`, 'gi');
const redactJsonField = (match: string, head: string, name: string) => redactIf(isSecretName(name), match, head);
// After a space, a word starting with `-` is the next flag, not a value (`--no-password -h db`).
const FLAG_NEEDLES = ['pass', 'token', 'secret', 'key', 'credential'];
const longFlag = () => new RegExp(String.raw`(--(?=[a-z0-9-]*?(?:${FLAG_NEEDLES.join('|')}))([A-Za-z0-9-]+)(?:=|\s+(?!-)))(${VALUE})`, 'gi');
const redactLongFlag = (match: string, head: string, name: string) => redactIf(isSecretFlag(name), match, head);

/** A short flag that takes a password as its value, of the programs named (`-p` of mysql, `-a` of redis-cli…). */
function shortPasswordFlag(programs: string, flag: string, attached: 'attached' | 'separate'): () => RegExp {
  const sep = attached === 'attached' ? '' : String.raw`\s+(?!-)`;
  return () => new RegExp(String.raw`(\b(?:${programs})\b${SAME_COMMAND}\s${flag}${sep})(${VALUE})`, 'g');
}

/**
 * Redacts the value of every `flag` (a source that includes the flag's own separator) within a
 * simple command that starts as `command` does: `az login … -p <value>`, `atuin login … -k <value>`.
 * The match is the whole command, so it holds the program's name (a needle).
 */
function flagValuesIn(command: string, flag: string): Pick<SecretPattern, 'pattern' | 'replace'> {
  const value = String.raw`(\s${flag})(?!-)${VALUE}`;
  return {
    pattern: () => new RegExp(String.raw`${command}[^|;&\n]*`, 'g'),
    replace: (match) => match.replace(new RegExp(value, 'g'), (_m, head: string) => `${head}${REDACTED}`),
  };
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'assignment to a secret-named variable or parameter',
    needles: SECRET_NAME_NEEDLES,
    requires: '=',
    pattern: assignment,
    replace: redactAssignment,
    example: 'GITHUB_TOKEN=abc123 gh pr list',
    redacted: `GITHUB_TOKEN=${REDACTED} gh pr list`,
    nearMiss: 'TOKENIZERS_PARALLELISM=false MAX_TOKENS=4096 python train.py',
  },
  {
    name: 'fish set of a secret-named variable',
    needles: SECRET_NAME_NEEDLES,
    requires: 'set',
    pattern: fishSet,
    replace: redactFishSet,
    example: 'set -gx AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI/K7MDENG; aws s3 ls',
    redacted: `set -gx AWS_SECRET_ACCESS_KEY ${REDACTED}; aws s3 ls`,
    nearMiss: 'set -gx KEYMAP us; set -x EDITOR vim',
  },
  {
    name: 'secret-named flag with a value',
    needles: FLAG_NEEDLES,
    requires: '--',
    pattern: longFlag,
    replace: redactLongFlag,
    example: 'mysql --password=hunter2 -u root',
    redacted: `mysql --password=${REDACTED} -u root`,
    nearMiss: 'aws s3api get-object --bucket b --key logs/app.log out.log',
  },
  {
    // `-p` glued to its value; `-p` alone prompts, and `-P3306` is the port.
    name: 'mysql-family -p<password>',
    needles: ['mysql', 'mariadb'],
    pattern: shortPasswordFlag('mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb|mariadb-dump', '-p', 'attached'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'mysql -u root -phunter2 shop',
    redacted: `mysql -u root -p${REDACTED} shop`,
    nearMiss: 'mysql -u root -p -P3306 shop',
  },
  {
    name: 'sshpass -p',
    needles: ['sshpass'],
    // Only sshpass's own options stand before its -p: the -p of the ssh it runs is a port.
    pattern: () => new RegExp(String.raw`(\bsshpass(?:\s+-[fdP]\s*[^\s-]\S*|\s+-[ehvV])*\s+-p\s*(?!-))(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'sshpass -p hunter2 ssh deploy@web1',
    redacted: `sshpass -p ${REDACTED} ssh deploy@web1`,
    nearMiss: 'sshpass -f ~/.pw ssh -p 2222 deploy@web1',
  },
  {
    name: 'redis-cli -a',
    needles: ['-cli'],
    pattern: shortPasswordFlag('redis-cli|valkey-cli|keydb-cli', '-a', 'separate'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'redis-cli -h cache -a hunter2 ping',
    redacted: `redis-cli -h cache -a ${REDACTED} ping`,
    nearMiss: 'redis-cli -h cache -p 6380 ping',
  },
  {
    name: 'mongo shell -p',
    needles: ['mongo'],
    pattern: shortPasswordFlag('mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport', '-p', 'separate'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'mongosh -u admin -p hunter2 db1',
    redacted: `mongosh -u admin -p ${REDACTED} db1`,
    nearMiss: 'mongosh -u admin -p --port 27018 db1',
  },
  {
    name: 'registry login -p',
    needles: ['login'],
    pattern: () => new RegExp(String.raw`(\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oras)\b${SAME_COMMAND}\blogin\b${SAME_COMMAND}\s-p\s*(?!-))(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'docker login -u ci -p hunter2 registry.example.com',
    redacted: `docker login -u ci -p ${REDACTED} registry.example.com`,
    nearMiss: 'docker login -u ci --password-stdin registry.example.com',
  },
  {
    // `az login -u <user> -p <password>`, also a service principal's secret; OpenShift and Cloud Foundry alike.
    name: 'password flag of az, oc or cf login',
    needles: ['login'],
    ...flagValuesIn(String.raw`\b(?:az|oc|cf)\s+login\b`, String.raw`(?:-p|--password)(?:\s+|=)`),
    example: 'az login -u me@example.com -p AzPass12word',
    redacted: `az login -u me@example.com -p ${REDACTED}`,
    nearMiss: 'oc login -u dev https://api.cluster:6443',
  },
  {
    // `-k` is the encryption key, as words.
    name: 'password and key flags of atuin login or register',
    needles: ['atuin'],
    ...flagValuesIn(String.raw`\batuin\s+(?:login|register)\b`, String.raw`(?:-p|--password|-k|--key)(?:\s+|=)`),
    example: 'atuin login -u me -p hunter2 -k "lots of random words"',
    redacted: `atuin login -u me -p ${REDACTED} -k ${REDACTED}`,
    nearMiss: 'atuin login -u me; atuin search -k prefix git',
  },
  {
    name: 'body of gh secret set',
    needles: ['secret'],
    ...flagValuesIn(String.raw`\bgh\s+secret\s+set\b`, String.raw`(?:-b|--body)(?:\s+|=)`),
    example: 'gh secret set DEPLOY_PASS --body hunter2 --repo o/r',
    redacted: `gh secret set DEPLOY_PASS --body ${REDACTED} --repo o/r`,
    nearMiss: 'gh secret set DEPLOY_PASS < pass.txt; gh issue create --body "fix login"',
  },
  {
    name: 'literal of kubectl create secret',
    needles: ['secret'],
    ...flagValuesIn(String.raw`\bkubectl\b${SAME_COMMAND}\bcreate\s+secret\b`, String.raw`--from-literal(?:\s+|=)["']?[^\s="']+=`),
    example: 'kubectl create secret generic db --from-literal=user=app --from-literal=password=hunter2',
    redacted: `kubectl create secret generic db --from-literal=user=${REDACTED} --from-literal=password=${REDACTED}`,
    nearMiss: 'kubectl create configmap app --from-literal=mode=prod',
  },
  {
    // `vault login <token>`; `key=value` arguments belong to an auth method (`-method=userpass username=…`).
    name: 'vault login <token>',
    needles: ['vault'],
    pattern: () => new RegExp(String.raw`(\bvault\s+login(?:\s+-\S+)*\s+)(?![-<>])(?![^\s=]*=)(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'vault login s.abcdefghijklmnopqrstuvwx',
    redacted: `vault login ${REDACTED}`,
    nearMiss: 'vault login -method=userpass username=alice',
  },
  {
    // `aws configure set aws_secret_access_key …`, `npm config set //host/:_authToken …`, `yarn config set npmAuthToken …`.
    name: 'config set of a secret-named key',
    needles: ['config'],
    pattern: configSet,
    replace: redactConfigSet,
    example: 'aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG --profile ci',
    redacted: `aws configure set aws_secret_access_key ${REDACTED} --profile ci`,
    nearMiss: 'aws configure set region us-east-1; npm config set //registry.npmjs.org/:always-auth true',
  },
  {
    // Bundler reads a gem host's `user:password` from BUNDLE_<HOST>, dots as `__` (BUNDLE_GEMS__EXAMPLE__COM).
    name: 'Bundler credentials for a gem host',
    needles: ['bundle'],
    pattern: () => new RegExp(String.raw`((?:^|[\s;&|(])(?:export\s+)?BUNDLE_(?!BUILD__)[A-Z0-9_]+__[A-Z]{2,6}=|\bbundle\s+config\s+(?:set\s+)?(?:--\S+\s+)*(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/?\s+)(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'BUNDLE_GEMS__CONTRIBSYS__COM=abcd1234:ef567890 bundle install',
    redacted: `BUNDLE_GEMS__CONTRIBSYS__COM=${REDACTED} bundle install`,
    nearMiss: 'BUNDLE_BUILD__PG=--with-pg-config=/usr/bin/pg_config bundle config set --local path vendor/bundle',
  },
  {
    // htpasswd -b takes the password on the command line, as its last argument (after the file
    // and the user, or after the user alone with -n).
    name: 'htpasswd -b',
    needles: ['htpasswd'],
    pattern: () => new RegExp(String.raw`(\bhtpasswd(?=[^|;&\n]*?\s-[A-Za-z]*b)\s+(?:[^\s|;&]+\s+)*?)(${VALUE})(?=\s*(?:[|;&>\n]|$))`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'htpasswd -b .htpasswd alice hunter2',
    redacted: `htpasswd -b .htpasswd alice ${REDACTED}`,
    nearMiss: 'htpasswd -c .htpasswd alice',
  },
  {
    // Only for HTTP/FTP clients: rsync's -u, for one, is a flag followed by host:path.
    name: 'user:password after -u or --user',
    needles: ['curl', 'wget', 'xh', 'http', 'lftp', 'aria2c'],
    pattern: () => new RegExp(String.raw`(\b(?:curl|wget|xh|https?|lftp|aria2c)\b${SAME_COMMAND}\s(?:-u|-U|--user|--proxy-user|-a|--auth)(?:\s+|=)['"]?[^\s:'"]+:)([^\s'"@]+)`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'curl -u alice:hunter2 https://api.example.com',
    redacted: `curl -u alice:${REDACTED} https://api.example.com`,
    nearMiss: 'curl -u alice https://api.example.com; rsync -u host:path/file dest/',
  },
  {
    name: 'smbclient -U user%password',
    needles: ['%'],
    pattern: () => new RegExp(String.raw`((?:^|\s)(?:-U|--user)(?:\s+|=)['"]?[^\s%'"]+%)([^\s'"]+)`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'smbclient //nas/share -U alice%hunter2',
    redacted: `smbclient //nas/share -U alice%${REDACTED}`,
    nearMiss: 'smbclient -L //nas -U alice; df -h | grep 100%',
  },
  {
    name: 'openssl pass:<password>',
    needles: ['pass:'],
    pattern: () => new RegExp(String.raw`(-pass(?:in|out)?\s+pass:)(${VALUE})`, 'g'),
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'openssl pkcs12 -export -in c.pem -passout pass:hunter2 -out c.p12',
    redacted: `openssl pkcs12 -export -in c.pem -passout pass:${REDACTED} -out c.p12`,
    nearMiss: 'openssl pkcs12 -export -in c.pem -passout env:P12PASS -out c.p12',
  },
  {
    name: 'HTTP basic credentials',
    needles: ['basic'],
    pattern: () => /\b(Basic\s+)[A-Za-z0-9+/]{8,}={0,2}/g,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
    example: 'curl -H "Authorization: Basic YWxpY2U6aHVudGVyMg==" https://api.example.com',
    redacted: `curl -H "Authorization: Basic ${REDACTED}" https://api.example.com`,
    nearMiss: 'grep -rn Basic README.md',
  },
  {
    name: 'connection-string key',
    needles: ['key=', 'password=', 'pwd=', 'signature='],
    pattern: () => /\b((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=)([^;\s'"]+)/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'az storage blob list --connection-string "AccountName=a;AccountKey=abc123==;EndpointSuffix=core.windows.net"',
    redacted: `az storage blob list --connection-string "AccountName=a;AccountKey=${REDACTED};EndpointSuffix=core.windows.net"`,
    nearMiss: 'echo "AccountName=a;EndpointSuffix=core.windows.net"',
  },
  {
    // OpenSSH, RSA, EC, ENCRYPTED… keys, and PGP's `PRIVATE KEY BLOCK`.
    name: 'private key block',
    needles: ['-----begin '],
    pattern: () => /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
    replace: () => REDACTED,
    example: "printf '%s' '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----' > id",
    redacted: `printf '%s' '${REDACTED}' > id`,
    nearMiss: "printf '%s' '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----' > id.pub",
  },
  {
    name: 'HTTP bearer token',
    needles: ['bearer'],
    pattern: () => /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
    example: 'curl -H "Authorization: Bearer eyabc.def-123_456" https://api.example.com',
    redacted: `curl -H "Authorization: Bearer ${REDACTED}" https://api.example.com`,
    nearMiss: 'echo "the bearer of bad news"',
  },
  {
    // `-H 'X-API-Key: …'`, `-H 'PRIVATE-TOKEN: …'`, `--header=Cookie:…`; the Authorization scheme stays.
    name: 'secret-named HTTP header',
    needles: [...SECRET_NAME_NEEDLES, 'cookie', 'session'],
    requires: '-h',
    // Quoted, the value runs to the closing quote (`\2`; an empty `\2` makes that branch fail);
    // bare, to the next space.
    pattern: () => new RegExp(String.raw`((?:^|\s)(?:-H|--header)(?:\s+|=)(["']?)([A-Za-z0-9-]+)\s*:\s*(?:${AUTH_SCHEME})?)((?:(?!\2)[^\n])+(?=\2)|[^\s"']+)`, 'g'),
    replace: (match, head, _quote, name) => (isSecretHeader(name!) ? `${head}${REDACTED}` : match),
    example: `curl -H 'PRIVATE-TOKEN: s3cr3t value' -H X-Api-Key:k3y https://gitlab.example.com/api/v4/user`,
    redacted: `curl -H 'PRIVATE-TOKEN: ${REDACTED}' -H X-Api-Key:${REDACTED} https://gitlab.example.com/api/v4/user`,
    nearMiss: `curl -H 'Content-Type: application/json' -H 'X-Author: alice' https://api.example.com`,
  },
  {
    name: 'secret-named JSON field',
    needles: SECRET_NAME_NEEDLES,
    requires: '"',
    pattern: jsonField,
    replace: redactJsonField,
    example: `curl -d '{"user":"alice","password":"hunter2"}' https://api.example.com/login`,
    redacted: `curl -d '{"user":"alice","password":"${REDACTED}"}' https://api.example.com/login`,
    nearMiss: `curl -d '{"model":"m","max_tokens":100,"prompt":"my password"}' https://api.example.com`,
  },
  {
    // Azure SAS (`sig=`) and presigned S3/GCS URLs: the signature is what grants access.
    name: 'signature in a URL',
    needles: ['sig'],
    pattern: () => /([?&](?:sig|signature|x-amz-signature|x-goog-signature)=)([^&#\s'"]+)/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
    example: 'azcopy cp "https://a.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=abc%2Bdef%3D" .',
    redacted: `azcopy cp "https://a.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=${REDACTED}" .`,
    nearMiss: 'curl "https://example.com/search?signed=1&design=flat"',
  },
  {
    name: 'password in a URL',
    needles: ['://'],
    // The scheme starts only where a run of scheme characters starts: with `\b` every position
    // inside a long word was a start, and a 6 KB command took 7 ms.
    pattern: () => /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}@`,
    example: 'psql postgres://app:s3cret@db.internal/app',
    redacted: `psql postgres://app:${REDACTED}@db.internal/app`,
    nearMiss: 'curl https://user@example.com/path http://localhost:8080/pkg@1.2.3',
  },
];

/** Replaces every recognisable secret in `cmd`. */
export function redactSecrets(cmd: string): string {
  let out = cmd;
  // Lower-casing can only add ASCII letters (`K` → `k`), never remove a literal a match needs,
  // so a miss here is a sure miss of the pattern. Lower-cased again only after a replacement
  // changed the text (it may have removed a needle); most commands hold no secret at all.
  let lower = cmd.toLowerCase();
  if (!anyNeedle().test(lower)) return cmd;
  const apply = (needles: readonly string[], pattern: () => RegExp, replace: SecretPattern['replace'], requires = '') => {
    if (!containsAny(lower, needles) || !lower.includes(requires)) return;
    const replaced = out.replace(pattern(), replace as (substring: string, ...args: string[]) => string);
    if (replaced !== out) {
      out = replaced;
      lower = out.toLowerCase();
    }
  };
  for (const { needles, pattern, replace, requires } of SECRET_PATTERNS) apply(needles, pattern, replace, requires);
  for (const { needles, pattern } of TOKEN_FORMATS) apply(needles, pattern, redactToken);
  return out;
}

/** A token is replaced whole: nothing of it is safe to keep. */
function redactToken(): string {
  return REDACTED;
}

let needlesPattern: RegExp | undefined;

/**
 * Every pattern's and token format's needles in one expression: most commands hold none of
 * them, and one scan of the text settles that (~15x faster than asking for each needle; an
 * import of a million commands spent seconds here).
 */
function anyNeedle(): RegExp {
  needlesPattern ??= new RegExp([...SECRET_PATTERNS, ...TOKEN_FORMATS].flatMap((p) => p.needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('|'));
  return needlesPattern;
}

function containsAny(text: string, needles: readonly string[]): boolean {
  for (const needle of needles) if (text.includes(needle)) return true;
  return false;
}
