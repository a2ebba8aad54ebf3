import { describe, expect, it } from 'vitest';
import { REDACTED, SECRET_PATTERNS, redactSecrets, type SecretPattern } from './secret-patterns.ts';
import { TOKEN_FORMATS, expandSample } from './secret-token-formats.ts';

/** Every rule in one shape: the token formats with their example commands made. */
const RULES: readonly SecretPattern[] = [
  ...SECRET_PATTERNS,
  ...TOKEN_FORMATS.map((f) => ({
    name: f.name,
    needles: f.needles,
    pattern: f.pattern,
    replace: () => REDACTED,
    example: f.command(expandSample(f.token)),
    redacted: f.command(REDACTED),
    nearMiss: f.command(expandSample(f.nearMiss)),
  })),
];

/** Commands holding secrets, and what each must become. */
const REDACTS: [string, string, string][] = [
  ['export of a secret variable', 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI', `export AWS_SECRET_ACCESS_KEY=${REDACTED}`],
  ['lower-case secret variable', 'db_password=hunter2 ./run', `db_password=${REDACTED} ./run`],
  ['quoted value with spaces', 'API_KEY="a b c" make deploy', `API_KEY=${REDACTED} make deploy`],
  ['single-quoted value', "PASSPHRASE='x y' gpg -d f", `PASSPHRASE=${REDACTED} gpg -d f`],
  ['assignment after a semicolon', 'cd x;TOKEN=abc run', `cd x;TOKEN=${REDACTED} run`],
  ['flag separated by a space', 'vault login --token s.abcdef', `vault login --token ${REDACTED}`],
  ['prefixed flag', 'tool --github-token=abc', `tool --github-token=${REDACTED}`],
  ['flag value in quotes', 'mysql --password "p w"', `mysql --password ${REDACTED}`],
  ['lower-case bearer', 'curl -H "authorization: bearer abcdefghij"', `curl -H "authorization: bearer ${REDACTED}"`],
  ['fine-grained GitHub token', `echo github_pat_${'A'.repeat(30)}`, `echo ${REDACTED}`],
  ['temporary AWS key id', 'echo ASIAIOSFODNN7EXAMPLE', `echo ${REDACTED}`],
  ['OpenAI project key', `export OPENAI=sk-proj-${'a'.repeat(24)}`, `export OPENAI=${REDACTED}`],
  ['fish set -x', 'set -x AWS_SECRET_ACCESS_KEY abc123', `set -x AWS_SECRET_ACCESS_KEY ${REDACTED}`],
  ['fish set -Ux, several values', 'set -Ux GITHUB_TOKEN ghx one two', `set -Ux GITHUB_TOKEN ${REDACTED}`],
  ['fish set with long flags', 'set --global --export DB_PASSWORD "p w"', `set --global --export DB_PASSWORD ${REDACTED}`],
  ['fish set after a semicolon', 'true; set -l api_key k1; curl x', `true; set -l api_key ${REDACTED}; curl x`],
  ['two secrets in one line', 'A_TOKEN=1 B_SECRET=2 run', `A_TOKEN=${REDACTED} B_SECRET=${REDACTED} run`],
  ['mysqldump -p after other flags', 'mysqldump -h db -P 3306 -uroot -p"p w" shop', `mysqldump -h db -P 3306 -uroot -p${REDACTED} shop`],
  ['mariadb --password= long form', 'mariadb --password=hunter2', `mariadb --password=${REDACTED}`],
  ['sshpass -p glued', 'sshpass -phunter2 scp f host:', `sshpass -p${REDACTED} scp f host:`],
  ['redis-cli --pass', 'redis-cli --pass hunter2 ping', `redis-cli --pass ${REDACTED} ping`],
  ['podman login --password', 'podman login --password hunter2 quay.io', `podman login --password ${REDACTED} quay.io`],
  ['curl --user=', 'curl --user=alice:hunter2 https://x', `curl --user=alice:${REDACTED} https://x`],
  ['httpie -a', 'http -a alice:hunter2 GET https://x', `http -a alice:${REDACTED} GET https://x`],
  ['openssl -passin', 'openssl rsa -in k.pem -passin pass:hunter2', `openssl rsa -in k.pem -passin pass:${REDACTED}`],
  ['an unterminated private key', "echo '-----BEGIN RSA PRIVATE KEY-----\nMIIEow", `echo '${REDACTED}`],
  ['Anthropic key', `export KEY=sk-ant-api03-${'a'.repeat(30)}`, `export KEY=${REDACTED}`],
  // The commands, stored verbatim before.
  ['az login -p', 'az login -u me@example.com -p AzPass12word', `az login -u me@example.com -p ${REDACTED}`],
  ['an npmrc auth token that is no npm_ token', 'npm config set //registry.npmjs.org/:_authToken=0a1b2c3d-0000-4111-8222-333344445555', `npm config set //registry.npmjs.org/:_authToken=${REDACTED}`],
  ['an npmrc auth token given after a space', 'npm config set //npm.example.com/:_authToken s3cr3tvalue', `npm config set //npm.example.com/:_authToken ${REDACTED}`],
  ['api_key query parameter', "curl -s 'https://host/api?api_key=abc123def'", `curl -s 'https://host/api?api_key=${REDACTED}'`],
  ['access_token query parameter', 'curl "https://host/api?access_token=abc123def&page=2"', `curl "https://host/api?access_token=${REDACTED}&page=2"`],
  ['token query parameter', "curl -s 'https://host/api?token=abc123def'", `curl -s 'https://host/api?token=${REDACTED}'`],
  // atuin's own examples (crates/atuin-client/src/secrets.rs) typed as commands.
  ['an exported *_KEY variable', 'export AZURE_STORAGE_ACCOUNT_KEY=KEYDATA', `export AZURE_STORAGE_ACCOUNT_KEY=${REDACTED}`],
  ['another exported *_KEY variable', 'export GOOGLE_SERVICE_ACCOUNT_KEY=KEYDATA', `export GOOGLE_SERVICE_ACCOUNT_KEY=${REDACTED}`],
  ['atuin login -p and -k', 'atuin login -u u -p PASSWORD -k "lots of random words"', `atuin login -u u -p ${REDACTED} -k ${REDACTED}`],
  ['gh1_ token', `echo gh1_${'a1B2c3D4e5F6g7H8i9J0k'}_${'a1B2c3D4e5'.repeat(5)}a1B2c3D4e`, `echo ${REDACTED}`],
  ['new-format ghs_ token', `GH=ghs_12345_eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NSJ9.${'a1B2-c3_D4'.repeat(4)} ./ci`, `GH=${REDACTED} ./ci`],
  ['v1. app token', `echo v1.${'0a1b2c3d4e'.repeat(4)} | gh auth login --with-token`, `echo ${REDACTED} | gh auth login --with-token`],
  ['Netlify token', `netlify deploy --auth nfp_${'a1B2c3D4e5F6'.repeat(3)}`, `netlify deploy --auth ${REDACTED}`],
  ['helm --set of a password', 'helm install db bitnami/postgresql --set auth.password=hunter2,auth.database=app', `helm install db bitnami/postgresql --set auth.password=${REDACTED}`],
  ['Java property', 'java -Djavax.net.ssl.keyStorePassword=hunter2 -jar app.jar', `java -Djavax.net.ssl.keyStorePassword=${REDACTED} -jar app.jar`],
  ['CIFS mount password', 'mount -t cifs -o username=bob,password=hunter2 //nas/s /mnt', `mount -t cifs -o username=bob,password=${REDACTED} //nas/s /mnt`],
  ['form field in quotes', 'curl -d "user=bob&password=hunter2" https://x/login', `curl -d "user=bob&password=${REDACTED}" https://x/login`],
  ['a _PASS variable', 'SMTP_PASS=hunter2 ./send', `SMTP_PASS=${REDACTED} ./send`],
  ['escaped JSON field', 'curl -d "{\\"apiKey\\": \\"k3y\\"}" https://x', `curl -d "{\\"apiKey\\": \\"${REDACTED}\\"}" https://x`],
  ['GitHub token scheme in a header', 'curl -H "Authorization: token abc123def" https://api.github.com/user', `curl -H "Authorization: token ${REDACTED}" https://api.github.com/user`],
  ['az storage --account-key', 'az storage blob list --account-name a --account-key abc123==', `az storage blob list --account-name a --account-key ${REDACTED}`],
  ['npm config set _auth', 'npm config set _auth dXNlcjpwYXNz', `npm config set _auth ${REDACTED}`],
  ['yarn npmAuthToken', 'yarn config set npmAuthToken abc123', `yarn config set npmAuthToken ${REDACTED}`],
  ['htpasswd -nb without a file', 'htpasswd -nbB alice hunter2 > .htpasswd', `htpasswd -nbB alice ${REDACTED} > .htpasswd`],
  ['a PGP private key block', "gpg --import <<< '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----'", `gpg --import <<< '${REDACTED}'`],
  ['presigned S3 URL', 'curl "https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=0a1b2c"', `curl "https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=${REDACTED}"`],
  ['Telegram bot URL', `curl https://api.telegram.org/bot123456789:AA${'a1B2c3D4e5F6g7H8i9J0'.repeat(2).slice(0, 33)}/getMe`, `curl https://api.telegram.org/bot${REDACTED}/getMe`],
  ['Pulumi token', `pulumi login --cloud-url x pul-${'0a1b2c3d4e'.repeat(4)}`, `pulumi login --cloud-url x ${REDACTED}`],
];
const ALL_SECRET_TEXTS = REDACTS.map(([, cmd]) => cmd);


describe('SECRET_PATTERNS and TOKEN_FORMATS', () => {
  it('has rules, each with a distinct name', () => {
    expect(SECRET_PATTERNS.length).toBeGreaterThan(5);
    expect(TOKEN_FORMATS.length).toBeGreaterThan(5);
    expect(new Set(RULES.map((p) => p.name)).size).toBe(RULES.length);
  });

  it('expands the placeholders of a sample token and nothing else', () => {
    expect(expandSample('ghp_{5}')).toBe('ghp_a1B2c');
    expect(expandSample('v1.{20 hex}.{3 upper}')).toBe('v1.0a1b2c3d4e5f67890a1b.A1B');
    expect(expandSample('{"a":1}')).toBe('{"a":1}');
  });

  describe.each(RULES.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    it('redacts its own example to exactly its redacted text', () => {
      expect(p.example).not.toBe(p.redacted);
      expect(p.redacted).toContain(REDACTED);
      expect(redactSecrets(p.example)).toBe(p.redacted);
    });

    it('matches its example on its own, not only through another pattern', () => {
      expect(p.example.replace(p.pattern(), p.replace as (m: string, ...g: string[]) => string)).toBe(p.redacted);
    });

    it('names needles that every match it redacts contains, in any letter case', () => {
      // The needles let redactSecrets skip a pattern; a match without one would go unredacted.
      // (Some patterns match any name and leave the value of one that is not a secret's alone.)
      const texts = [p.example, p.example.toUpperCase(), p.example.toLowerCase(), ...ALL_SECRET_TEXTS];
      let matches = 0;
      for (const text of texts) {
        for (const m of text.matchAll(p.pattern())) {
          if (p.replace(m[0], ...(m.slice(1) as string[])) === m[0]) continue;
          matches++;
          expect(p.needles.some((n) => m[0].toLowerCase().includes(n)), `match ${JSON.stringify(m[0])}`).toBe(true);
          expect(m[0].toLowerCase(), 'the text it requires').toContain(p.requires ?? '');
        }
      }
      expect(matches).toBeGreaterThan(0);
      for (const n of [...p.needles, p.requires ?? '']) expect(n).toBe(n.toLowerCase());
    });

    it('leaves its near miss alone, on its own and with every other pattern', () => {
      expect(p.nearMiss).not.toBe(p.example);
      expect(p.nearMiss.replace(p.pattern(), p.replace as (m: string, ...g: string[]) => string)).toBe(p.nearMiss);
      expect(redactSecrets(p.nearMiss)).toBe(p.nearMiss);
    });

    it('leaves already redacted text unchanged', () => {
      expect(redactSecrets(p.redacted)).toBe(p.redacted);
    });

    it('is global, so every occurrence in a command is redacted', () => {
      expect(p.pattern().flags).toContain('g');
      const twice = `${p.example} ; ${p.example}`;
      expect(redactSecrets(twice)).toBe(`${p.redacted} ; ${p.redacted}`);
    });
  });
});

