import { describe, expect, it } from 'vitest';
import { REDACTED, SECRET_PATTERNS, redactSecrets } from './secret-patterns.ts';

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
];
const ALL_SECRET_TEXTS = REDACTS.map(([, cmd]) => cmd);


describe('SECRET_PATTERNS', () => {
  it('has patterns, each with a distinct name', () => {
    expect(SECRET_PATTERNS.length).toBeGreaterThan(5);
    expect(new Set(SECRET_PATTERNS.map((p) => p.name)).size).toBe(SECRET_PATTERNS.length);
  });

  describe.each(SECRET_PATTERNS.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    it('redacts its own example to exactly its redacted text', () => {
      expect(p.example).not.toBe(p.redacted);
      expect(p.redacted).toContain(REDACTED);
      expect(redactSecrets(p.example)).toBe(p.redacted);
    });

    it('matches its example on its own, not only through another pattern', () => {
      expect(p.example.replace(p.pattern, p.replace as (m: string, ...g: string[]) => string)).toBe(p.redacted);
    });

    it('names needles that every match of it contains, in any letter case', () => {
      // The needles let redactSecrets skip a pattern; a match without one would go unredacted.
      const texts = [p.example, p.example.toUpperCase(), p.example.toLowerCase(), ...ALL_SECRET_TEXTS];
      let matches = 0;
      for (const text of texts) {
        for (const m of text.matchAll(new RegExp(p.pattern.source, p.pattern.flags))) {
          matches++;
          expect(p.needles.some((n) => m[0].toLowerCase().includes(n)), `match ${JSON.stringify(m[0])}`).toBe(true);
        }
      }
      expect(matches).toBeGreaterThan(0);
      for (const n of p.needles) expect(n).toBe(n.toLowerCase());
    });

    it('leaves already redacted text unchanged', () => {
      expect(redactSecrets(p.redacted)).toBe(p.redacted);
    });

    it('is global, so every occurrence in a command is redacted', () => {
      expect(p.pattern.flags).toContain('g');
      const twice = `${p.example} ; ${p.example}`;
      expect(redactSecrets(twice)).toBe(`${p.redacted} ; ${p.redacted}`);
    });
  });
});

describe('redactSecrets', () => {
  it.each(REDACTS)('redacts %s', (_name, cmd, expected) => {
    expect(redactSecrets(cmd)).toBe(expected);
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
    '',
  ])('leaves %j alone', (cmd) => {
    expect(redactSecrets(cmd)).toBe(cmd);
  });
});