describe('redactSecrets', () => {
  it.each(REDACTS)('redacts %s', (_name, cmd, expected) => {
    expect(redactSecrets(cmd)).toBe(expected);
  });

  it('returns a long run of nested assignments as it is, without running out of stack', () => {
    const cmd = `export a=${'x,monkey='.repeat(20_000)}`;
    expect(redactSecrets(cmd)).toBe(cmd);
    expect(redactSecrets(`${cmd},password=hunter2`)).toBe(`${cmd},password=${REDACTED}`);
  });

  it.each([
    'echo token',
    'mysql -u root -p shop',
    'mysql -P3306 -h db shop',
    'ssh -p 2222 host',
    'docker run -p 8080:80 nginx',
    'rsync -u host:path/file dest/',
    'curl -u alice https://api.example.com',
    'redis-cli -h cache ping',
    'htpasswd -c .htpasswd alice',
    'grep Basic README.md',
    'git commit -m "fix password reset"',
    'grep -rn TOKEN src/',
    'echo $GITHUB_TOKEN',
    'cat ~/.aws/credentials',
    'ls --password-file ~/.pgpass',
    'psql --no-password -h db.internal app',
    'GIT_AUTHOR_NAME=alice git commit --amend',
    'export PATH=$PATH:/usr/local/bin',
    'git log --author=alice',
    'ssh git@github.com',
    'git clone git@github.com:owner/repo.git',
    'curl https://user@example.com/path',
    'curl http://localhost:8080/pkg@1.2.3',
    'npm install react@18',
    'cd task-management-dashboard-frontend',
    'echo AKIA',
    'docker run -e MODE=prod image',
    'echo "the bearer of bad news"',
    'kubectl get secrets',
    'set -e GITHUB_TOKEN',
    'set -q AWS_SECRET_ACCESS_KEY; or echo unset',
    'set -x EDITOR vim',
    'echo set TOKEN',
    'git log -p',
    'ls -k',
    'curl -k https://example.com',
    'export MAX_TOKENS=4096',
    'TOKENIZERS_PARALLELISM=false python train.py',
    'BYPASS_CACHE=1 MONKEY=2 make',
    'echo $PWD; cd $OLDPWD',
    'grep -rn "api_key=" src/',
    "kubectl get secret app -o jsonpath='{.data.password}'",
    'git config --global credential.helper store',
    'npm install --save-dev @types/node',
    'curl "https://example.com/search?q=token&sort=new"',
    'ssh-keygen -t ed25519 -C me@example.com',
    'echo v1.2.3 sk-learn task-runner',
    'cd ~/src/patch-notes && make patch',
    'mount -t nfs -o rw,soft nas:/export /mnt',
    '',
  ])('leaves %j alone', (cmd) => {
    expect(redactSecrets(cmd)).toBe(cmd);
  });
});
